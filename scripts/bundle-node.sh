#!/usr/bin/env bash
# Puts a plain Node binary where electron-builder ships it (build/node → resources/node): the
# desktop app runs training jobs in it, because WebGPU (dawn.node) cannot run inside Electron's V8
# (docs/desktop.md "The GPU in the desktop app"). Copies the Node running this script, so it is
# right for packaging on the target's own platform; for another target set NODE_BINARY to that
# platform's node (or node.exe). Run by `npm run dist`.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${NODE_BINARY:-$(node -p 'process.execPath')}
rm -rf build/node
case "$src" in
  *.exe) mkdir -p build/node && cp "$src" build/node/node.exe ;;
  *) mkdir -p build/node/bin && cp "$src" build/node/bin/node && chmod +x build/node/bin/node ;;
esac
echo "bundle-node: $("$src" --version 2>/dev/null || echo '?') from $src → build/node"
