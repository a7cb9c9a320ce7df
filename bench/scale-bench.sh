#!/usr/bin/env bash
# In-process index benchmark at 100k and 1M × 384 (synthetic set derived from the real 30k MiniLM vectors):
# build throughput and size, recall@10 and p50/p99 per ef_search, filtered recall/latency, memory while serving.
# Usage: bench/scale-bench.sh [N ...]   (default: 100000 1000000); WORK=<folder> keeps the indexes there;
# QUANTS="INT8" builds and queries only those quantizations (default: "FLOAT32 INT8").
# Builds each index in its own JVM (-Xmx6g), then queries it in a fresh JVM with a 1 GiB heap.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
QUERIES=${QUERIES:-500}
work="${WORK:-$(mktemp -d)}"
[[ -n "${WORK:-}" ]] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
rm -rf "$work/engine-classes" && cp -r engine/target/classes "$work/engine-classes" # later builds may not change it mid-run
cp="$work/engine-classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/IndexBench.java bench/QueryBench.java bench/ScaleBench.java
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100000 1000000)
for n in "${sizes[@]}"; do
  for quant in ${QUANTS:-FLOAT32 INT8}; do
    dir="$work/${quant,,}-$n"
    if [[ ! -f "$dir/.built" ]]; then
      rm -rf "$dir"
      "$JAVA" "${FLAGS[@]}" -Xmx6g -cp "$work/classes:$cp" ScaleBench build "$n" "$quant" "$dir" "$DATA" "$QUERIES"
      touch "$dir/.built"
    fi
    "$JAVA" "${FLAGS[@]}" -Xms1g -Xmx1g -cp "$work/classes:$cp" ScaleBench query "$n" "$quant" "$dir" "$DATA" "$QUERIES"
  done
done
