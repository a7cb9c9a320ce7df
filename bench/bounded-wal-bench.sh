#!/usr/bin/env bash
# read_level index_and_bounded_wal against index_and_wal, in process (BoundedWalBench): a count per view over an
# un-compacted log, the bounded view reading its K operations from the log each time.
# Usage: bench/bounded-wal-bench.sh [N] [F] [K]  (defaults 20000 records, fragments of 1000, K 250).
# Compiles engine and service (never installs); numbers depend on the machine's load.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl service -am compile
./mvnw -q -B -ntp -pl service dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="engine/target/classes:service/target/classes:$(cat "$work/cp.txt")"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" bench/BoundedWalBench.java
"$JAVA" "${FLAGS[@]}" -Xms1g -Xmx1g -cp "$work/classes:$cp" BoundedWalBench "$@"
