#!/usr/bin/env bash
# Renders every overlay (kubectl kustomize, or kustomize) and validates it offline with kubeconform, strictly (unknown
# fields are errors): Kubernetes kinds against the JSON schemas PyPI's kubernetes-validate ships, KEDA's and the
# Prometheus Operator's kinds against schemas/ (written here). Then checks what each overlay must contain, and that
# the validation rejects broken manifests. Installs its pinned tools on first use (go install, pip download).
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBECONFORM_VERSION=v0.7.0
KUSTOMIZE_VERSION=v5.5.0
SCHEMAS_PACKAGE=kubernetes-validate==1.37.0
K8S_VERSION=1.34.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/vermilion"
mkdir -p "$cache"

gobin() { [ -n "$(command -v go)" ] && echo "$(go env GOPATH)/bin"; }
PATH="$PATH:$(gobin || true)"

# Where a tool cannot be had (no Go, no pip), the test is skipped with a message, except in CI (CI set), where it fails.
skip() {
  echo "kubernetes/test.sh: $1: the manifest test is skipped" >&2
  [ -z "${CI:-}" ] || { echo "kubernetes/test.sh: CI must run it" >&2; exit 1; }
  exit 0
}
if command -v kubectl >/dev/null; then
  render() { kubectl kustomize "$1"; }
else
  if ! command -v kustomize >/dev/null; then
    command -v go >/dev/null || skip "neither kubectl nor kustomize is installed, and no Go to install kustomize"
    echo "kubernetes/test.sh: installing kustomize $KUSTOMIZE_VERSION (go install)" >&2
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  fi
  render() { kustomize build "$1"; }
fi
if ! command -v kubeconform >/dev/null; then
  command -v go >/dev/null || skip "kubeconform is not installed, and no Go to install it"
  echo "kubernetes/test.sh: installing kubeconform $KUBECONFORM_VERSION (go install)" >&2
  go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
fi

