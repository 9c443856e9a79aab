// DepthwiseConv2dNativeBackpropFilter on the GPU (NHWC, dilation 1):
//   dW[kh,kw,c,q] = Σ_{b,oh,ow} x[b, oh·sh+kh−pt, ow·sw+kw−pl, c] · dy[b,oh,ow,c·mult+q]
// tfjs-backend-webgpu 4.22 gives each weight one thread that loops over all batch × pixels
// (EfficientNet-B0's first depthwise layer at batch 32, 224 px: 288 threads of ~400k products).
// Here a workgroup of 32 output channels × 8 pixel lanes takes one tap and one slice of the
// batch × pixels: lanes stride over their slice, then the 8 partial sums meet in workgroup
// memory, and slices are summed by a second dispatch (split-K, as in gemm.ts).
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { sumSlicesProgram } from './gemm.js';
import { gridProgram, keyOf, run, type GpuBackend } from './program.js';

const CH = 32;
const LANES = 8;
const TARGET_GROUPS = 512;
const MIN_PIXELS_PER_SLICE = 1024;

export function depthwiseBackpropFilterGpu(
  backend: GpuBackend,
  x: TensorInfo,
  dy: TensorInfo,
  c: backend_util.Conv2DInfo,
): TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CM } = c;
  const mult = CM / C;
  const taps = c.filterHeight * c.filterWidth;
  const pixels = c.batchSize * OH * OW;
  const blocks = Math.ceil(CM / CH);
  const want = Math.ceil(TARGET_GROUPS / (blocks * taps));
  const slices0 = Math.max(1, Math.min(want, Math.floor(pixels / MIN_PIXELS_PER_SLICE)));
  const perSlice = Math.ceil(pixels / slices0 / LANES) * LANES;
  const slices = Math.ceil(pixels / perSlice);
  const outputShape = [c.filterHeight, c.filterWidth, C, mult];
  const body = `
    var<workgroup> partial : array<f32, ${CH * LANES}>;
    fn main() {
      let g = groupIndex();
      let tap = g / ${blocks};
      let q = (g % ${blocks}) * ${CH} + lane() % ${CH};
      let pl = lane() / ${CH};
      let kh = tap / ${c.filterWidth};
      let kw = tap % ${c.filterWidth};
      let ch = q / ${mult};
      let start = layer() * ${perSlice};
      let end = min(start + ${perSlice}, ${pixels});
      var s = 0.0;
      if (q < ${CM}) {
        for (var p = start + pl; p < end; p += ${LANES}) {
          let ow = p % ${OW}; let r = p / ${OW};
          let oh = r % ${OH}; let b = r / ${OH};
          let ih = oh * ${c.strideHeight} + kh - ${c.padInfo.top};
          let iw = ow * ${c.strideWidth} + kw - ${c.padInfo.left};
          if (ih >= 0 && ih < ${H} && iw >= 0 && iw < ${W}) {
            s = fma(x[((b * ${H} + ih) * ${W} + iw) * ${C} + ch], dy[p * ${CM} + q], s);
          }
        }
      }
      partial[lane()] = s;
      workgroupBarrier();
      if (pl == 0 && q < ${CM}) {
        var t = 0.0;
        for (var i = 0; i < ${LANES}; i++) { t += partial[i * ${CH} + lane()]; }
        result[(layer() * ${taps} + tap) * ${CM} + q] = t;
      }
    }`;
  const key = keyOf(
    'dwfilter',
    c.batchSize,
    H,
    W,
    C,
    OH,
    OW,
    CM,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.padInfo.top,
    c.padInfo.left,
    slices,
    perSlice,
  );
  const program = gridProgram(
    key,
    ['x', 'dy'],
    slices > 1 ? [slices, taps, CM] : outputShape,
    blocks * taps,
    slices,
    CH * LANES,
    body,
  );
  const first = run(backend, program, [x, dy]);
  if (slices === 1) return first;
  return run(backend, sumSlicesProgram(slices, outputShape), [first], [first]);
}

export function webgpuDepthwiseBackpropKernels(previous: (name: string) => KernelFunc | undefined): KernelConfig[] {
  const prev = previous(DepthwiseConv2dNativeBackpropFilter);
  const kernelFunc: KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      true,
    );
    // Dilated depthwise convolutions (none in the zoo) keep the backend's own kernel.
    if ((info.dilationHeight !== 1 || info.dilationWidth !== 1) && prev) return prev(args);
    return depthwiseBackpropFilterGpu(args.backend as unknown as GpuBackend, x, dy, info);
  };
  return [{ kernelName: DepthwiseConv2dNativeBackpropFilter, backendName: 'webgpu', kernelFunc }];
}
