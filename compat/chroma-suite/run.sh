#!/usr/bin/env bash
# Runs a selection of Chroma's own Python test suite (chromadb/test/ in the PyPI chromadb package, pinned in
# requirements.txt) against a live server through the suite's integration fixtures.
#   compat/chroma-suite/run.sh [URL] [extra pytest args...]     URL defaults to $VERMILION_URL, else localhost:8000
# The server must allow reset (Vermilion: VERMILION_ALLOW_RESET=true, auth off). Known differences are deselected
# from the list in README.md ("- `node id` — reason" lines). Installs into compat/chroma-suite/.venv on first run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="${1:-${VERMILION_URL:-http://localhost:8000}}"
[ $# -gt 0 ] && shift
hostport="${url#*://}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=8000

cd "$here"
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! .venv/bin/python -c 'import chromadb, pytest, hypothesis, pytest_asyncio' 2>/dev/null \
    || [ "$(.venv/bin/python -c 'import chromadb; print(chromadb.__version__)')" != "1.5.9" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
fi
site="$(.venv/bin/python -c 'import chromadb, os; print(os.path.dirname(os.path.dirname(chromadb.__file__)))')"

# The selection: files whose tests run against the server (integration fixture), sync client only to fit CI time.
files=(
  chromadb/test/test_api.py
  chromadb/test/api/test_collection.py
  chromadb/test/api/test_count_api.py
  chromadb/test/api/test_delete_database.py
  chromadb/test/api/test_get_database.py
  chromadb/test/api/test_invalid_update.py
  chromadb/test/api/test_limit_offset.py
  chromadb/test/api/test_list_databases.py
  chromadb/test/api/test_numpy_list_inputs.py
  chromadb/test/client/test_database_tenant.py
  chromadb/test/configurations/test_collection_configuration.py
  chromadb/test/property/test_add.py
  chromadb/test/property/test_collections.py
  chromadb/test/property/test_collections_with_database_tenant.py
  chromadb/test/property/test_embeddings.py
  chromadb/test/property/test_filtering.py
)
deselect=()
while IFS= read -r id; do deselect+=(--deselect "$id"); done \
  < <(sed -n 's/^- `\(chromadb\/test\/[^`]*\)`.*/\1/p' README.md)

cd "$site"
export CHROMA_INTEGRATION_TEST_ONLY=1 CHROMA_SERVER_HOST="$host" CHROMA_SERVER_HTTP_PORT="$port"
export ANONYMIZED_TELEMETRY=False PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export CHROMA_SUITE_MAX_EXAMPLES="${CHROMA_SUITE_MAX_EXAMPLES:-10}"
exec "$here/.venv/bin/python" -m pytest -p vermilion_plugin -p no:cacheprovider --rootdir "$site" -q \
  -W ignore::DeprecationWarning -k "integration and not async_integration" "${deselect[@]}" "$@" "${files[@]}"
