#!/usr/bin/env bash
# Hybrid retrieval over HTTP on the packaged server (local storage): p50/p99, MRR@10, recall@10 of dense, BM25, RRF.
# Usage: bench/hybrid-quality-http.sh [QUERIES]   (default all 1,000); see bench/hybrid_quality_http.py.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
[ -f service/target/quarkus-app/quarkus-run.jar ] || ./vermilion build
work="$(mktemp -d)"
port=8433
# Compact the last records after 5 s instead of 5 min, so the measured searches read a compacted version.
"$JAVA" "${FLAGS[@]}" -Xmx3g -Dquarkus.http.port=$port -Dvermilion.path="$work/data" -Djava.io.tmpdir="$work" \
  -Dvermilion.compaction.age=5s -jar service/target/quarkus-app/quarkus-run.jar > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null && break; sleep 0.5; done
python3 bench/hybrid_quality_http.py "http://127.0.0.1:$port" "$DATA" "$@"
