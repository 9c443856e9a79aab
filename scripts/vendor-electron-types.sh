#!/usr/bin/env bash
# Copies electron.d.ts out of the published electron package (npm registry) into types/electron/.
set -euo pipefail
version="${1:?usage: $0 <electron version>}"
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "electron@${version}" > /dev/null && tar xzf "electron-${version}.tgz")
cp "$tmp/package/electron.d.ts" "$tmp/package/LICENSE" types/electron/
sha="$(sha256sum types/electron/electron.d.ts | cut -d' ' -f1)"
echo "electron.d.ts ${version}: sha256 ${sha} (update types/electron/README.md and the test)"
