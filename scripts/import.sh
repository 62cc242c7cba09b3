#!/usr/bin/env bash
# Generates the typed classes in imports/ from the upstream CRDs (see scripts/install-tools.sh,
# which generates them from the pinned upstream API packages). Never edit imports/ by hand.
#
#   npm run import              regenerate imports/
#   npm run import -- <folder>  write into <folder> instead (the test compares)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/imports}"
bash "$root/scripts/install-tools.sh" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# One module per API group, with the kinds the library emits.
group() {
  local name="$1"; shift
  for kind in "$@"; do cat "$root/.tools/crds/${name}_${kind}.yaml"; echo "---"; done > "$work/$name.yaml"
  (cd "$work" && CDK8S_CHECK_UPGRADE=false "$root/node_modules/.bin/cdk8s" import "$name.yaml" --language typescript --no-save --output "$out" >&2)
}
mkdir -p "$out"
group monitoring.coreos.com servicemonitors prometheusrules
group gateway.networking.k8s.io gateways httproutes grpcroutes
group gateway.envoyproxy.io securitypolicies backendtrafficpolicies envoyextensionpolicies
group traefik.io middlewares
group argoproj.io rollouts analysistemplates
group keda.sh scaledobjects
group external-secrets.io externalsecrets
group inference.networking.k8s.io inferencepools
group inference.networking.x-k8s.io inferenceobjectives inferencemodelrewrites
group aigateway.envoyproxy.io aigatewayroutes
