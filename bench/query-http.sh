#!/usr/bin/env bash
# HTTP query latency/throughput and cold-start query latency on an S3-compatible server (S3Proxy on loopback).
# Usage: bench/query-http.sh [N]   (default 100000)
# Loads N synthetic 384-d vectors (see bench/QueryBench.java) into a packaged server whose objects live in S3Proxy,
# waits for the single compaction of the whole collection, measures queries (1 and 4 clients, recall against brute
# force), then restarts the server three times with its cache folder deleted and times the first query of each, then
# three more times measuring process start -> first answer (a client retrying from the instant the process starts).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
heap="${HEAP:-$(( n >= 500000 ? 12 : 4 ))g}"
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
[ -f service/target/quarkus-app/quarkus-run.jar ] || ./vermilion build
[ -f service/target/s3proxy/s3proxy.jar ] || ./mvnw -B -ntp -q -pl service generate-test-resources
work="${WORK:-$(mktemp -d)}"
port=8421
s3port=8422
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 2; [ -n "${WORK:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 240); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done; echo "no answer from $1" >&2; exit 1; }

start_s3proxy "$work" "$s3port"

start_server() {
  "$JAVA" "${FLAGS[@]}" -Xmx"$heap" -Dquarkus.http.port=$port -Dvermilion.path="$work/data" \
    -Dvermilion.storage.type=s3 -Dvermilion.storage.bucket=bench -Dvermilion.storage.endpoint="http://127.0.0.1:$s3port" \
    -Dvermilion.storage.access-key=bench -Dvermilion.storage.secret-key=bench \
    -Dvermilion.compaction.records="$n" -Dvermilion.compaction.bytes=100g -Dvermilion.compaction.age=24h -Dvermilion.compaction.interval=1s \
    -Dquarkus.log.category.\"io.vermilion\".level=INFO -jar service/target/quarkus-app/quarkus-run.jar >> "$work/server.log" 2>&1 &
  server=$!
  pids+=("$server")
  wait_http "http://127.0.0.1:$port/api/v2/heartbeat"
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$server/status"; }

start_server
"$JAVA" -Xmx6g bench/QueryBench.java load "http://127.0.0.1:$port" "$n" "$DATA"
grep 'Compacted collection' "$work/server.log" | tail -1
echo "server RSS after compaction: $(rss)"
for clients in 1 4; do
  "$JAVA" -Xmx6g bench/QueryBench.java query "http://127.0.0.1:$port" "$n" "$DATA" 500 "$clients" 20
done
echo "server RSS after queries: $(rss)"
stop_server
for i in 1 2 3; do
  rm -rf "$work/data/cache"
  start_server
  printf 'cold start %d, empty cache: ' "$i"
  "$JAVA" bench/QueryBench.java first "http://127.0.0.1:$port" "$DATA"
  stop_server
done
for i in 1 2 3; do
  rm -rf "$work/data/cache"
  t0=$(date +%s%3N)
  "$JAVA" bench/QueryBench.java cold "http://127.0.0.1:$port" "$DATA" "$t0" &
  client=$!
  start_server
  wait "$client"
  stop_server
done
