#!/usr/bin/env bash
# In-process Search API benchmark on the real 30k × 384 set: latency and MRR@10 of query, knn search, RRF and group_by.
# Usage: bench/search-bench.sh [DATASET_DIR [MAX_QUERIES]]
#   DATASET_DIR defaults to ../shared/datasets/debian-packages-minilm-l6-v2 (relative to the repository root).
# Compiles the engine (never installs), then runs bench/SearchBench.java against its classes and dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="engine/target/classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/SearchBench.java
"$JAVA" "${FLAGS[@]}" -Xms2g -Xmx2g -cp "$work/classes:$cp" SearchBench "$@"
