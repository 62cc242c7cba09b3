#!/usr/bin/env bash
# Installs the upstream validators and linters the tests run, at pinned versions, into .tools/
# (ignored by git). A tool already installed at its pinned version is reused.
#
#   kubectl-validate  Kubernetes' own schema validation, offline        (Go module proxy)
#   kube-score        workload linter                                     (Go module proxy)
#   psa-check         Pod Security Admission's library over our YAML     (built from tools/psa-check)
#   checkov           Kubernetes security linter (CKV_K8S_* checks)       (PyPI)
#   python            cdk8s and the jsii runtime for the Python reference app, examples/python (PyPI)
#   control plane     etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok for
#                     the end-to-end test (Go module proxy; built from tools/cluster/*, the pinned wrapper
#                     modules), plus kwok's own Stage definitions copied from its module
#   kube-apiserver 1.30 and 1.27  older API servers, for acceptance runs
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

# promtool (Prometheus' rule checker and rule unit-test runner) from Debian's prometheus package.
if ! command -v promtool >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing promtool (Debian package prometheus)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "install-tools: promtool is required: apt-get install prometheus" >&2; exit 1
  fi
fi

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

crds_hash="$(cat "$root"/tools/crds/{go.mod,go.sum,tools.go} "$root"/tools/crds-keda/{go.mod,go.sum,tools.go} "$root"/tools/crds-eso/{go.mod,go.sum,tools.go} \
  "$root"/tools/crds-gie/{go.mod,go.sum,tools.go} "$root"/tools/crds-gie-objective/{go.mod,go.sum,tools.go} "$root"/tools/crds-aigw/{go.mod,go.sum,tools.go} \
  "$root"/tools/crds-lws/{go.mod,go.sum,tools.go} "$0" | sha256sum | cut -c1-16)"
if [ "$(cat "$tools/crds.version" 2>/dev/null)" != "$crds_hash" ]; then
  echo "generating CRDs"
  rm -rf "$tools/crds" "$tools/crds-all"
  mkdir -p "$tools/crds" "$tools/crds-all"
  gen() { (cd "$root/tools/crds" && go run sigs.k8s.io/controller-tools/cmd/controller-gen "$1" "paths=$2" output:crd:dir="$tools/crds-all"); }
  gen crd:crdVersions=v1 github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1
  # Envoy Gateway's API has float fields; its own build allows them the same way.
  gen crd:crdVersions=v1,allowDangerousTypes=true github.com/envoyproxy/gateway/api/v1alpha1
  gen crd:crdVersions=v1 github.com/traefik/traefik/v3/pkg/provider/kubernetes/crd/traefikio/v1alpha1
  gen crd:crdVersions=v1,allowDangerousTypes=true github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1
  (cd "$root/tools/crds-keda" && go run sigs.k8s.io/controller-tools/cmd/controller-gen crd:crdVersions=v1 \
    paths=github.com/kedacore/keda/v2/apis/keda/v1alpha1 output:crd:dir="$tools/crds-all")
  (cd "$root/tools/crds-eso" && go run sigs.k8s.io/controller-tools/cmd/controller-gen crd:crdVersions=v1 \
    paths=github.com/external-secrets/external-secrets/apis/externalsecrets/v1 output:crd:dir="$tools/crds-all")
  (cd "$root/tools/crds-gie" && go run sigs.k8s.io/controller-tools/cmd/controller-gen crd:crdVersions=v1 \
    paths=sigs.k8s.io/gateway-api-inference-extension/api/v1 output:crd:dir="$tools/crds-all")
  # InferenceObjective and InferenceModelRewrite (inference.networking.x-k8s.io/v1alpha2) from the extension's last release that has them.
  (cd "$root/tools/crds-gie-objective" && go run sigs.k8s.io/controller-tools/cmd/controller-gen crd:crdVersions=v1 \
    paths=sigs.k8s.io/gateway-api-inference-extension/apix/v1alpha2 output:crd:dir="$tools/crds-all")
  # Envoy AI Gateway's AIGatewayRoute (aigateway.envoyproxy.io/v1beta1): routes by the model a request names.
  (cd "$root/tools/crds-aigw" && go run sigs.k8s.io/controller-tools/cmd/controller-gen crd:crdVersions=v1 \
    paths=github.com/envoyproxy/ai-gateway/api/v1beta1 output:crd:dir="$tools/crds-all")
  # LeaderWorkerSet's own build types the pod templates' metadata (labels, annotations) the same way.
  (cd "$root/tools/crds-lws" && go run sigs.k8s.io/controller-tools/cmd/controller-gen crd:crdVersions=v1,generateEmbeddedObjectMeta=true \
    paths=sigs.k8s.io/lws/api/leaderworkerset/v1 output:crd:dir="$tools/crds-all")
  # Gateway API's own generator (standard and experimental channels) loads its packages from the
  # module it runs in and writes config/crd/<channel>/ under it (ignored by git); moved out below.
  (cd "$root/tools/crds" && rm -rf config && mkdir -p config/crd/standard config/crd/experimental \
    && go run sigs.k8s.io/gateway-api/pkg/generator 2>/dev/null && mv config "$tools/crds-all/")
  # Only the kinds the library emits: fewer, smaller schemas for every validation run.
  for f in monitoring.coreos.com_servicemonitors monitoring.coreos.com_podmonitors monitoring.coreos.com_prometheusrules \
           gateway.envoyproxy.io_securitypolicies gateway.envoyproxy.io_backendtrafficpolicies \
           gateway.envoyproxy.io_envoyextensionpolicies gateway.envoyproxy.io_clienttrafficpolicies traefik.io_middlewares \
           argoproj.io_rollouts argoproj.io_analysistemplates keda.sh_scaledobjects external-secrets.io_externalsecrets \
           inference.networking.k8s.io_inferencepools inference.networking.x-k8s.io_inferenceobjectives inference.networking.x-k8s.io_inferencemodelrewrites \
           aigateway.envoyproxy.io_aigatewayroutes \
           leaderworkerset.x-k8s.io_leaderworkersets; do
    mv "$tools/crds-all/$f.yaml" "$tools/crds/"
  done
  for f in gateways gatewayclasses httproutes grpcroutes referencegrants; do
    mv "$tools/crds-all/config/crd/standard/gateway.networking.k8s.io_$f.yaml" "$tools/crds/"
  done
  rm -rf "$tools/crds-all"
  echo "$crds_hash" > "$tools/crds.version"
