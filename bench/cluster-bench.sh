#!/usr/bin/env bash
# Throughput through `./vermilion cluster`'s front with 1, 2 and 3 api replicas, and each replica's start-to-ready time.
# Usage: bench/cluster-bench.sh [CLIENTS] [SECONDS]   (default 8 clients, 20 s). On a 2-core machine this is per-core
# efficiency (more JVMs share the same cores), not scale-out.
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${1:-8}"
seconds="${2:-20}"
port=8431
# REPLICAS="3" VERMILION_ROUTING_AFFINITY=false bench/cluster-bench.sh: the same without affinity routing.
for n in ${REPLICAS:-1 2 3}; do
  work="$(mktemp -d)"
  ./vermilion cluster --replicas "$n" --port "$port" --path "$work" > "$work/stdout" 2> "$work/stderr" &
  launcher=$!
  for _ in $(seq 1 600); do grep -q "ready; Ctrl-C" "$work/stderr" 2>/dev/null && break; sleep 0.5; done
  grep "ready .* ms after" "$work/stderr" | sed "s/^/[$n replicas] /"
  echo "[$n replicas] $("${JAVA_HOME:-/usr}/bin/java" bench/ClusterBench.java "http://127.0.0.1:$port" "$clients" "$seconds")"
  kill -TERM "$launcher"; wait "$launcher" || true
  rm -rf "$work"
done
