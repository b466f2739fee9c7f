#!/usr/bin/env bash
# Checks the published shape: packs the library, installs the tarball into a fresh
# project the way another repository would (from the npm cache that `npm ci` filled, so
# no network is needed), then type-checks and runs the README example against it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"

mkdir -p "$work/consumer"
cd "$work/consumer"
node -e '
const lib = require(process.argv[1]);
const v = (n) => lib.devDependencies[n];
require("fs").writeFileSync("package.json", JSON.stringify({
  name: "consumer", private: true,
  dependencies: { cdk8s: v("cdk8s"), "cdk8s-plus-28": v("cdk8s-plus-28"), constructs: v("constructs") },
  devDependencies: { typescript: v("typescript"), "@types/node": v("@types/node") },
}, null, 2));' "$root/package.json"
npm install --offline --no-audit --no-fund --silent "$work/$tarball"
cp "$root/examples/quickstart.ts" main.ts
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "node16", "moduleResolution": "node16", "strict": true, "outDir": "out", "types": ["node"] }, "files": ["main.ts"] }
JSON
npx tsc -p tsconfig.json
node out/main.js
test -f dist/functions/functions.k8s.yaml
grep -q 'runtimeClassName: wasmedge' dist/functions/functions.k8s.yaml
echo "package check: the packed library installs, type-checks and synthesizes the README example"
