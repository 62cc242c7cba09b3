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
# One module per API group: monitoring.coreos.com (ServiceMonitor, PrometheusRule).
cat "$root/.tools/crds/monitoring.coreos.com_servicemonitors.yaml" "$root/.tools/crds/monitoring.coreos.com_prometheusrules.yaml" > "$work/monitoring.coreos.com.yaml"
mkdir -p "$out"
(cd "$work" && CDK8S_CHECK_UPGRADE=false "$root/node_modules/.bin/cdk8s" import monitoring.coreos.com.yaml --language typescript --no-save --output "$out" >&2)
