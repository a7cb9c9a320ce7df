#!/usr/bin/env bash
# The cold-search sketch at N × 384 without building an index (bench/ColdSketchBench.java): recall@10 of the cold
# path's answer (the sketch's K candidates scored exactly) and the time to pick them, per K; the time to fetch a
# sketch-sized object from S3Proxy in parallel ranged reads. Usage: bench/cold-sketch-bench.sh [N] [Q] [K...]
# (defaults 1000000, 50, 100 200 400). Starts S3Proxy (filesystem backend) as the other benchmarks do.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
n="${1:-1000000}"; q="${2:-50}"; shift $(( $# > 2 ? 2 : $# )) || true
ks=("${@:-100 200 400}")
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="engine/target/classes:$(cat "$work/cp.txt")"
port=$((20000 + RANDOM % 20000))
start_s3proxy "$work" "$port"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/IndexBench.java bench/QueryBench.java \
  bench/ScaleBench.java bench/ColdSketchBench.java
# shellcheck disable=SC2068
"$JAVA" "${FLAGS[@]}" -Xmx6g -cp "$work/classes:$cp" ColdSketchBench "$n" "$DATA" "$q" "http://127.0.0.1:$port" ${ks[@]}