# The wheel's "local" schemas refer to https://kubernetes.io/api/_definitions.json; the offline copy refers to the
# file beside it instead.
schemas="$cache/k8s-schemas/v$K8S_VERSION-standalone-strict"
if [ ! -f "$schemas/deployment-apps-v1.json" ]; then
  python3 -m pip --version >/dev/null 2>&1 || skip "no Kubernetes schemas and no pip to fetch them"
  echo "kubernetes/test.sh: fetching Kubernetes $K8S_VERSION schemas ($SCHEMAS_PACKAGE from PyPI)" >&2
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps "$SCHEMAS_PACKAGE" -d "$tmp"
  (cd "$tmp" && python3 -m zipfile -e ./*.whl unpacked)
  mkdir -p "$schemas.partial"
  for f in "$tmp/unpacked/kubernetes_validate/kubernetes-json-schema/v$K8S_VERSION-local-strict/"*.json; do
    sed -e 's#"/api/_definitions.json#"_definitions.json#g' \
        -e 's#"\$id": "https://kubernetes.io/[^"]*"#"$comment": "offline copy"#' "$f" > "$schemas.partial/$(basename "$f")"
  done
  rm -rf "$tmp" "$schemas"
  mv "$schemas.partial" "$schemas"
fi

validate() { # FILE
  kubeconform -strict -summary -kubernetes-version "$K8S_VERSION" \
    -schema-location "$cache/k8s-schemas/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json" \
    -schema-location "$here/schemas/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" "$1"
}

passed=0
failed=0
check() { # NAME COMMAND...
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
has() { grep -qzP -- "$2" "$1"; } # FILE PERL-REGEX over the whole file
render_to() { render "$here/overlays/$1" > "$out/$1.yaml"; } # OVERLAY
rejects() { ! cmp -s "$out/prod.yaml" "$1" && ! validate "$1" >/dev/null 2>&1; } # a changed copy of prod fails

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for overlay in dev prod serverless; do
  check "$overlay renders" render_to "$overlay"
  check "$overlay validates against the Kubernetes $K8S_VERSION and KEDA schemas" validate "$out/$overlay.yaml"
done

# What each overlay is for.
check "dev: one api replica doing both roles" has "$out/dev.yaml" 'replicas: 1\n(.*\n)*?\s+value: api,compactor'
check "dev: no separate compactor" bash -c "! grep -q 'name: vermilion-compactor' '$out/dev.yaml'"
check "dev: in-cluster PostgreSQL 15" has "$out/dev.yaml" 'image: postgres:15\n'
check "dev: in-cluster MinIO and its bucket" has "$out/dev.yaml" 'image: minio/minio(.|\n)*mc mb --ignore-existing'
check "prod: compactor scaled to zero by the postgresql scaler" \
  has "$out/prod.yaml" 'kind: ScaledObject\nmetadata:\n  labels:\n.*\n  name: vermilion-compactor\n(.*\n)*?  minReplicaCount: 0\n(.*\n)*?  - type: postgresql|  minReplicaCount: 0\n(.*\n)*?    type: postgresql'
check "prod: api scaled on request rate and latency" has "$out/prod.yaml" 'rate\(http_server_requests_seconds_count(.|\n)*histogram_quantile'
check "prod: PodDisruptionBudget, ServiceMonitor on /q/metrics" has "$out/prod.yaml" 'kind: PodDisruptionBudget(.|\n)*path: /q/metrics'
check "prod: probes on /q/health, read-only root, cache emptyDir" \
  has "$out/prod.yaml" 'path: /q/health/ready(.|\n)*readOnlyRootFilesystem: true(.|\n)*mountPath: /var/lib/vermilion(.|\n)*emptyDir'
check "prod: api and compactor pods select their work by role alone" \
  has "$out/prod.yaml" 'name: VERMILION_ROLES\n\s+value: api\n(.|\n)*name: VERMILION_ROLES\n\s+value: compactor\n|name: VERMILION_ROLES\n\s+value: compactor\n(.|\n)*name: VERMILION_ROLES\n\s+value: api\n'
for overlay in dev prod serverless; do
  check "$overlay: no VERMILION_COMPACTION_ENABLED stopgap" bash -c "! grep -q VERMILION_COMPACTION_ENABLED '$out/$overlay.yaml'"
done
check "serverless: api scaled from zero by the HTTP add-on" has "$out/serverless.yaml" 'kind: HTTPScaledObject(.|\n)*min: 0'
# The backlog query names the catalog's real tables and columns (service/src/main/resources/db/migration).
check "compactor backlog query matches the catalog schema" has "$out/prod.yaml" \
  'SELECT\s+COUNT\(\*\)\s+FROM\s+collections\s+c\s+LEFT\s+JOIN\s+collection_versions\s+v\s+ON\s+v.collection_id\s+=\s+c.id\s+WHERE\s+c.log_position\s+>\s+COALESCE\(v.log_end_offset,\s+0\)'

# The validation can fail: an unknown container field, a number in KEDA's string-only trigger metadata, a postgresql
# trigger without its query.
sed 's/^\(\s*\)readOnlyRootFilesystem: true/\1readOnlyRootFilesystem: true\n\1readOnlyRootFileSystem: true/' "$out/prod.yaml" > "$out/bad1.yaml"
check "an unknown Deployment field is rejected" rejects "$out/bad1.yaml"
sed 's/targetQueryValue: "4"/targetQueryValue: 4/' "$out/prod.yaml" > "$out/bad2.yaml"
check "a non-string KEDA trigger value is rejected" rejects "$out/bad2.yaml"
sed '/query: SELECT COUNT/,/COALESCE(v.log_end_offset, 0)/d' "$out/prod.yaml" > "$out/bad3.yaml"
check "a postgresql trigger without a query is rejected" rejects "$out/bad3.yaml"

echo "kubernetes: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
