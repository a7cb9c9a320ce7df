#!/usr/bin/env bash
# Cold first query of a 100k × 384 float32 version (ScaleBench's synthetic set) on S3Proxy over HTTP with an empty
# local cache: whole download first vs lazy open answering from the cold-search sketch vs lazy open walking the graph
# over pages; p50 of open + first answer, second query, recall@10 of the cold answers; after the background download,
# queries on the paged reader vs the version reopened from its local, memory-mapped copy vs the full download's.
# Usage: bench/lazy-open-bench.sh [N] [RUNS] [unwarmed] (RUNS 0: build the index in WORK only); PAGE_KIB sets the lazy page size (default 16, as the service),
# COLD_CANDIDATES the sketch candidates (default 200), HEAP the JVM heap (default 4g; 1M needs more); WORK=<folder>
# keeps the built index (and its ground truth); EF_CONSTRUCTION builds the index with another ef_construction
# (lower: faster; the sketch path does not read the graph).
# Starts S3Proxy (filesystem backend) as the other benchmarks do.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
n="${1:-100000}"; runs="${2:-5}"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
[[ -n "${WORK:-}" ]] || trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
rm -rf "$work/engine-classes" && cp -r engine/target/classes "$work/engine-classes" # later builds may not change it mid-run
cp="$work/engine-classes:$(cat "$work/cp.txt")"
port=$((20000 + RANDOM % 20000))
rm -rf "$work/s3" && start_s3proxy "$work" "$port"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/IndexBench.java bench/QueryBench.java \
  bench/ScaleBench.java bench/LazyOpenBench.java
"$JAVA" "${FLAGS[@]}" -Xmx"${HEAP:-4g}" ${EF_CONSTRUCTION:+-Dscale.ef.construction=$EF_CONSTRUCTION} -Dlazy.page.kib="${PAGE_KIB:-16}" -Dlazy.cold.candidates="${COLD_CANDIDATES:-200}" \
  -cp "$work/classes:$cp" LazyOpenBench "$n" "$work" "$DATA" "$runs" \
  "http://127.0.0.1:$port" ${3:-}
