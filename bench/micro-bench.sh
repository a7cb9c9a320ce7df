#!/usr/bin/env bash
# In-process micro benchmarks of issue 12's per-request costs (no JMH; warm-up rounds are printed as rounds):
#   TailScanBench — a 30k × 384 un-compacted log tail: simple scan vs the tail's own search, per query;
#   DecodeBench   — request-body decode: Jackson tree vs streamed embeddings, for 100 × 384 adds and a 1 × 384 query.
# Usage: bench/micro-bench.sh [DATASET_DIR]  (default ../shared/datasets/debian-packages-minilm-l6-v2).
# Compiles engine and service (never installs); numbers depend on the machine's load.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
data="${1:-../shared/datasets/debian-packages-minilm-l6-v2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl service -am compile
./mvnw -q -B -ntp -pl service dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="engine/target/classes:service/target/classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/TailScanBench.java bench/DecodeBench.java
"$JAVA" "${FLAGS[@]}" -Xms2g -Xmx2g -cp "$work/classes:$cp" TailScanBench "$data"
"$JAVA" "${FLAGS[@]}" -Xms1g -Xmx1g -cp "$work/classes:$cp" io.vermilion.api.DecodeBench "$data"
