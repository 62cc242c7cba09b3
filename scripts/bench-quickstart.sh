#!/usr/bin/env bash
# Measures the README's quick start as a new user meets it: the package packed from this
# repository, installed into a fresh folder with its peers, and the README's first example synthesized
#   (a) as main.mts with `npx cdk8s-inference-synth main.mts` (Node strips the types itself), and
#   (b) as main.ts with `npx cdk8s synth` and `app: npx ts-node main.ts` (type-checks on every run).
# Prints the median wall time of RUNS runs of each (default 5). Not a test: figures depend on the machine.
#
#   PATH="$PWD/.tools/node/bin:$PATH" bash scripts/bench-quickstart.sh      # on the Node CI installs
#   TARBALL=/path/cdk8s-inference-0.1.0.tgz bash scripts/bench-quickstart.sh  # skip the build and pack
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-quickstart-XXXX")"
trap 'rm -rf "$work"' EXIT
export CDK8S_CHECK_UPGRADE=false

if [ "$(node -p 'Boolean(process.features.typescript)')" != true ]; then
  echo "node $(node --version) does not strip TypeScript types: run on Node.js 24 (PATH=\"$root/.tools/node/bin:\$PATH\")" >&2
  exit 1
fi
echo "node $(node --version), $(nproc) cores"

if [ -z "${TARBALL:-}" ]; then
  # npm pack runs the prepack build (jsii) first.
  TARBALL="$work/$(cd "$root" && npm pack --silent --pack-destination "$work" 2>/dev/null | tail -1)"
fi
version() { node -p "require('$root/package.json').devDependencies['$1']"; }

app="$work/my-inference"
mkdir -p "$app" && cd "$app"
npm init -y >/dev/null
install_started=$(date +%s.%N)
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$TARBALL" \
  "cdk8s@$(version cdk8s)" "cdk8s-plus-27@$(version cdk8s-plus-27)" "constructs@$(version constructs)"
install_ended=$(date +%s.%N)
npm install --no-audit --no-fund --prefer-offline --loglevel=error --save-dev \
  "cdk8s-cli@$(version cdk8s-cli)" "ts-node@$(version ts-node)" typescript@5.9

# The README's first TypeScript example, once as main.mts and once as main.ts.
node -e "process.stdout.write(require('fs').readFileSync('$root/README.md', 'utf8').match(/\`\`\`ts\n([\s\S]*?)\`\`\`/)[1])" > main.mts
cp main.mts main.ts
printf 'language: typescript\napp: npx ts-node main.ts\n' > cdk8s.yaml
printf '{ "compilerOptions": { "module": "commonjs", "target": "ES2022", "strict": true, "skipLibCheck": true } }\n' > tsconfig.json

# Runs "$@" RUNS times (after one warm-up run) and prints the median wall time in seconds.
median() {
  "$@" >/dev/null 2>&1
  local times=()
  for _ in $(seq "$runs"); do
    local started ended
    started=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    ended=$(date +%s.%N)
    times+=("$(awk "BEGIN { print $ended - $started }")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

printf 'install of the package and its peers: %.1f s\n' "$(awk "BEGIN { print $install_ended - $install_started }")"
printf 'npx cdk8s-inference-synth main.mts:    %.2f s (median of %s)\n' "$(median npx cdk8s-inference-synth main.mts --output dist-mts)" "$runs"
ls dist-mts/*.k8s.yaml >/dev/null
printf 'the same bin without npx:              %.2f s (median of %s)\n' "$(median node_modules/.bin/cdk8s-inference-synth main.mts --output dist-mts)" "$runs"
npm pkg set scripts.synth='cdk8s-inference-synth main.mts --output dist-run' >/dev/null
printf 'node --run synth (a package.json script): %.2f s (median of %s)\n' "$(median node --run synth)" "$runs"
printf 'node main.mts (no staging, no npx):    %.2f s (median of %s)\n' "$(median env CDK8S_OUTDIR=dist-plain node main.mts)" "$runs"
if npx cdk8s synth --output dist-ts >/dev/null 2>&1 && ls dist-ts/*.k8s.yaml >/dev/null 2>&1; then
  printf 'npx cdk8s synth (ts-node main.ts):     %.2f s (median of %s)\n' "$(median npx cdk8s synth --output dist-ts)" "$runs"
else
  echo 'npx cdk8s synth (ts-node main.ts):     failed (see: cd into the folder and run npx cdk8s synth)'
fi
diff -r dist-mts dist-ts >/dev/null && echo 'both synthesize the same manifests'
