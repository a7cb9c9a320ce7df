#!/usr/bin/env bash
# In-process sparse $knn benchmark (SparseBench): builds N synthetic documents (100 zipfian nonzeros out of 30k) as
# a compacted version, checks exactness against brute force, reports top-10 p50/p99 for 10- and 30-term queries with
# uniform query weights (frequent dimensions weigh as much as rare ones: the hard case) and IDF-like weights.
# Usage: bench/sparse-bench.sh [N]   (default 1000000); WORK=<folder> keeps the index there.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
N=${1:-1000000}
QUERIES=${QUERIES:-1000}
work="${WORK:-$(mktemp -d)}"
[[ -n "${WORK:-}" ]] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
rm -rf "$work/engine-classes" && cp -r engine/target/classes "$work/engine-classes"
cp="$work/engine-classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/SparseBench.java
dir="$work/sparse-$N"
if [[ ! -f "$dir/.built" ]]; then
  rm -rf "$dir"
  "$JAVA" "${FLAGS[@]}" -Xmx4g -cp "$work/classes:$cp" SparseBench build "$N" "$dir"
  touch "$dir/.built"
fi
for weights in uniform idf; do
  for terms in 10 30; do
    "$JAVA" "${FLAGS[@]}" -Xms1g -Xmx2g -cp "$work/classes:$cp" SparseBench query "$N" "$dir" "$QUERIES" "$terms" "$weights"
  done
done
