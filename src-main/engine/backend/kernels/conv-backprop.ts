// Conv2D backprop for the wasm backend, which ships neither a Conv2DBackpropFilter nor a fast
// Conv2DBackpropInput (its own runs at ~5 GFLOP/s). Both become XNNPACK work at ~40 GFLOP/s:
// - filter: dW = im2col(x)^T · dy (the im2col GEMM of Caffe and PyTorch's slow_conv2d);
// - input, stride 1, early layers: a forward convolution of dy with the flipped, transposed filter
//   (the transposed-convolution identity, Dumoulin & Visin 2016, "A guide to convolution
//   arithmetic" §4);
// - input, otherwise: dcols^T = W · dy^T, then col2im scatter-adds the columns back.
// Only untransposed matmuls are used (transposeA/B on wasm fall back to naive loops at ~1 GFLOP/s),
// and the right-hand operand, which XNNPACK repacks on every call, is kept the small one.
// Transposes are JS (wasm's Transpose runs at ~8 ns per element here, tiled JS at ~2.5).
import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { callKernel, dispose, heap, matMul, view, type WasmBackendLike } from './wasm-ops.js';

type Conv2DInfo = backend_util.Conv2DInfo;

function nhwcOnly(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports NHWC only (got ${String(dataFormat)})`);
  }
}

/**
 * Visits every (filter tap, output pixel) pair, tap-major: `src` is the input pixel's offset in the
 * NHWC input, or -1 where the tap falls in the padding. The im2col family below is this walk.
 */
function eachTapAndPixel(c: Conv2DInfo, fn: (tap: number, col: number, src: number) => void): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } = c;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = i * kw + j;
      let col = 0;
      for (let b = 0; b < n; b++) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh + i - top;
          for (let z = 0; z < ow; z++, col++) {
            const ix = z * sw + j - left;
            fn(tap, col, iy < 0 || iy >= h || ix < 0 || ix >= w ? -1 : ((b * h + iy) * w + ix) * ci);
          }
        }
      }
    }
  }
}

/** Copies x's receptive fields into rows of cols[M = N·OH·OW, K = KH·KW·Ci] (zeros for padding). */
function im2col(x: Float32Array, cols: Float32Array, c: Conv2DInfo): void {
  const ci = c.inChannels;
  const k = c.filterHeight * c.filterWidth * ci;
  eachTapAndPixel(c, (tap, col, src) => {
    const dst = col * k + tap * ci;
    if (src < 0) cols.fill(0, dst, dst + ci);
    else if (ci >= 16) cols.set(x.subarray(src, src + ci), dst);
    else for (let q = 0; q < ci; q++) cols[dst + q] = x[src + q]!;
  });
}

/**
 * im2col, written transposed: colsT[K = KH·KW·Ci, M = N·OH·OW] holds x's receptive fields as
 * columns (zeros for padding), so dW = colsT · dy is an untransposed matmul.
 */
function im2colT(x: Float32Array, colsT: Float32Array, c: Conv2DInfo): void {
  const ci = c.inChannels;
  const m = c.batchSize * c.outHeight * c.outWidth;
  eachTapAndPixel(c, (tap, col, src) => {
    const d0 = tap * ci * m + col;
    if (src < 0) for (let q = 0, d = d0; q < ci; q++, d += m) colsT[d] = 0;
    else for (let q = 0, d = d0; q < ci; q++, d += m) colsT[d] = x[src + q]!;
  });
}

/** The inverse scatter of im2colT: dx[receptive field of column m] += that column. */
function col2imT(colsT: Float32Array, dx: Float32Array, c: Conv2DInfo): void {
  const ci = c.inChannels;
  const m = c.batchSize * c.outHeight * c.outWidth;
  dx.fill(0);
  eachTapAndPixel(c, (tap, col, dst) => {
    if (dst < 0) return;
    for (let q = 0, s = tap * ci * m + col; q < ci; q++, s += m) dx[dst + q]! += colsT[s]!;
  });
}

/** out[cols, rows] = a[rows, cols], in 32×32 tiles (wasm's own Transpose is ~3x slower here). */
function transposeInto(a: Float32Array, out: Float32Array, rows: number, cols: number): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) out[q * rows + r] = a[r * cols + q]!;
    }
  }
}

export function conv2dBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackendLike;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: backend_util.PadInfo['type'] | number | backend_util.ExplicitPadding;
    dataFormat: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  nhwcOnly(dataFormat, 'Conv2DBackpropFilter');
  const c = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad as never,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const m = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const co = c.outChannels;
  if (m < k) {
    // Late layers (few pixels, many taps): dW[K, Co] = colsT · dy; colsT is small to write.
    const colsT = backend.makeOutput([k, m], 'float32');
    im2colT(heap(backend, x), heap(backend, colsT), c);
    const dw = matMul(backend, colsT, view(dy, [m, co]));
    dispose(backend, colsT);
    return view(dw, [...filterShape]);
  }
  // Early layers (many pixels): im2col's rows are contiguous copies; dW^T[Co, K] = dy^T · cols.
  const cols = backend.makeOutput([m, k], 'float32');
  const dyT = backend.makeOutput([co, m], 'float32');
  im2col(heap(backend, x), heap(backend, cols), c);
  transposeInto(heap(backend, dy), heap(backend, dyT), m, co);
  const dwT = matMul(backend, dyT, cols);
  const dw = backend.makeOutput([...filterShape], 'float32');
  transposeInto(heap(backend, dwT), heap(backend, dw), co, k);
  dispose(backend, cols, dyT, dwT);
  return dw;
}

/** W[kh,kw,ci,co] → Wf[KH-1-kh, KW-1-kw, co, ci]: the filter of the transposed convolution. */
function flipFilter(backend: WasmBackendLike, filter: TensorInfo, c: Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = c;
  const taps = kh * kw;
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = heap(backend, filter);
  const dst = heap(backend, out);
  const block = ci * co;
  for (let t = 0; t < taps; t++) {
    transposeInto(src.subarray(t * block, (t + 1) * block), dst.subarray((taps - 1 - t) * block), ci, co);
  }
  return out;
}

export function conv2dBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackendLike;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as {
    inputShape: [number, number, number, number];
    strides: [number, number] | number;
    pad: backend_util.PadInfo['type'] | number | backend_util.ExplicitPadding;
    dataFormat: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  nhwcOnly(dataFormat, 'Conv2DBackpropInput');
  const c = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad as never,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = c;
  const pt = kh - 1 - c.padInfo.top;
  const pl = kw - 1 - c.padInfo.left;
  const pb = h - oh - pt + kh - 1;
  const pr = w - ow - pl + kw - 1;
  const m = c.batchSize * oh * ow;
  const k = kh * kw * c.inChannels;
  const co = c.outChannels;
  // Stride 1 with a filter smaller than the activations (early layers): the transposed
  // convolution, whose filter XNNPACK packs cheaply. Otherwise (strided, or late layers where the
  // filter dwarfs the activations): dcolsT = W · dy^T, with nothing large to pack, then col2im.
  if (c.strideHeight === 1 && c.strideWidth === 1 && co <= m && Math.min(pt, pl, pb, pr) >= 0) {
    const flipped = flipFilter(backend, filter, c);
    const dx = callKernel(
      backend,
      'Conv2D',
      { x: dy, filter: flipped },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [pt, pb],
          [pl, pr],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
        dimRoundingMode: undefined as never,
      },
    );
    dispose(backend, flipped);
    return dx;
  }
  const dyT = backend.makeOutput([co, m], 'float32');
  transposeInto(heap(backend, dy), heap(backend, dyT), m, co);
  const dcolsT = matMul(backend, view(filter, [k, co]), dyT);
  const dx = backend.makeOutput([...inputShape], 'float32');
  col2imT(heap(backend, dcolsT), heap(backend, dx), c);
  dispose(backend, dyT, dcolsT);
  return dx;
}

export const wasmConvBackpropKernels: KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm as never },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputWasm as never },
];
