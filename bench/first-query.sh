#!/usr/bin/env bash
# The first query after ingest (issue 12), Vermilion alone: starts the packaged server (embedded default, as
# bench/side-by-side.sh starts it), runs bench/FirstQueryBench.java against it (plain HTTP: ingest N real vectors in
# batches of 100, then the very first query and QUERIES more, each latency; ROUNDS rounds, each in a new collection).
# Usage: bench/first-query.sh [N=10000] [QUERIES=20] [ROUNDS=3] [PAUSE_S=0] [FOLLOW_S=0]
# (FOLLOW_S: keep querying that long after each round's ack, printing p50/max per 5 s window: compaction shows there)
# KEEP=1 keeps the server's folder and log; SERVER_FLAGS adds JVM flags to the server
# (e.g. -Dvermilion.compaction.threads=2).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
[ -f service/target/quarkus-app/quarkus-run.jar ] || ./vermilion build
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 2; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$JAVA" "${FLAGS[@]}" -Xmx4g -Dquarkus.http.port="$port" -Dvermilion.path="$work/vermilion" \
  -Dquarkus.log.level=WARN -Dquarkus.log.category.\"io.vermilion.jobs\".level=INFO ${SERVER_FLAGS:-} \
  -jar service/target/quarkus-app/quarkus-run.jar > "$work/vermilion.log" 2>&1 &
server=$!; pids+=("$server")
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null && break; sleep 0.5; done
echo "load at start: $(uptime)"
"$JAVA" -Xmx2g bench/FirstQueryBench.java "http://127.0.0.1:$port" "$DATA" "${1:-10000}" "${2:-20}" "${3:-3}" "${4:-0}" "${5:-0}"
echo "load at end: $(uptime)"
grep -E 'Compact' "$work/vermilion.log" || true
[ -z "${KEEP:-}" ] || echo "server folder and log kept in $work"
