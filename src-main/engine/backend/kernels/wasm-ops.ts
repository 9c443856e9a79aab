// The few pieces of tfjs-backend-wasm a JS kernel needs: heap views and calls into the backend's
// own (XNNPACK) kernels. Typed structurally so the engine does not import the backend's internals.
import { getKernel, type DataId, type DataType, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/**
 * A float32 view of a tensor's memory on the wasm heap. Any allocation may grow (and detach) the
 * heap, so take views after the last makeOutput and never keep one across a kernel call.
 */
export function heap(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** The same memory under another shape (row-major, same size): what Reshape does, without a copy. */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Runs one of the wasm backend's registered kernels directly (kernels compose this way inside tfjs). */
export function callKernel(
  backend: WasmBackendLike,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend: backend as never, attrs }) as TensorInfo;
}

/** a[M,K] x b[K,N] on XNNPACK. Only the untransposed form is fast (~40 GFLOP/s on one core here;
 * transposeA falls back to a naive loop at ~1 GFLOP/s), so callers transpose explicitly. */
export function matMul(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo): TensorInfo {
  return callKernel(backend, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
}

export function dispose(backend: WasmBackendLike, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}
