// Depthwise Conv2D backprop for the wasm backend (EfficientNet's MBConv blocks), which has none.
// Same sums as tfjs-backend-cpu's DepthwiseConv2dNative{BackpropFilter,BackpropInput}, reordered
// so the innermost loop runs over contiguous NHWC channels: a few ms per layer instead of the
// per-element TensorBuffer.get() walk. Depthwise FLOPs are small next to the pointwise convs.
import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { heap, type WasmBackendLike } from './wasm-ops.js';

type Attrs = {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function info(xShape: number[], filterShape: number[], a: Attrs): backend_util.Conv2DInfo {
  const c = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad as never,
    a.dimRoundingMode,
    true,
  );
  // tfjs's depthwise gradient refuses dilation > 1 before it gets here; keep the kernel honest too.
  if (c.dilationHeight !== 1 || c.dilationWidth !== 1) throw new Error('depthwise backprop: dilation must be 1');
  return c;
}

/** Visits every (output pixel, filter tap) pair that lands inside the input. */
function forEachTap(c: backend_util.Conv2DInfo, fn: (xOffset: number, dyOffset: number, tap: number) => void): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } = c;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outChannels: co } = c;
  const { top, left } = c.padInfo;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        const dyOffset = ((b * oh + y) * ow + z) * co;
        for (let i = 0; i < kh; i++) {
          const iy = y * sh + i - top;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = z * sw + j - left;
            if (ix < 0 || ix >= w) continue;
            fn(((b * h + iy) * w + ix) * ci, dyOffset, i * kw + j);
          }
        }
      }
    }
  }
}

export function depthwiseBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackendLike;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Attrs & { filterShape: number[] };
  const c = info(inputs.x.shape, attrs.filterShape, attrs);
  const ci = c.inChannels;
  const mul = c.outChannels / ci;
  const tapSize = ci * mul;
  // Accumulate in float64: a filter gradient sums N·OH·OW products.
  const acc = new Float64Array(c.filterHeight * c.filterWidth * tapSize);
  const x = heap(backend, inputs.x);
  const dy = heap(backend, inputs.dy);
  forEachTap(c, (xo, dyo, tap) => {
    const base = tap * tapSize;
    for (let q = 0; q < ci; q++) {
      const xv = x[xo + q]!;
      for (let m = 0; m < mul; m++) acc[base + q * mul + m]! += xv * dy[dyo + q * mul + m]!;
    }
  });
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  heap(backend, out).set(acc);
  return out;
}

export function depthwiseBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackendLike;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Attrs & { inputShape: number[] };
  const c = info(attrs.inputShape, inputs.filter.shape, attrs);
  const ci = c.inChannels;
  const mul = c.outChannels / ci;
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  const dx = heap(backend, out);
  const dy = heap(backend, inputs.dy);
  const f = heap(backend, inputs.filter);
  dx.fill(0);
  forEachTap(c, (xo, dyo, tap) => {
    const fo = tap * ci * mul;
    for (let q = 0; q < ci; q++) {
      let s = 0;
      for (let m = 0; m < mul; m++) s += f[fo + q * mul + m]! * dy[dyo + q * mul + m]!;
      dx[xo + q]! += s;
    }
  });
  return out;
}

export const wasmDepthwiseBackpropKernels: KernelConfig[] = [
  {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: 'wasm',
    kernelFunc: depthwiseBackpropFilterWasm as never,
  },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    kernelFunc: depthwiseBackpropInputWasm as never,
  },
];
