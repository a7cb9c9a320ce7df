#!/usr/bin/env bash
# One copy of each record: bytes and read latency of Lucene stored fields vs the Arrow record blocks, in process
# (see bench/RecordCopiesBench.java). Usage: bench/record-copies-bench.sh [N]  (default 100000); WORK=<folder> keeps
# the built copies.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
n="${1:-100000}"
work="${WORK:-$(mktemp -d)}"
[[ -n "${WORK:-}" ]] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
rm -rf "$work/engine-classes" && cp -r engine/target/classes "$work/engine-classes"
cp="$work/engine-classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/IndexBench.java bench/QueryBench.java \
  bench/ScaleBench.java bench/RecordCopiesBench.java
"$JAVA" "${FLAGS[@]}" -Xmx4g -cp "$work/classes:$cp" RecordCopiesBench "$n" "$work/copies-$n" "$DATA"
