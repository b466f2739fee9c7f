#!/usr/bin/env bash
# Checks the published shape, the two ways another repository gets the library:
#
# 1. The packed tarball, unpacked into a fresh project, type-checks and runs the README
#    example under three tsconfigs: cdk8s's own `typescript-app` template (`module:
#    commonjs`, so `moduleResolution: node10`, no `skipLibCheck`, emits nothing on error),
#    `node16` and `bundler`.
#    Offline: `npm install` of a tarball needs the registry's metadata of every dependency,
#    which `npm ci` does not leave in the npm cache, so this consumer's node_modules is laid
#    out here instead: the tarball unpacked as the package, and beside it only what the
#    package declares (dependencies and peer dependencies, taken from this repository's
#    install) plus the consumer's own TypeScript and @types/node. A module the library
#    requires without declaring it does not resolve, and the example fails.
# 2. `npm install git+file://<bare clone>#<commit>`, as a private construct library is
#    usually consumed: npm runs `prepare` (not `prepack`) for a git dependency, so this
#    proves the install builds `build/`. It installs from the npm registry, and it checks
#    the last commit (HEAD), not uncommitted changes.
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

# The README's quickstart and the README's other examples, compiled together (they must
# combine in one app), then the quickstart run.
examples="$(cd "$root/examples" && ls *.ts)"
check() { # <label> <tsconfig.json content> <command that runs the compiled quickstart, or "">
  local dir="$work/$1"
  mkdir -p "$dir"
  ln -s "$consumer/node_modules" "$dir/node_modules"
  for example in $examples; do cp "$root/examples/$example" "$dir/$example"; done
  printf '%s\n' "$2" > "$dir/tsconfig.json"
  (cd "$dir" && node node_modules/typescript/bin/tsc -p tsconfig.json) || { echo "package check: the README examples do not compile under the $1 tsconfig" >&2; exit 1; }
  if [ -n "$3" ]; then
    (cd "$dir" && eval "$3")
    test -f "$dir/dist/functions/functions.k8s.yaml"
    grep -q 'runtimeClassName: wasmedge' "$dir/dist/functions/functions.k8s.yaml"
  fi
  echo "package check: $1 tsconfig compiles the README examples"
}
# cdk8s init's tsconfig, byte for byte as the CLI ships it.
check cdk8s-template "$(cat "$root/node_modules/cdk8s-cli/templates/typescript-app/tsconfig.json")" 'node quickstart.js'
check node16 '{ "compilerOptions": { "target": "ES2022", "module": "node16", "moduleResolution": "node16", "strict": true, "outDir": "out", "types": ["node"] }, "include": ["*.ts"] }' 'node out/quickstart.js'
check bundler '{ "compilerOptions": { "target": "ES2022", "module": "preserve", "moduleResolution": "bundler", "strict": true, "noEmit": true, "types": ["node"] }, "include": ["*.ts"] }' ''

# Installed from git.
if [ "${CHECK_PACKAGE_GIT:-1}" = 1 ]; then
  ref="$(git -C "$root" rev-parse HEAD)"
  git clone --quiet --bare "$root" "$work/repo.git"
  fromgit="$work/from-git"
  mkdir -p "$fromgit"
  (cd "$fromgit" && node -e '
    const root = require(process.argv[1] + "/package.json");
    const deps = { [root.name]: `git+file://${process.argv[2]}#${process.argv[3]}` };
    for (const n of ["cdk8s", "cdk8s-plus-28", "constructs", "typescript", "@types/node"]) deps[n] = root.devDependencies[n];
    require("fs").writeFileSync("package.json", JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies: deps }, null, 2));
  ' "$root" "$work/repo.git" "$ref")
  (cd "$fromgit" && npm install --no-audit --no-fund --loglevel=error >/dev/null) || { echo "package check: npm install from git failed" >&2; exit 1; }
  test -f "$fromgit/node_modules/$name/build/lib/index.d.ts" || { echo "package check: the git install has no build/ (is \"prepare\" in package.json?)" >&2; exit 1; }
  cp "$root/examples/quickstart.ts" "$fromgit/quickstart.ts"
  printf '%s\n' "$(cat "$root/node_modules/cdk8s-cli/templates/typescript-app/tsconfig.json")" > "$fromgit/tsconfig.json"
  (cd "$fromgit" && node node_modules/typescript/bin/tsc -p tsconfig.json && node quickstart.js)
  grep -q 'runtimeClassName: wasmedge' "$fromgit/dist/functions/functions.k8s.yaml"
  echo "package check: npm install git+file://...#${ref:0:12} builds the library (prepare), and the quickstart compiles and runs against it"
fi
echo "package check: the packed library installs, type-checks under three tsconfigs and synthesizes the README example"
