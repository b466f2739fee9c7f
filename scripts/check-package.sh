#!/usr/bin/env bash
# Checks the published shape: packs the library, installs the tarball into a fresh project
# the way another repository would, then type-checks and runs the README example against it.
#
# Offline: `npm install` of a tarball needs the registry's metadata of every dependency,
# which `npm ci` does not leave in the npm cache, so the consumer's node_modules is laid out
# here instead: the tarball unpacked as the package, and beside it only what the package
# declares (dependencies and peer dependencies, taken from this repository's install) plus
# the consumer's own TypeScript. A module the library requires without declaring it does
# not resolve, and the example fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
name="$(node -p 'require("./package.json").name')"

consumer="$work/consumer"
mkdir -p "$consumer/node_modules/$name"
tar -xzf "$work/$tarball" -C "$consumer/node_modules/$name" --strip-components=1
declared="$(node -p 'const p = require("./package.json"); Object.keys({ ...p.dependencies, ...p.peerDependencies }).join(" ")')"
for dep in $declared typescript @types/node; do
  mkdir -p "$(dirname "$consumer/node_modules/$dep")"
  ln -s "$root/node_modules/$dep" "$consumer/node_modules/$dep"
done

cd "$consumer"
cp "$root/examples/quickstart.ts" main.ts
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "node16", "moduleResolution": "node16", "strict": true, "outDir": "out", "types": ["node"] }, "files": ["main.ts"] }
JSON
node node_modules/typescript/bin/tsc -p tsconfig.json
node out/main.js
test -f dist/functions/functions.k8s.yaml
grep -q 'runtimeClassName: wasmedge' dist/functions/functions.k8s.yaml
echo "package check: the packed library installs, type-checks and synthesizes the README example"