fi

# The control plane. Each wrapper module pins one upstream release; a binary is rebuilt only when its
# module's go.mod/go.sum change. Kubernetes' own builds stamp the version the same way (ldflags).
build_cluster() { # name module-dir output ldflags tags packages... (output: a file, or a folder ending in /)
  local name="$1" module="$2" out="$3" ldflags="$4" tags="$5"; shift 5
  local dir="$root/tools/cluster/$module"
  local hash; hash="$( (cat "$dir/go.mod" "$dir/go.sum"; echo "$ldflags $tags") | sha256sum | cut -c1-16)"
  if [ "$(cat "$tools/$name.version" 2>/dev/null)" != "$hash" ]; then
    echo "building $name (tools/cluster/$module)"
    (cd "$dir" && go build -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$out" "$@")
    echo "$hash" > "$tools/$name.version"
  fi
}
k8s_ldflags() { # module-dir: stamps the release the module requires, as Kubernetes' own build does
  local v minor; v="$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$root/tools/cluster/$1/go.mod")"
  minor="${v#v1.}"; minor="${minor%%.*}"
  local pkg flags=""
  # Older releases read the version that /version serves from client-go's copy.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags="$flags -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  done
  echo "$flags"
}
build_cluster kubernetes kubernetes "$bin/" "$(k8s_ldflags kubernetes)" "" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
build_cluster etcd etcd "$bin/etcd" "" "" go.etcd.io/etcd/server/v3
build_cluster kwok kwok "$bin/kwok" "" "" sigs.k8s.io/kwok/cmd/kwok
# kwok's upstream stages (node start and heartbeat, pod readiness, completion, deletion): the e2e reads them from here.
kwok_dir="$(cd "$root/tools/cluster/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
rm -rf "$tools/kwok-stages" && mkdir -p "$tools/kwok-stages"
(cd "$kwok_dir/kustomize/stage" && find node pod -name '*.yaml' -not -path '*/testdata/*' -not -name kustomization.yaml \
  -exec install -D -m 0644 {} "$tools/kwok-stages/{}" \;)
# Older API servers, for acceptance only: 1.30, the first minor with ValidatingAdmissionPolicy GA, and
# 1.27, the library's default target. Built providerless: 1.29's cloud providers' module is not served,
# and an API server for manifests needs none.
for minor in 1.30 1.27; do
  mkdir -p "$tools/k8s-$minor"
  build_cluster "kubernetes-$minor" "kubernetes-$minor" "$tools/k8s-$minor/kube-apiserver" "$(k8s_ldflags "kubernetes-$minor")" providerless \
    k8s.io/kubernetes/cmd/kube-apiserver
done

if ! have checkov "$CHECKOV_VERSION"; then
  echo "installing checkov $CHECKOV_VERSION"
  rm -rf "$tools/checkov"
  python3 -m venv "$tools/checkov"
  "$tools/checkov/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  ln -sf "$tools/checkov/bin/checkov" "$bin/checkov"
  stamp "$CHECKOV_VERSION" checkov
fi

# The Python reference app's dependencies (the library itself comes from the wheel the tests build).
python_hash="$(sha256sum "$root/examples/python/requirements.txt" | cut -c1-16)"
if ! [ -x "$tools/python/bin/python" ] || [ "$(cat "$tools/python.version" 2>/dev/null)" != "$python_hash" ]; then
  echo "installing the Python app's dependencies"
  rm -rf "$tools/python"
  python3 -m venv "$tools/python"
  "$tools/python/bin/pip" install --quiet --disable-pip-version-check -r "$root/examples/python/requirements.txt"
  echo "$python_hash" > "$tools/python.version"
fi
