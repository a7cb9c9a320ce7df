#!/usr/bin/env bash
# HTTP scale benchmark on an S3-compatible server (S3Proxy on loopback): load, compaction, queries, memory, cold start.
# Usage: bench/query-http.sh [N]   (default 100000)
# Loads N synthetic 384-d vectors (see bench/QueryBench.java; metadata bucket = i mod 10, shard = i mod 100) into a
# packaged server whose objects live in S3Proxy, with the server's compaction settings left at their defaults except
# the tail age (2 s, so the last few records do not wait 5 minutes); waits until every record is compacted (load and
# compaction overlap: "end to end" is from the first add to the last version published). Reports the server's peak
# heap (largest heap in use before a GC, from its GC log) and peak resident memory (VmHWM). Then queries (1 client at
# ef_search 100 and 200, unfiltered, 10 % filter bucket = 3 and 1 % filter shard = 7; 4 clients at ef 100; recall@10
# against brute force), then restarts the server with its cache folder deleted and times the first query once it reports ready.
# Env: SERVER_FLAGS (extra JVM flags for every server start, e.g. -Dvermilion.compaction.threads=2), COLD_FLAGS (extra
# flags for the cold starts only, e.g. -Dvermilion.index.lazy-open=true), HEAP (server heap, default 2g), CACHE_MEMORY (vermilion.cache.memory, default 64m: fits a 2 GiB heap), SECONDS_PER_RUN (default 20), COLD_RUNS (default 3), SEGMENTS=1 also measures
# the server-built index in process (bench/ScaleBench.java) before and after merging it into one segment.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
heap="${HEAP:-2g}"
seconds="${SECONDS_PER_RUN:-20}"
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
echo "N=$n heap=$heap $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"

start_s3proxy "$work" "$s3port"

start_server() {
  "$JAVA" "${FLAGS[@]}" -Xmx"$heap" -Xlog:gc:file="$work/gc-$1.log" -Dquarkus.http.port=$port -Dvermilion.path="$work/data" \
    -Dvermilion.storage.type=s3 -Dvermilion.storage.bucket=bench -Dvermilion.storage.endpoint="http://127.0.0.1:$s3port" \
    -Dvermilion.storage.access-key=bench -Dvermilion.storage.secret-key=bench \
    -Dvermilion.compaction.age=2s -Dvermilion.compaction.interval=1s -Dvermilion.cache.memory="${CACHE_MEMORY:-64m}" \
    -Dquarkus.log.category.\"io.vermilion\".level=INFO ${SERVER_FLAGS:-} $([[ "$1" == cold* ]] && echo "${COLD_FLAGS:-}") -jar service/target/quarkus-app/quarkus-run.jar >> "$work/server.log" 2>&1 &
  server=$!
  pids+=("$server")
  wait_http "http://127.0.0.1:$port/q/health/ready" # a front sends requests to a replica once it reports ready
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$server/status"; }
peak_rss() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$server/status"; }
# The heap in use before a collection at most (G1 fills the heap first) and the live heap after a full collection at
# most (G1 log lines "... 812M->140M(2048M) ...").
peak_heap() {
  echo "$(grep -oE '[0-9]+M->[0-9]+M' "$work/gc-$1.log" | cut -d M -f1 | sort -n | tail -1) MiB before a GC;" \
    "$(grep 'Pause Full' "$work/gc-$1.log" | grep -oE '[0-9]+M->[0-9]+M' | cut -d '>' -f2 | sort -n | tail -1) after a full GC" \
    "($(grep -c 'Pause Full' "$work/gc-$1.log") full GCs)"
}

start_server main
"$JAVA" -Xmx4g bench/QueryBench.java load "http://127.0.0.1:$port" "$n" "$DATA"
echo "versions published by compactions: $(grep -c 'Compacted collection' "$work/server.log")"
grep 'Compacted collection' "$work/server.log"
# The segment merge policy runs once the last compaction caught up: queries wait for it (or for 30 minutes).
merge_wait=$(date +%s)
max_segments=$(echo "${SERVER_FLAGS:-}" | grep -oE 'merge-max-segments=[0-9]+' | cut -d= -f2 || true)
merging() {
  local last
  last=$(grep -E 'Compacted collection|Merged the segments|Merging the segments' "$work/server.log" | tail -1)
  [[ "$last" == *"Compacted collection"* ]] \
    && [ "$(echo "$last" | grep -oE '[0-9]+ segments' | cut -d' ' -f1)" -gt "${max_segments:-8}" ]
}
for _ in $(seq 1 1800); do merging || break; sleep 1; done
grep -E 'Merged the segments|Merging the segments' "$work/server.log" || echo "no segment merge"
echo "merges done $(( $(date +%s) - merge_wait )) s after the load client returned; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "after load + compaction: peak heap in use $(peak_heap main) of $heap; RSS $(rss), peak RSS $(peak_rss); load $(cut -d' ' -f1-3 /proc/loadavg)"
q() { "$JAVA" -Xmx6g bench/QueryBench.java query "http://127.0.0.1:$port" "$n" "$DATA" 500 "$1" "$seconds" "$2" "$3" "$work/truth-$n.bin"; }
for ef in 100 200; do
  for filter in none bucket shard; do
    q 1 "$ef" "$filter"
  done
done
q 4 100 none
echo "after queries: peak heap in use $(peak_heap main) of $heap; RSS $(rss), peak RSS $(peak_rss); load $(cut -d' ' -f1-3 /proc/loadavg)"
du -sh "$work/data/cache/index" "$work/s3" 2>/dev/null || true
stop_server

if [ "${SEGMENTS:-0}" = 1 ]; then
  # The version the server built (several segments), measured in process, then merged into one segment and measured again.
  version_dir=$(ls -d "$work"/data/cache/index/*/* | grep -v '/.fetch-' | sort | tail -1)
  seg="$work/segments/float32-idx"
  rm -rf "$work/segments" && mkdir -p "$work/segments" && cp -al "$version_dir" "$seg"
  ./mvnw -q -B -ntp -pl engine compile
  ./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
  rm -rf "$work/engine-classes" && cp -r engine/target/classes "$work/engine-classes"
  cp="$work/engine-classes:$(cat "$work/cp.txt")"
  "$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/IndexBench.java bench/QueryBench.java bench/ScaleBench.java
  sb() { "$JAVA" "${FLAGS[@]}" "$@"; }
  sb -Xmx4g -cp "$work/classes:$cp" ScaleBench gt "$n" FLOAT32 "$seg" "$DATA" 500
  sb -Xms1g -Xmx1g -cp "$work/classes:$cp" ScaleBench query "$n" FLOAT32 "$seg" "$DATA" 500
  sb -Xmx2g -cp "$work/classes:$cp" ScaleBench merge "$n" FLOAT32 "$seg" "$DATA" 500
  sb -Xms1g -Xmx1g -cp "$work/classes:$cp" ScaleBench query "$n" FLOAT32 "$seg" "$DATA" 500
  rm -rf "$work/segments"
fi

for i in $(seq 1 "${COLD_RUNS:-3}"); do
  rm -rf "$work/data/cache"
  start_server "cold$i"
  printf 'cold start %d, empty cache: ' "$i"
  "$JAVA" bench/QueryBench.java first "http://127.0.0.1:$port" "$DATA"
  stop_server
done
rm -rf "$work/data/cache"
t0=$(date +%s%3N)
"$JAVA" bench/QueryBench.java cold "http://127.0.0.1:$port" "$DATA" "$t0" &
client=$!
start_server cold
wait "$client"
stop_server
