#!/usr/bin/env bash
# Anneal on WebGPU against PyTorch CUDA (fp32 and AMP) on a lent NVIDIA machine, in one call of the
# device tool (docs/benchmarks.md "GPU"). Bare machine, no registry: everything comes from the
# bundle that scripts/gpu-bundle.sh builds (node, the bench bundle, dawn.node, the Vulkan/EGL loader
# .debs, torch_bench.py); PyTorch with CUDA is the machine's own python3.
#
#   here:    scripts/gpu-bundle.sh                      # → .gpu-bundle/ (gitignored; carry it)
#   device:  run(command="bash bench/gpu/run.sh", carry=[".gpu-bundle"], timeout_s=540)
#
# Writes to $OUT (./gpu-out when unset): results.jsonl (one JSON line per measurement),
# summary.md (the table for docs/benchmarks.md), log.txt (everything). Each measurement has its own
# time limit so one hang cannot eat the lease. Knobs (defaults = the issue's measurement):
#   MODELS="resnet50 efficientnet_b0" SIZE=224 BATCH=64 STEPS=5 WARMUP=2 STEP_LIMIT=150
# Rehearsal on a CPU machine with Mesa's software adapter (docs/benchmarks.md):
#   MODELS=resnet18 SIZE=32 BATCH=2 STEPS=1 WARMUP=1 bash bench/gpu/run.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/anneal-bench.mjs" ]; then B=$here; else B=${BUNDLE:-$(cd "$here/../.." && pwd)/.gpu-bundle}; fi
[ -f "$B/anneal-bench.mjs" ] || { echo "run.sh: no bundle at $B (run scripts/gpu-bundle.sh first)" >&2; exit 2; }
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
MODELS=${MODELS:-resnet50 efficientnet_b0} SIZE=${SIZE:-224} BATCH=${BATCH:-64}
STEPS=${STEPS:-5} WARMUP=${WARMUP:-2} STEP_LIMIT=${STEP_LIMIT:-150}
PY=${PYTHON:-python3}
exec > >(tee -a "$OUT/log.txt") 2>&1
results="$OUT/results.jsonl"
: > "$results"

# Loaders: the device tool's recipe (KINDS.md): unpack the carried .debs where libvulkan is missing,
# and point Vulkan and EGL at NVIDIA's driver files when the image keeps them under /usr/local/nvidia.
# Only on a machine with NVIDIA's driver: a rehearsal on a CPU machine must not write into its /.
if command -v nvidia-smi > /dev/null && ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$B"/gl/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$icd" ] && export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$icd}
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$egl}

dawn=$B/node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$dawn" ] || gunzip -c "$dawn.gz" > "$dawn"
NODE=$B/node
[ -x "$NODE" ] || { gunzip -c "$B/node.gz" > "$NODE" && chmod +x "$NODE"; } || NODE=node
export ANNEAL_MODELS_DIR=$B/models
echo "== $(date -u +%FT%TZ) node $("$NODE" --version); models: $MODELS; ${SIZE}px, batch $BATCH, $STEPS steps"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv,noheader || echo "nvidia-smi: none"
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' || echo "no PyTorch"
echo "== WebGPU adapter"
"$NODE" "$B/webgpu-probe.mjs" Conv2DBackpropFilter | tee -a "$results"

# One measurement: its JSON line (the last line starting with {) goes to results.jsonl.
measure() {
  local label=$1
  shift
  echo "== $label"
  local line
  line=$(timeout "$STEP_LIMIT" "$@" | grep '^{' | tail -1)
  if [ -n "$line" ]; then echo "$line" | tee -a "$results"; else echo "{\"failed\": \"$label\"}" | tee -a "$results"; fi
}

for m in $MODELS; do
  common=(--model "$m" --image-size "$SIZE" --batch-size "$BATCH" --steps "$STEPS" --warmup "$WARMUP")
  measure "anneal webgpu $m" "$NODE" "$B/anneal-bench.mjs" "${common[@]}" --backend webgpu
  measure "pytorch fp32 $m" "$PY" "$B/torch_bench.py" "${common[@]}"
  measure "pytorch amp $m" "$PY" "$B/torch_bench.py" "${common[@]}" --amp
  measure "anneal webgpu profile $m" "$NODE" "$B/anneal-bench.mjs" --profile --model "$m" --image-size "$SIZE" \
    --batch-size "$BATCH" --backend webgpu
done
first=${MODELS%% *}
measure "dispatches per step ($first)" "$NODE" "$B/anneal-counts.mjs" --model "$first" --image-size "$SIZE" \
  --batch-size "$BATCH" --steps 3
# ResNet-50's 3×3 layers (and one strided 1×1) at 224 px, batch ≤ 32; the script's own small
# ResNet-18 shapes for a rehearsal. [input H, channels in, out, kernel, stride].
r50='[[56,64,64,3,1],[56,128,128,3,2],[28,128,128,3,1],[14,256,256,3,1],[7,512,512,3,1],[56,256,512,1,2]]'
[ "$SIZE" -ge 224 ] && layers=$r50 || layers=''
CONV_LAYERS=${CONV_LAYERS:-$layers} measure "Conv2DBackpropInput: tfjs naive, tfjs GEMM, Anneal GEMM" "$NODE" "$B/anneal-conv.mjs" \
  --batch "$((BATCH < 32 ? BATCH : 32))" --reps 5
measure "gradient check ($first vs cpu)" "$NODE" "$B/anneal-bench.mjs" --model "$first" --image-size 64 \
  --batch-size 2 --steps 1 --warmup 1 --backend webgpu --check

"$NODE" "$B/summarize.mjs" "$results" > "$OUT/summary.md" && cat "$OUT/summary.md"
echo "== done $(date -u +%FT%TZ)"
