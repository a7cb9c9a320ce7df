#!/usr/bin/env bash
# End-to-end p50 of a text query (query_texts) over HTTP on the packaged server (local storage).
# Usage: bench/text-query-http.sh [DOCS [QUERIES]]   (defaults 30000, 300); see bench/text_query_http.py.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
[ -f service/target/quarkus-app/quarkus-run.jar ] || ./vermilion build
work="$(mktemp -d)"
port=8431
"$JAVA" "${FLAGS[@]}" -Xmx2g -Dquarkus.http.port=$port -Dvermilion.path="$work/data" -Djava.io.tmpdir="$work" \
  -jar service/target/quarkus-app/quarkus-run.jar > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null && break; sleep 0.5; done
python3 bench/text_query_http.py "http://127.0.0.1:$port" "$DATA" "${1:-30000}" "${2:-300}"
