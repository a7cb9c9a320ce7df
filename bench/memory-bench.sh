#!/usr/bin/env bash
# Many small collections under a memory budget: N collections of RECORDS records × 384 (derived from the real set)
# created and compacted over HTTP, then touched in turn twice (a query each, answers checked exactly), while the
# server's VmRSS/VmHWM, heap and held state are sampled (see bench/MemoryBench.java).
# Usage: bench/memory-bench.sh [N] [BUDGET] [RECORDS]  (defaults 10000, 256m, 1000); HEAP sets the server heap
# (default 1g); WORK=<folder> keeps the data, the server log and samples.csv; SERVER_FLAGS adds JVM flags to the server
# (e.g. -Dvermilion.cache.index=2g to bound the local index files on a small disk). Local storage, embedded PostgreSQL.
# MODE=touch with the WORK of an earlier run: restart the server on its data, let it finish the compactions that run
# left, then touch every collection once.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"; budget="${2:-256m}"; records="${3:-1000}"
heap="${HEAP:-1g}"
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
[ -f service/target/quarkus-app/quarkus-run.jar ] || ./vermilion build
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
port=$((20000 + RANDOM % 20000))
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 2; [ -n "${WORK:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" bench/QueryBench.java bench/MemoryBench.java
"$JAVA" "${FLAGS[@]}" -Xmx"$heap" -Dquarkus.http.port=$port -Dvermilion.path="$work/data" \
  -Dvermilion.cache.collections-memory="$budget" \
  -Dvermilion.compaction.records="$records" -Dvermilion.compaction.bytes=100g -Dvermilion.compaction.age=24h \
  -Dvermilion.compaction.interval=1s ${SERVER_FLAGS:-} \
  -jar service/target/quarkus-app/quarkus-run.jar >> "$work/server.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null && break; sleep 0.5; done
echo "server up: VmRSS $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$server/status); budget $budget, heap $heap"
samples="$work/samples.csv"
[ "${MODE:-run}" = run ] || samples="$work/samples-$MODE.csv"
"$JAVA" -Xmx1g -cp "$work/classes" MemoryBench "${MODE:-run}" "http://127.0.0.1:$port" "$server" "$n" "$records" "$DATA" \
  "$samples"
