// Installs Anneal's training kernels on the webgpu backend (as kernels/register.ts does for wasm):
// implicit-GEMM conv backprops with split-K, a depthwise filter gradient with a workgroup
// reduction, and the fused batch-norm kernels that models/batch-norm.ts uses while training.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { webgpuBatchNormKernels } from './batch-norm.js';
import { webgpuConvBackpropKernels } from './conv-backprop.js';
import { webgpuDepthwiseBackpropKernels } from './depthwise-backprop.js';
import { webgpuDropoutKernels } from './dropout.js';

let installed: KernelConfig[] | null = null;

/**
 * Idempotent; call after tfjs-backend-webgpu is imported. ANNEAL_WEBGPU_STOCK_KERNELS=1 keeps
 * tfjs's own kernels (to measure against them, or to rule Anneal's out when something is wrong).
 */
export function registerWebGpuTrainingKernels(): void {
  if (process.env.ANNEAL_WEBGPU_STOCK_KERNELS === '1') return;
  if (!installed) {
    const previous = (name: string): KernelFunc | undefined => getKernel(name, 'webgpu')?.kernelFunc;
    installed = [
      ...webgpuConvBackpropKernels(previous),
      ...webgpuDepthwiseBackpropKernels(previous),
      ...webgpuBatchNormKernels(),
      ...webgpuDropoutKernels(),
    ];
  }
  for (const k of installed) {
    const current = getKernel(k.kernelName, 'webgpu');
    if (current?.kernelFunc === k.kernelFunc) continue;
    if (current) unregisterKernel(k.kernelName, 'webgpu');
    registerKernel(k);
  }
}
