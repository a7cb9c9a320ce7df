#!/usr/bin/env bash
# In-process sparse, dense and hybrid (RRF) search benchmark through the Search executor (SparseBench hybrid-*):
# builds N synthetic records, each with a 384-dim dense vector derived from the real set (as ScaleBench) and a sparse
# vector of 100 zipfian nonzeros (as SparseBench), as one compacted version; then p50/p99 (wall and thread CPU) of
# sparse $knn, dense $knn and RRF of the two, page limit 10. Then the sparse top-10 alone (SparseBench query: exactness
# against brute force, uniform and IDF weights, 10-term queries) over the same index.
# Usage: bench/sparse-hybrid-bench.sh [N ...]   (default 30000 1000000); WORK=<folder> keeps the indexes there;
# BUILD_ONLY=1 only builds; SKIP_SPARSE_ONLY=1 skips the sparse-alone runs; EF_CONSTRUCTION (default 100) for the
# HNSW build (smaller builds faster on a busy machine; latency, not recall, is what this measures).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
QUERIES=${QUERIES:-1000}
work="${WORK:-$(mktemp -d)}"
[[ -n "${WORK:-}" ]] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
rm -rf "$work/engine-classes" && cp -r engine/target/classes "$work/engine-classes"
cp="$work/engine-classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/QueryBench.java bench/SparseBench.java
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(30000 1000000)
for n in "${sizes[@]}"; do
  dir="$work/hybrid-$n"
  if [[ ! -f "$dir/.built" ]]; then
    rm -rf "$dir"
    "$JAVA" "${FLAGS[@]}" -Xmx4g -cp "$work/classes:$cp" SparseBench hybrid-build "$n" "$dir" "$DATA" "${EF_CONSTRUCTION:-100}"
    touch "$dir/.built"
  fi
  [[ -n "${BUILD_ONLY:-}" ]] && continue
  "$JAVA" "${FLAGS[@]}" -Xms1g -Xmx2g -cp "$work/classes:$cp" SparseBench hybrid-query "$n" "$dir" "$DATA" "$QUERIES"
  [[ -n "${SKIP_SPARSE_ONLY:-}" ]] && continue
  for weights in uniform idf; do
    "$JAVA" "${FLAGS[@]}" -Xms1g -Xmx2g -cp "$work/classes:$cp" SparseBench query "$n" "$dir" "$QUERIES" 10 "$weights"
  done
done
