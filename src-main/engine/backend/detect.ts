// Finds out, at run time, which TF.js backends work on this machine, on which device, and why
// the others do not. Nothing is assumed from the platform: each backend is initialised for real.
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { detectTfjsNode } from '../runtime/native.js';
import { BACKEND_NAMES, TRAINING_KERNELS, type BackendInfo, type BackendName } from './types.js';
import { installNavigatorGpu, probeWebGpu } from './webgpu.js';
import { registerWasmTrainingKernels } from './kernels/index.js';
import { registerWebGpuTrainingKernels } from './webgpu-kernels/index.js';
import { startWasm, wasmThreads } from './wasm.js';

function cpuName(): string {
  const list = cpus();
  const model = list[0]?.model?.trim() || 'CPU';
  return `${model} (${list.length} core${list.length === 1 ? '' : 's'})`;
}

/** Full training needs backprop through convolutions; read it off the kernel registry. */
function missingTrainingKernels(name: string): string[] {
  const have = new Set(tf.getKernelsForBackend(name).map((k) => k.kernelName));
  return TRAINING_KERNELS.filter((k) => !have.has(k));
}

/** Registers (once) and initialises a backend; false with the error when it cannot start. */
export async function initBackend(name: BackendName): Promise<{ ok: boolean; error?: string }> {
  try {
    if (!tf.findBackend(name)) {
      if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
      if (name === 'wasm') {
        await import('@tensorflow/tfjs-backend-wasm');
        registerWasmTrainingKernels();
        await startWasm();
      }
      if (name === 'webgpu') {
        if (!(await installNavigatorGpu())) return { ok: false, error: 'no WebGPU adapter' };
        await import('@tensorflow/tfjs-backend-webgpu');
        registerWebGpuTrainingKernels();
      }
      if (name === 'tensorflow') {
        const native = detectTfjsNode(true).available ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        await import(native);
      }
    }
    const previous = tf.getBackend();
    const ok = await tf.setBackend(name);
    if (previous && previous !== name && tf.findBackend(previous)) await tf.setBackend(previous);
    return ok ? { ok } : { ok, error: `${name} failed to initialise` };
  } catch (e) {
    return { ok: false, error: (e as Error).message.split('\n')[0] };
  }
}

async function probeTensorflow(): Promise<BackendInfo> {
  const gpu = detectTfjsNode(true);
  const cpu = detectTfjsNode(false);
  const base = { name: 'tensorflow' as const, software: false };
  if (!gpu.available && !cpu.available) {
    return {
      ...base,
      available: false,
      device: null,
      canTrainConvolutions: false,
      reason: `${gpu.detail}; to add it: ${gpu.howToAdd}`,
    };
  }
  const init = await initBackend('tensorflow');
  if (!init.ok) {
    return {
      ...base,
      available: false,
      device: null,
      canTrainConvolutions: false,
      reason: `libtensorflow failed to load: ${init.error}`,
    };
  }
  return {
    ...base,
    available: true,
    device: gpu.available ? 'CUDA GPU (libtensorflow)' : cpuName(),
    canTrainConvolutions: true,
    reason: gpu.available
      ? 'TensorFlow C library with CUDA (tfjs-node-gpu)'
      : 'TensorFlow C library on the CPU (tfjs-node)',
  };
}

async function probeWebgpuBackend(): Promise<BackendInfo> {
  const probe = await probeWebGpu(TRAINING_KERNELS);
  const base = { name: 'webgpu' as const, software: probe.software };
  if (!probe.ok) return { ...base, available: false, device: null, canTrainConvolutions: false, reason: probe.reason };
  const missing = probe.missingKernels;
  return {
    ...base,
    available: true,
    device: probe.device,
    canTrainConvolutions: missing.length === 0,
    reason: missing.length ? `${probe.reason}; cannot train convolutions (no ${missing.join(', ')})` : probe.reason,
  };
}

async function probeWasm(): Promise<BackendInfo> {
  const init = await initBackend('wasm');
  const base = { name: 'wasm' as const, software: false };
  if (!init.ok)
    return {
      ...base,
      available: false,
      device: null,
      canTrainConvolutions: false,
      reason: `wasm failed: ${init.error}`,
    };
  const missing = missingTrainingKernels('wasm');
  return {
    ...base,
    available: true,
    device: cpuName(),
    threads: wasmThreads(),
    canTrainConvolutions: missing.length === 0,
    reason:
      missing.length === 0
        ? "WebAssembly (XNNPACK) on the CPU, with Anneal's conv backprop kernels: trains convolutions"
        : `WebAssembly (XNNPACK) on the CPU: fast inference and frozen-backbone training; no ${missing.join(', ')}, so it cannot train convolutions`,
  };
}

async function probeCpu(): Promise<BackendInfo> {
  const init = await initBackend('cpu');
  return {
    name: 'cpu',
    available: init.ok,
    device: init.ok ? cpuName() : null,
    canTrainConvolutions: init.ok,
    software: false,
    reason: init.ok ? 'plain JavaScript on the CPU: always works, slowest' : `cpu failed: ${init.error}`,
  };
}

const probes: Record<BackendName, () => Promise<BackendInfo>> = {
  tensorflow: probeTensorflow,
  webgpu: probeWebgpuBackend,
  wasm: probeWasm,
  cpu: probeCpu,
};

let cache: Promise<BackendInfo[]> | undefined;

const probed = new Map<BackendName, Promise<BackendInfo>>();

/** One backend, probed once per process. */
export function detectBackend(name: BackendName): Promise<BackendInfo> {
  if (!probed.has(name)) probed.set(name, probes[name]());
  return probed.get(name)!;
}

/** Every backend, in BACKEND_NAMES order. */
export function detectBackends(): Promise<BackendInfo[]> {
  cache ??= (async () => {
    const out: BackendInfo[] = [];
    for (const name of BACKEND_NAMES) out.push(await detectBackend(name));
    return out;
  })();
  return cache;
}
