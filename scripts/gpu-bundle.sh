#!/usr/bin/env bash
# Packs what `anneal bench` (and bench/gpu/run.sh around it) needs on a GPU machine that reaches no package registry (the `device`
# machines of docs/benchmarks.md): a Node binary, an esbuild bundle of the engine's bench path,
# dawn.node (the npm `webgpu` package's Dawn build), the model catalog, the Vulkan/EGL loader .debs
# from Debian, and bench/torch_bench.py for PyTorch on the same GPU. Output: one folder (default
# .gpu-bundle/, gitignored) of ~35 MB with run.sh inside; see docs/benchmarks.md "GPU".
#   scripts/gpu-bundle.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.gpu-bundle}
rm -rf "$OUT"
mkdir -p "$OUT/node_modules/webgpu/dist/linux-x64" "$OUT/gl"

npx esbuild bench/gpu-entry.ts --bundle --platform=node --format=esm --target=node20 --minify --keep-names --log-level=warning \
  --outfile="$OUT/anneal-bench.mjs" --external:webgpu --external:@tensorflow/tfjs-node-gpu \
  --external:@tensorflow/tfjs-node \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
# Dispatches, submits and readbacks per training step (bench/gpu-step-counts.ts).
npx esbuild bench/gpu-step-counts.ts --bundle --platform=node --format=esm --target=node20 --minify --keep-names --log-level=warning \
  --outfile="$OUT/anneal-counts.mjs" --external:webgpu --external:@tensorflow/tfjs-node-gpu \
  --external:@tensorflow/tfjs-node \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
# Conv2DBackpropInput: tfjs's two kernels against Anneal's (bench/gpu-conv-input.ts).
npx esbuild bench/gpu-conv-input.ts --bundle --platform=node --format=esm --target=node20 --minify --keep-names \
  --log-level=warning --outfile="$OUT/anneal-conv.mjs" --external:webgpu --external:@tensorflow/tfjs-node-gpu \
  --external:@tensorflow/tfjs-node \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
# The backend probes WebGPU in a child process, which it finds beside itself: bundle it too.
npx esbuild src-main/engine/backend/webgpu-probe.mjs --bundle --platform=node --format=esm --target=node20 \
  --log-level=warning --outfile="$OUT/webgpu-probe.mjs" --external:webgpu \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$OUT/node_modules/webgpu/"
# Compressed, like node: the device tool carries at most 64 MiB with the working tree (run.sh unpacks).
gzip -c node_modules/webgpu/dist/linux-x64/dawn.node > "$OUT/node_modules/webgpu/dist/linux-x64/dawn.node.gz"
mkdir -p "$OUT/models"
cp models/*.json "$OUT/models/"
cp bench/torch_bench.py bench/gpu/run.sh bench/gpu/summarize.mjs "$OUT/"
gzip -c "$(readlink -f "$(command -v node)")" > "$OUT/node.gz"

# The GPU machine's image may lack the Vulkan loader: Debian's amd64 .debs travel along
# (the device tool's README recipe).
lists=$(mktemp -d)
mkdir -p "$lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
if apt-get "${apt_opts[@]}" update -qq > /dev/null 2>&1 &&
  (cd "$OUT/gl" && apt-get "${apt_opts[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 > /dev/null 2>&1); then
  echo "gpu-bundle: Vulkan/EGL loader packages: $(ls "$OUT/gl" | tr '\n' ' ')"
else
  echo "gpu-bundle: could not download the Vulkan loader .debs (no apt here); the GPU machine must have libvulkan1" >&2
fi
rm -rf "$lists"

du -sh "$OUT"
