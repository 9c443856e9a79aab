// Identity for the wasm backend without a copy. TF.js saves every tensor a gradient needs through
// Identity (engine.saveTensorsForBackwardMode → clone), and tfjs-backend-wasm's Identity copies the
// buffer (kernels/Identity.ts), so during a training step every activation was held twice:
// ResNet-18 at 224 px, batch 16, peaked at 3.7 GB of tensors. TF.js tensors are immutable, so the
// clone can share the data and count a reference, as tfjs-backend-cpu's Identity and the wasm
// backend's own Reshape already do.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-ops.js';

interface RefCounting extends WasmBackendLike {
  incRef(dataId: TensorInfo['dataId']): void;
}

export function identityWasm(args: { inputs: { x: TensorInfo }; backend: RefCounting }): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const wasmIdentityKernel: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identityWasm as unknown as KernelConfig['kernelFunc'],
};
