// Conv2D's two gradients as implicit GEMMs on the GPU (NHWC, dilation 1: what tfjs's gradients
// ask for). tfjs-backend-webgpu 4.22 computes the filter gradient with one thread per weight, each
// looping serially over batch × outH × outW (Conv2DDerFilterProgram), and the input gradient with
// a direct per-element loop unless WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE is turned off.
//
//   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[b,oh,ow,co]
//     GEMM with M = KH·KW·Cin (taps × in-channels), N = Cout, K = B·OH·OW, split-K over K.
//   dx[b,ih,iw,ci] = Σ_{kh,kw,co} dy[b, (ih+pt−kh)/sh, (iw+pl−kw)/sw, co] · W[kh,kw,ci,co]
//     (terms where the division is inexact or out of range are zero): the transposed convolution,
//     GEMM with M = B·H·W, N = Cin, K = KH·KW·Cout.
import {
  backend_util,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { runGemm } from './gemm.js';
import { keyOf, type GpuBackend } from './program.js';

type ConvInfo = backend_util.Conv2DInfo;

function geometry(c: ConvInfo): string {
  return keyOf(
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.outChannels,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.padInfo.top,
    c.padInfo.left,
  );
}

export function conv2dBackpropFilterGpu(backend: GpuBackend, x: TensorInfo, dy: TensorInfo, c: ConvInfo): TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = c;
  const KW = c.filterWidth;
  return runGemm(
    backend,
    {
      key: `dw_${geometry(c)}`,
      M: c.filterHeight * KW * CI,
      N: CO,
      K: c.batchSize * OH * OW,
      inputs: ['x', 'dy'],
      loadA: `
      let ci = m % ${CI}; let tap = m / ${CI};
      let kw = tap % ${KW}; let kh = tap / ${KW};
      let ow = k % ${OW}; let r = k / ${OW};
      let oh = r % ${OH}; let b = r / ${OH};
      let ih = oh * ${c.strideHeight} + kh - ${c.padInfo.top};
      let iw = ow * ${c.strideWidth} + kw - ${c.padInfo.left};
      if (ih < 0 || ih >= ${H} || iw < 0 || iw >= ${W}) { return 0.0; }
      return x[((b * ${H} + ih) * ${W} + iw) * ${CI} + ci];`,
      loadB: `return dy[k * ${CO} + n];`,
      aContiguous: 'm',
      bContiguous: 'n',
      outputShape: [c.filterHeight, KW, CI, CO],
    },
    [x, dy],
  );
}

export function conv2dBackpropInputGpu(backend: GpuBackend, dy: TensorInfo, w: TensorInfo, c: ConvInfo): TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = c;
  const KW = c.filterWidth;
  const SH = c.strideHeight;
  const SW = c.strideWidth;
  return runGemm(
    backend,
    {
      key: `dx_${geometry(c)}`,
      M: c.batchSize * H * W,
      N: CI,
      K: c.filterHeight * KW * CO,
      inputs: ['dy', 'w'],
      loadA: `
      let co = k % ${CO}; let tap = k / ${CO};
      let kw = tap % ${KW}; let kh = tap / ${KW};
      let iw = m % ${W}; let r = m / ${W};
      let ih = r % ${H}; let b = r / ${H};
      let ohs = ih + ${c.padInfo.top} - kh;
      let ows = iw + ${c.padInfo.left} - kw;
      if (ohs < 0 || ows < 0 || ohs % ${SH} != 0 || ows % ${SW} != 0) { return 0.0; }
      let oh = ohs / ${SH}; let ow = ows / ${SW};
      if (oh >= ${OH} || ow >= ${OW}) { return 0.0; }
      return dy[((b * ${OH} + oh) * ${OW} + ow) * ${CO} + co];`,
      loadB: `
      let co = k % ${CO}; let tap = k / ${CO};
      return w[(tap * ${CI} + n) * ${CO} + co];`,
      aContiguous: 'k',
      bContiguous: 'k',
      outputShape: [c.batchSize, H, W, CI],
    },
    [dy, w],
  );
}

/**
 * Kernel configs that replace the backend's. NCHW (which Anneal never uses) falls back to the
 * kernel that was registered before.
 */
export function webgpuConvBackpropKernels(previous: (name: string) => KernelFunc | undefined): KernelConfig[] {
  const prevFilter = previous(Conv2DBackpropFilter);
  const prevInput = previous(Conv2DBackpropInput);
  const filter: KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    const format = backend_util.convertConv2DDataFormat(a.dataFormat);
    if (format !== 'channelsLast' && prevFilter) return prevFilter(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      format,
    );
    return conv2dBackpropFilterGpu(args.backend as unknown as GpuBackend, x, dy, info);
  };
  const input: KernelFunc = (args) => {
    const { dy, filter: w } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const format = backend_util.convertConv2DDataFormat(a.dataFormat);
    if (format !== 'channelsLast' && prevInput) return prevInput(args);
    const info = backend_util.computeConv2DInfo(
      a.inputShape,
      w.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      format,
    );
    return conv2dBackpropInputGpu(args.backend as unknown as GpuBackend, dy, w, info);
  };
  return [
    { kernelName: Conv2DBackpropFilter, backendName: 'webgpu', kernelFunc: filter },
    { kernelName: Conv2DBackpropInput, backendName: 'webgpu', kernelFunc: input },
  ];
}
