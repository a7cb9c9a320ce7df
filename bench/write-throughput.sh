#!/usr/bin/env bash
# Write throughput and acknowledgement latency over HTTP (384-d; batches of 100 and 1,000; 1 and 8 clients),
# on the local-folder object store and on an S3-compatible server (S3Proxy, filesystem backend) on loopback.
# Usage: bench/write-throughput.sh [seconds-per-case]   (prints one line per case)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
source bench/lib.sh
[ -f service/target/quarkus-app/quarkus-run.jar ] || ./vermilion build
[ -f service/target/s3proxy/s3proxy.jar ] || ./mvnw -B -ntp -q -pl service generate-test-resources
work="$(mktemp -d)"
port=8411
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 2; rm -rf "$work"; }
trap cleanup EXIT

wait_http() { for _ in $(seq 1 120); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done; echo "no answer from $1" >&2; exit 1; }

start_server() { # $1 = label, rest = extra -D options
  local label="$1"; shift
  "$JAVA" "${FLAGS[@]}" -Xmx4g -Dquarkus.http.port=$port -Dvermilion.path="$work/$label" "$@" \
    -Dquarkus.log.level=WARN -jar service/target/quarkus-app/quarkus-run.jar > "$work/$label.log" 2>&1 &
  server=$!
  pids+=("$server")
  wait_http "http://127.0.0.1:$port/api/v2/heartbeat"
}

stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }

run_matrix() {
  for batch in 100 1000; do
    for clients in 1 8; do
      printf '%-6s ' "$1"
      "$JAVA" bench/WriteBench.java "http://127.0.0.1:$port" 384 "$batch" "$clients" "$seconds"
    done
  done
}

start_server local
run_matrix local
stop_server

s3port=8412
start_s3proxy "$work" "$s3port"
start_server s3 -Dvermilion.storage.type=s3 -Dvermilion.storage.bucket=bench \
  -Dvermilion.storage.endpoint="http://127.0.0.1:$s3port" -Dvermilion.storage.access-key=bench \
  -Dvermilion.storage.secret-key=bench
run_matrix s3
stop_server
