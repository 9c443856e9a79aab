// Tile for the wasm backend. tfjs's FusedBatchNorm gradient tiles [1,1,1,C] vectors to the full
// activation shape once per BatchNorm layer; the backend's element-wise C++ Tile spent 140 ms of
// a 870 ms ResNet-18 step on that. Whole rows are block copies here (set/copyWithin are memcpy).
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { type WasmBackendLike } from './wasm-ops.js';

type Typed = Float32Array | Int32Array | Uint8Array;

/** Writes the tiling of src (shape `shape`) by `reps` into dst, block by block from the last axis. */
export function tileInto(src: Typed, dst: Typed, shape: readonly number[], reps: readonly number[]): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return;
  }
  const inStrides = new Array<number>(rank);
  const outStrides = new Array<number>(rank);
  inStrides[rank - 1] = 1;
  outStrides[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) {
    inStrides[a] = inStrides[a + 1]! * shape[a + 1]!;
    outStrides[a] = outStrides[a + 1]! * shape[a + 1]! * reps[a + 1]!;
  }
  const rec = (axis: number, s: number, d: number): void => {
    const n = shape[axis]!;
    const r = reps[axis]!;
    if (axis === rank - 1) {
      if (n === 1) dst.fill(src[s]! as never, d, d + r);
      else {
        dst.set(src.subarray(s, s + n), d);
        for (let k = 1; k < r; k++) dst.copyWithin(d + k * n, d, d + n);
      }
      return;
    }
    for (let i = 0; i < n; i++) rec(axis + 1, s + i * inStrides[axis]!, d + i * outStrides[axis]!);
    const block = n * outStrides[axis]!;
    // Doubling copies: log2(r) memcpy calls instead of r.
    for (let done = 1; done < r; done *= 2) {
      const k = Math.min(done, r - done);
      dst.copyWithin(d + done * block, d, d + k * block);
    }
  };
  rec(0, 0, 0);
}

export function tileWasm(args: {
  inputs: { x: TensorInfo };
  backend: WasmBackendLike;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const reps = (args.attrs as unknown as { reps: number[] }).reps;
  const { x } = inputs;
  if (x.dtype === 'string') throw new Error('Tile on wasm: string tensors are not supported');
  const out = backend.makeOutput(
    x.shape.map((d, i) => d * reps[i]!),
    x.dtype,
  );
  tileInto(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), x.shape, reps);
  return out;
}

export const wasmTileKernel: KernelConfig = { kernelName: 'Tile', backendName: 'wasm', kernelFunc: tileWasm as never };
