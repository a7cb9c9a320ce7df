#!/usr/bin/env bash
# In-process index benchmark on the real 30k × 384 all-MiniLM-L6-v2 set (float32 and int8 HNSW, cosine):
# build throughput and size, recall@10 and latency per ef_search, filtered recall/latency, heap after GC.
# Usage: bench/index-bench.sh [DATASET_DIR [MAX_QUERIES]]
#   DATASET_DIR defaults to ../shared/datasets/debian-packages-minilm-l6-v2 (relative to the repository root).
# Compiles the engine (never installs), then runs bench/IndexBench.java against its classes and dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="engine/target/classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/IndexBench.java
"$JAVA" "${FLAGS[@]}" -Xms2g -Xmx2g -cp "$work/classes:$cp" IndexBench "$@"
