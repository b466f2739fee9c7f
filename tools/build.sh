#!/usr/bin/env bash
# `npm run tools`: builds the engines the conformance run uses into .tools/bin/, from the Go
# module proxy only. Each tools/<dir>/ is a small wrapper module (go.mod and go.sum committed)
# and a build.env naming what it builds:
#   MODULE       the upstream module the wrapper requires
#   VERSION_KEY  its key in tools/versions.env (the wrapper must require exactly that version)
#   BINARIES     name=package pairs, built into .tools/bin/<name>
#   LDFLAGS      optional -ldflags
#   TOOLCHAIN    optional GOTOOLCHAIN (default: the machine's Go, GOTOOLCHAIN=local)
# A tool is rebuilt only when its folder's go.mod, go.sum, build.env or sources change, or
# the Go version does. Any build that fails fails the whole command, naming the tool and the
# reason; nothing is skipped.
#
# Usage: tools/build.sh [dir ...]   (default: every folder under tools/ with a build.env)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/tools"
bin="$root/.tools/bin"
stamps="$root/.tools/stamps"
logs="$root/.tools/logs"
mkdir -p "$bin" "$stamps" "$logs"

export PATH="/usr/local/go/bin:$PATH"
if ! command -v go > /dev/null; then
  echo "tools: no Go toolchain found (expected /usr/local/go/bin/go); the engines cannot be built" >&2
  exit 1
fi
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

# shellcheck source=versions.env
. "$tools/versions.env"

if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  dirs=()
  for f in "$tools"/*/build.env; do dirs+=("$(basename "$(dirname "$f")")"); done
fi

failed=()
for dir in "${dirs[@]}"; do
  here="$tools/$dir"
  if [ ! -f "$here/build.env" ]; then
    echo "tools: $dir has no build.env" >&2
    failed+=("$dir (no build.env)")
    continue
  fi
  (
    MODULE="" VERSION_KEY="" BINARIES="" LDFLAGS="" TOOLCHAIN="local"
    # shellcheck disable=SC1091
    . "$here/build.env"
    want="${!VERSION_KEY:-}"
    if [ -z "$want" ]; then
      echo "tools: $dir: $VERSION_KEY is not pinned in tools/versions.env" >&2
      exit 1
    fi
    # The pin is the one place a version is chosen; the wrapper must agree with it.
    if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?$MODULE[[:space:]]+$want([[:space:]]|$)" "$here/go.mod"; then
      echo "tools: $dir: go.mod does not require $MODULE $want (tools/versions.env $VERSION_KEY); re-pin the wrapper" >&2
      exit 1
    fi
    export GOTOOLCHAIN="$TOOLCHAIN"
    stamp="$(
      cd "$here"
      {
        go version
        find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name build.env \) -print0 | sort -z | xargs -0 sha256sum
      } | sha256sum | cut -d' ' -f1
    )"
    fresh=1
    for pair in $BINARIES; do [ -x "$bin/${pair%%=*}" ] || fresh=0; done
    if [ "$fresh" = 1 ] && [ "$(cat "$stamps/$dir" 2>/dev/null)" = "$stamp" ]; then
      echo "tools: $dir $want is up to date"
      exit 0
    fi
    rm -f "$stamps/$dir"
    for pair in $BINARIES; do
      name="${pair%%=*}"
      pkg="${pair#*=}"
      start=$(date +%s)
      echo "tools: building $name ($MODULE $want) ..."
      if ! (cd "$here" && go build -trimpath -ldflags "$LDFLAGS" -o "$bin/$name" "$pkg") > "$logs/$name.log" 2>&1; then
        echo "tools: $name ($MODULE $want) failed to build; the last lines of .tools/logs/$name.log:" >&2
        tail -25 "$logs/$name.log" >&2
        exit 1
      fi
      echo "tools: built $name in $(($(date +%s) - start)) s"
    done
    echo "$stamp" > "$stamps/$dir"
  ) || failed+=("$dir")
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "tools: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "tools: every engine is built into .tools/bin/"
