#!/usr/bin/env bash
# Installs the upstream validators and linters the tests run, at pinned versions, into .tools/
# (ignored by git). A tool already installed at its pinned version is reused.
#
#   kubectl-validate  Kubernetes' own schema validation, offline        (Go module proxy)
#   kube-score        workload linter                                     (Go module proxy)
#   psa-check         Pod Security Admission's library over our YAML     (built from tools/psa-check)
#   checkov           Kubernetes security linter (CKV_K8S_* checks)       (PyPI)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"

KUBECTL_VALIDATE_VERSION=v0.0.4
KUBE_SCORE_VERSION=v1.20.0
CHECKOV_VERSION=3.3.30

stamp() { echo "$1" > "$tools/$2.version"; }
have() { [ -x "$bin/$1" ] && [ "$(cat "$tools/$1.version" 2>/dev/null)" = "$2" ]; }

if ! command -v go >/dev/null; then echo "install-tools: Go is required (https://go.dev/dl/)" >&2; exit 1; fi

if ! have kubectl-validate "$KUBECTL_VALIDATE_VERSION"; then
  echo "installing kubectl-validate $KUBECTL_VALIDATE_VERSION"
  GOBIN="$bin" go install "sigs.k8s.io/kubectl-validate@$KUBECTL_VALIDATE_VERSION"
  stamp "$KUBECTL_VALIDATE_VERSION" kubectl-validate
fi

if ! have kube-score "$KUBE_SCORE_VERSION"; then
  echo "installing kube-score $KUBE_SCORE_VERSION"
  GOBIN="$bin" go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  stamp "$KUBE_SCORE_VERSION" kube-score
fi

psa_hash="$(cat "$root/tools/psa-check/go.mod" "$root/tools/psa-check/go.sum" "$root/tools/psa-check/main.go" | sha256sum | cut -c1-16)"
if ! have psa-check "$psa_hash"; then
  echo "building psa-check"
  (cd "$root/tools/psa-check" && go build -o "$bin/psa-check" .)
  stamp "$psa_hash" psa-check
fi

if ! have checkov "$CHECKOV_VERSION"; then
  echo "installing checkov $CHECKOV_VERSION"
  rm -rf "$tools/checkov"
  python3 -m venv "$tools/checkov"
  "$tools/checkov/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  ln -sf "$tools/checkov/bin/checkov" "$bin/checkov"
  stamp "$CHECKOV_VERSION" checkov
fi
