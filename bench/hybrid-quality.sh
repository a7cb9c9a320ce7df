#!/usr/bin/env bash
# In-process hybrid retrieval benchmark on the real 30k set: MRR@10, recall@10, p50/p99 of dense, BM25 and RRF.
# Usage: bench/hybrid-quality.sh [DATASET_DIR [SYNTHETIC_N]]
#   DATASET_DIR defaults to ../shared/datasets/debian-packages-minilm-l6-v2 (relative to the repository root);
#   SYNTHETIC_N (e.g. 1000000) also times BM25 over that many synthetic records (no vectors).
# Compiles the engine (never installs), then runs bench/HybridQualityBench.java against its classes and dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="engine/target/classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/HybridQualityBench.java
"$JAVA" "${FLAGS[@]}" -Xms${HEAP:-3g} -Xmx${HEAP:-3g} -Djava.io.tmpdir="$work" -cp "$work/classes:$cp" HybridQualityBench "$@"
