#!/usr/bin/env bash
# Heap and time of compacting a small tail over a large collection (CompactionBench), on a local object store.
# Usage: bench/compaction-bench.sh [N] [D] [TAIL] [HEAP]; defaults 200000 64 1000 4g. WORK=<folder> keeps the files.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n="${1:-200000}"; d="${2:-64}"; t="${3:-1000}"; heap="${4:-4g}"
work="${WORK:-$(mktemp -d)}"
[[ -n "${WORK:-}" ]] || trap 'rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl engine compile
./mvnw -q -B -ntp -pl engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="engine/target/classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/CompactionBench.java
"$JAVA" "${FLAGS[@]}" -Xmx"$heap" -cp "$work/classes:$cp" CompactionBench "$n" "$d" "$t" "$work/run"
