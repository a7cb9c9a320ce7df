#!/usr/bin/env bash
# Server-side embedding benchmark (in process): documents embedded per second, one query text's embedding latency,
# and MRR@10 / recall@10 of the dataset's text queries embedded by the server, searched exactly against base.fvecs.
# Usage: bench/embedding-bench.sh [DATASET_DIR [DOCS [THREADS]]]
#   DATASET_DIR defaults to ../shared/datasets/debian-packages-minilm-l6-v2 (relative to the repository root).
# Compiles the service (never installs), then runs bench/EmbeddingBench.java against its classes and dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl service -am compile
./mvnw -q -B -ntp -pl service dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="service/target/classes:engine/target/classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/EmbeddingBench.java
"$JAVA" "${FLAGS[@]}" -Xmx2g -Djava.io.tmpdir="$work" -cp "$work/classes:$cp" EmbeddingBench "$@"
