#!/usr/bin/env bash
# Side by side with the real Chroma server (issue 12): the same clients and data against Chroma 1.x (npm chromadb
# 3.5.0, started by ../shared/tools/chroma-peer.sh or $CHROMA_PEER) and the packaged Vermilion (embedded default).
# Usage: bench/side-by-side.sh [--quick] [--profile]
#   --quick    smoke run: 10k records, 3 windows, 1 and 4 clients (a few minutes)
#   --profile  no comparison: Vermilion alone under JFR (plain HTTP client), one recording while the post-ingest
#              window runs and one while settled sequential queries run; prints the per-request breakdown
# The servers run one at a time: Chroma is measured and stopped, then Vermilion is started and measured, so neither
# competes with the other for the two cores. Writes bench/results/side-by-side-<date>[-quick].json, prints the
# markdown tables, and draws bench/side-by-side-timeline.png (-quick.png with --quick). Python (chromadb-client 1.5.9, numpy, matplotlib, pinned
# in bench/requirements-side-by-side.txt) runs from bench/.venv, made on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""; profile=""
for a in "$@"; do
  case "$a" in
    --quick) quick="--quick" ;;
    --profile) profile=1 ;;
    *) echo "usage: bench/side-by-side.sh [--quick] [--profile]" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
DATA=../shared/datasets/debian-packages-minilm-l6-v2
PEER="${CHROMA_PEER:-../shared/tools/chroma-peer.sh}"
[ -f service/target/quarkus-app/quarkus-run.jar ] || ./vermilion build
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q -r bench/requirements-side-by-side.txt
fi
PY=bench/.venv/bin/python
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 2; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 600); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done; echo "no answer from $1" >&2; exit 1; }
stop() { # Chroma's CLI may ignore SIGTERM: give it 15 s, then SIGKILL
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$1" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true
}

start_chroma() {
  port=$(free_port)
  "$PEER" "$port" "$work/chroma" > "$work/chroma.log" 2>&1 &
  server=$!; pids+=("$server")
  wait_http "http://127.0.0.1:$port/api/v2/heartbeat"
}

start_vermilion() { # extra JVM options as arguments
  port=$(free_port)
  "$JAVA" "${FLAGS[@]}" -Xmx4g "$@" -Dquarkus.http.port="$port" -Dvermilion.path="$work/vermilion" \
    -Dquarkus.log.level=WARN -jar service/target/quarkus-app/quarkus-run.jar > "$work/vermilion.log" 2>&1 &
  server=$!; pids+=("$server")
  wait_http "http://127.0.0.1:$port/api/v2/heartbeat"
}

if [ -n "$profile" ]; then
  mkdir -p "$work/jfr"
  start_vermilion
  cat > "$work/hook.sh" <<HOOK
#!/usr/bin/env bash
# start|stop PHASE: one JFR recording (profile settings) per phase of the Vermilion server
if [ "\$1" = start ]; then "$JAVA_HOME/bin/jcmd" $server JFR.start name=\$2 settings=profile filename=$work/jfr/\$2.jfr >/dev/null
else "$JAVA_HOME/bin/jcmd" $server JFR.stop name=\$2 >/dev/null; fi
HOOK
  chmod +x "$work/hook.sh"
  $PY bench/side_by_side.py run --system vermilion --url "http://127.0.0.1:$port" --pid "$server" --data "$DATA" \
    --out "$work/profile.json" --clients http --only-profile --phase-hook "$work/hook.sh" $quick
  stop "$server"
  for phase in postingest settled; do
    requests=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['clients'][0]['phases']['$phase'][2])" "$work/profile.json")
    echo "== $phase ($requests query requests)"
    "$JAVA" bench/JfrBreakdown.java "$work/jfr/$phase.jfr" "$requests"
  done
  [ -z "${KEEP:-}" ] || echo "recordings kept in $work/jfr"
  exit 0
fi

date_tag=$(date +%Y-%m-%d)${quick:+-quick}
load_start=$(uptime)
echo "load at start: $load_start"

start_chroma
echo "Chroma on port $port (pid $server)"
$PY bench/side_by_side.py run --system chroma --url "http://127.0.0.1:$port" --pid "$server" --data "$DATA" \
  --out "$work/chroma.json" $quick
stop "$server"

start_vermilion
echo "Vermilion on port $port (pid $server)"
$PY bench/side_by_side.py run --system vermilion --url "http://127.0.0.1:$port" --pid "$server" --data "$DATA" \
  --out "$work/vermilion.json" $quick
stop "$server"

load_end=$(uptime)
echo "load at end: $load_end"
mkdir -p bench/results
$PY bench/side_by_side.py report --results "$work/chroma.json" "$work/vermilion.json" \
  --json "bench/results/side-by-side-$date_tag.json" --md "$work/tables.md" --png "bench/side-by-side-timeline${quick:+-quick}.png" \
  --note "Load average (uptime) at start: \`${load_start##*load average: }\`, at end: \`${load_end##*load average: }\`."
cp "$work/tables.md" "bench/results/side-by-side-$date_tag.md"
cat "$work/tables.md"
