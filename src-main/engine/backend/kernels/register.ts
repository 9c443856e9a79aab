// Installs Anneal's training kernels on the wasm backend, replacing its slow Conv2DBackpropInput
// Tile and Identity (no copy), and adding the backprops it lacks, so wasm (XNNPACK) can train convolutions on the CPU.
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { wasmConvBackpropKernels } from './conv-backprop.js';
import { wasmDepthwiseBackpropKernels } from './depthwise-backprop.js';
import { wasmIdentityKernel } from './identity.js';
import { wasmTileKernel } from './tile.js';

const KERNELS = [...wasmConvBackpropKernels, ...wasmDepthwiseBackpropKernels, wasmTileKernel, wasmIdentityKernel];

/** Idempotent: registering twice would make tfjs warn, so an installed kernel is left alone. */
export function registerWasmTrainingKernels(): void {
  for (const k of KERNELS) {
    const current = getKernel(k.kernelName, 'wasm');
    if (current?.kernelFunc === k.kernelFunc) continue;
    if (current) unregisterKernel(k.kernelName, 'wasm');
    registerKernel(k);
  }
}
