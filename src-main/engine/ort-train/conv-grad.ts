// The gradients of a convolution as ONNX operators, onnxruntime having no training operators in
// its npm build. With x [N, Ci, H, W], kernel k×k, stride s, pads p, dy [N, Co, Ho, Wo]:
//   input gradient  dx: at stride 1 a Conv of dy with the kernel turned 180° and channels swapped;
//                   else ConvTranspose(dy, W) with the forward's stride and pads, output_padding
//                   making up the rows a strided forward left unread (as PyTorch's conv2d_input)
//   filter gradient dW[i, j, ci, co] = Σ_n,y,x xpad[n, ci, y·s + i, x·s + j] · dy[n, co, y, x]
// The filter gradient's ONNX forms, measured on ResNet-18's layer shapes at 224 px
// (docs/benchmarks.md, "The training step in onnxruntime"; bench/ort-conv-grads.ts):
//   'im2col'   the k² windows of the input (one grouped one-hot Conv, or strided Slices), one GEMM
//              per image or one over N·Ho·Wo (byIm2col), coming out in TF.js's HWIO order;
//   'conv'     the forward Conv with roles swapped (batch ↔ channels, dilation = stride), as
//              PyTorch's conv2d_weight does for grouped/dilated cases: input xᵀ [Ci, N, H, W],
//              filter dyᵀ [Co, N, Ho, Wo] → [Ci, Co, k', k'] cropped to k×k; slower on every
//              shape measured, kept for ANNEAL_ORT_FILTER_GRAD=conv.
import { attr, type TrainGraph } from './graph.js';

export type FilterGradMethod = 'im2col' | 'conv';

export interface ConvGeometry {
  /** ONNX shapes: x [N, Ci, H, W], dy [N, Co, Ho, Wo]. */
  x: readonly number[];
  dy: readonly number[];
  kernel: [number, number];
  strides: [number, number];
  /** ONNX pads [top, left, bottom, right]. */
  pads: readonly number[];
}

/**
 * The method for one layer shape: ANNEAL_ORT_FILTER_GRAD forces one (to measure); otherwise
 * im2col, which measured fastest on every ResNet-18 shape (see the header).
 */
export function filterGradMethod(): FilterGradMethod {
  const forced = process.env.ANNEAL_ORT_FILTER_GRAD;
  return forced === 'conv' ? 'conv' : 'im2col';
}

/** dW in TF.js's HWIO layout [kh, kw, Ci, Co]. */
export function filterGrad(g: TrainGraph, x: string, dy: string, c: ConvGeometry, name: string): string {
  return filterGradMethod() === 'conv' ? byConv(g, x, dy, c, name) : byIm2col(g, x, dy, c, name);
}

/** The k² strided windows of the (padded) input a strided k×k convolution reads, one per tap (i, j). */
export function taps(
  g: TrainGraph,
  xp: string,
  c: ConvGeometry,
  name: string,
  spatialAxes: [number, number],
): string[] {
  const [, , Ho, Wo] = c.dy as [number, number, number, number];
  const [kh, kw] = c.kernel;
  const [sh, sw] = c.strides;
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1) return [xp];
  const out: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      out.push(
        g.op(
          'Slice',
          [
            xp,
            g.int64s(`${name}.starts`, [i, j]),
            g.int64s(`${name}.ends`, [i + (Ho - 1) * sh + 1, j + (Wo - 1) * sw + 1]),
            g.int64s(`${name}.axes`, spatialAxes),
            g.int64s(`${name}.steps`, [sh, sw]),
          ],
          `${name}.tap`,
        ),
      );
    }
  }
  return out;
}

/**
 * The k² windows of the (padded) input a strided k×k convolution reads, as channels: one grouped
 * Conv with one-hot kernels (group = Ci, k² outputs per group), [N, Ci·k², Ho, Wo] in (ci, tap)
 * order. Threaded and padding by itself, unlike a Pad and k² Slices.
 */
function unfold(g: TrainGraph, x: string, c: ConvGeometry, name: string): string {
  const Ci = c.x[1]!;
  const [kh, kw] = c.kernel;
  const T = kh * kw;
  const onehot = new Float32Array(Ci * T * T);
  for (let ci = 0; ci < Ci; ci++) for (let t = 0; t < T; t++) onehot[(ci * T + t) * T + t] = 1;
  return g.op('Conv', [x, g.floats(`${name}.onehot`, [Ci * T, 1, kh, kw], onehot)], `${name}.unfold`, [
    attr.ints('kernel_shape', [kh, kw]),
    attr.ints('strides', c.strides),
    attr.ints('pads', [...c.pads]),
    attr.int('group', Ci),
  ]);
}

export function padded(g: TrainGraph, x: string, c: ConvGeometry, name: string): string {
  const [pt, pl, pb, pr] = c.pads as [number, number, number, number];
  if (!(pt || pl || pb || pr)) return x;
  return g.op('Pad', [x, g.int64s(`${name}.pads`, [0, 0, pt, pl, 0, 0, pb, pr])], `${name}.xpad`);
}

/**
 * Per tap, a GEMM of the window against dy, the k² [Ci, Co] blocks stacked in (i, j) order, which
 * is TF.js's HWIO. Where the feature map is larger than the output channels (ResNet's first two
 * stages), one batched GEMM per image ([Ci, Ho·Wo] · [Ho·Wo, Co], FusedMatMul transB) summed over
 * N; where it is smaller (the last two), one GEMM over N·Ho·Wo on transposed operands, rather than
 * writing N partial [Ci, Co] products.
 */
function byIm2col(g: TrainGraph, x: string, dy: string, c: ConvGeometry, name: string): string {
  const [N, Ci] = c.x as [number, number, number, number];
  const [, Co, Ho, Wo] = c.dy as [number, number, number, number];
  const [kh, kw] = c.kernel;
  const HW = Ho * Wo;
  let blocks: string[];
  const layout = process.env.ANNEAL_ORT_DW;
  const batched = layout === 'batched' || (layout !== 'transposed' && HW >= Co);
  if (batched && kh * kw > 1 && process.env.ANNEAL_ORT_UNFOLD !== '0') {
    // All k² windows in one grouped Conv with one-hot kernels (group = Ci, k² outputs per group),
    // multi-threaded and padding by itself, instead of a Pad and k² single-threaded Slices (~10%
    // less CPU per ResNet-18 step, measured; ANNEAL_ORT_UNFOLD=0 for the Slices). Channels come
    // out (ci, tap)-ordered: one batched GEMM, summed over N, then (ci, tap, co) → HWIO.
    const T = kh * kw;
    const cols = unfold(g, x, c, name);
    const dy3 = g.op('Reshape', [dy, g.int64s(`${name}.dy_shape`, [N, Co, HW])], `${name}.dy3`);
    const per = g.opIn(
      'com.microsoft',
      'FusedMatMul',
      [g.op('Reshape', [cols, g.int64s(`${name}.cols_shape`, [N, Ci * T, HW])], `${name}.cols3`), dy3],
      `${name}.per_image`,
      [attr.int('transB', 1)],
    );
    const sum = g.op('ReduceSum', [per, g.int64s(`${name}.batch_axis`, [0])], `${name}.sum`, [attr.int('keepdims', 0)]);
    const citc = g.op('Reshape', [sum, g.int64s(`${name}.citc`, [Ci, kh, kw, Co])], `${name}.ci_t_co`);
    return g.op('Transpose', [citc], `${name}.dW`, [attr.ints('perm', [1, 2, 0, 3])]);
  }
  if (batched) {
    const dy3 = g.op('Reshape', [dy, g.int64s(`${name}.dy_shape`, [N, Co, HW])], `${name}.dy3`);
    const per = taps(g, padded(g, x, c, name), c, name, [2, 3]).map((t) =>
      g.opIn(
        'com.microsoft',
        'FusedMatMul',
        [g.op('Reshape', [t, g.int64s(`${name}.tap_shape`, [N, Ci, HW])], `${name}.tap3`), dy3],
        `${name}.per_image`,
        [attr.int('transB', 1)],
      ),
    );
    const stacked = per.length === 1 ? per[0]! : g.op('Concat', per, `${name}.stacked`, [attr.int('axis', 1)]);
    blocks = [
      g.op('ReduceSum', [stacked, g.int64s(`${name}.batch_axis`, [0])], `${name}.sum`, [attr.int('keepdims', 0)]),
    ];
  } else {
    // [Ci, N, H, W]: each tap is then [Ci, N·Ho·Wo] as it lies in memory.
    const xT = g.op('Transpose', [x], `${name}.xT`, [attr.ints('perm', [1, 0, 2, 3])]);
    const dyT = g.op(
      'Reshape',
      [
        g.op('Transpose', [dy], `${name}.dy_nhwc`, [attr.ints('perm', [0, 2, 3, 1])]),
        g.int64s(`${name}.dy_rows`, [N * HW, Co]),
      ],
      `${name}.dyT`,
    );
    blocks = taps(g, padded(g, xT, c, name), c, name, [2, 3]).map((t) =>
      g.op(
        'MatMul',
        [g.op('Reshape', [t, g.int64s(`${name}.tap_rows`, [Ci, N * HW])], `${name}.tap2`), dyT],
        `${name}.block`,
      ),
    );
  }
  const all = blocks.length === 1 ? blocks[0]! : g.op('Concat', blocks, `${name}.blocks`, [attr.int('axis', 0)]);
  return g.op('Reshape', [all, g.int64s(`${name}.hwio`, [kh, kw, Ci, Co])], `${name}.dW`);
}

function byConv(g: TrainGraph, x: string, dy: string, c: ConvGeometry, name: string): string {
  const [, , H, W] = c.x as [number, number, number, number];
  const [, , Ho, Wo] = c.dy as [number, number, number, number];
  const [kh, kw] = c.kernel;
  const [sh, sw] = c.strides;
  const [pt, pl, pb, pr] = c.pads as [number, number, number, number];
  const swap = [attr.ints('perm', [1, 0, 2, 3])];
  const xT = g.op('Transpose', [x], `${name}.xT`, swap);
  const dyT = g.op('Transpose', [dy], `${name}.dyT`, swap);
  // The strided forward reads rows up to (Ho−1)·s + k − 1 of the padded input; cut the bottom/right
  // padding so the swapped convolution's output is at most that, then crop to k×k.
  const endH = Math.min(pb, (Ho - 1) * sh + kh - (H + pt));
  const endW = Math.min(pr, (Wo - 1) * sw + kw - (W + pl));
  const r = g.op('Conv', [xT, dyT], `${name}.swapped`, [
    attr.ints('kernel_shape', [Ho, Wo]),
    attr.ints('dilations', [sh, sw]),
    attr.ints('strides', [1, 1]),
    attr.ints('pads', [pt, pl, Math.max(endH, 0), Math.max(endW, 0)]),
  ]);
  const cropped = g.op(
    'Slice',
    [r, g.int64s(`${name}.starts`, [0, 0]), g.int64s(`${name}.ends`, [kh, kw]), g.int64s(`${name}.axes`, [2, 3])],
    `${name}.crop`,
  );
  // [Ci, Co, kh, kw] → HWIO.
  return g.op('Transpose', [cropped], `${name}.dW`, [attr.ints('perm', [2, 3, 0, 1])]);
}

/**
 * dx. Stride 1: a plain Conv of dy with the kernel turned 180° and its channels swapped, padded
 * k − 1 − p (the correlation identity), which runs on onnxruntime's fast NCHWc convolutions.
 * Otherwise ConvTranspose of dy with the forward's filter (OIHW), output_padding restoring the
 * rows a strided forward left unread (as PyTorch's conv2d_input).
 */
export function inputGrad(
  g: TrainGraph,
  dy: string,
  w: ConvWeights,
  c: ConvGeometry,
  name: string,
  depthwise = false,
): string {
  const group = depthwise ? c.x[1]! : 1;
  const [, , H, W] = c.x as [number, number, number, number];
  const [, , Ho, Wo] = c.dy as [number, number, number, number];
  const [kh, kw] = c.kernel;
  const [sh, sw] = c.strides;
  const [pt, pl, pb, pr] = c.pads as [number, number, number, number];
  if (sh === 1 && sw === 1 && process.env.ANNEAL_ORT_INPUT_GRAD !== 'transpose') {
    // [ci, co, kh, kw] from HWIO, reversed in both spatial axes. Turning a kh×kw kernel 180°
    // reverses its flat tap index, so: HWIO as [kh·kw, Ci·Co], reversed along the first axis (a
    // Slice copying whole Ci·Co rows, 6 ms), then one 2-D transpose to [Ci·Co, kh·kw] (an Einsum,
    // which the transpose optimizer leaves alone; 18 ms). A Transpose perm [2, 3, 0, 1] then a
    // Slice stepping −1 on both spatial axes took 30 + 34 ms per ResNet-18 224 px step, on 1
    // thread as on 2 (bench/ort-train-spike.ts, PROFILE=1).
    // Depthwise: the forward's [C, 1, kh, kw] as [C, kh·kw], reversed along the second axis.
    const T = kh * kw;
    const [rows, axis] = depthwise
      ? [g.op('Reshape', [w.oihw, g.int64s(`${name}.w_ct`, [group, T])], `${name}.w_ct`), 1]
      : [g.op('Reshape', [w.hwio, g.int64s(`${name}.w_rows`, [T, -1])], `${name}.w_rows`), 0];
    const big = -(2 ** 31);
    const reversed = g.op(
      'Slice',
      [
        rows,
        g.int64s(`${name}.flip_starts`, [-1]),
        g.int64s(`${name}.flip_ends`, [big]),
        g.int64s(`${name}.flip_axes`, [axis]),
        g.int64s(`${name}.flip_steps`, [-1]),
      ],
      `${name}.w_rev`,
    );
    const io = depthwise ? reversed : g.op('Einsum', [reversed], `${name}.w_io`, [attr.string('equation', 'ab->ba')]);
    const flipped = g.op(
      'Reshape',
      [io, g.int64s(`${name}.w_flip_shape`, [depthwise ? group : c.x[1]!, depthwise ? 1 : c.dy[1]!, kh, kw])],
      `${name}.w_flip`,
    );
    return g.op('Conv', [dy, flipped], `${name}.dx`, [
      attr.ints('kernel_shape', [kh, kw]),
      attr.ints('pads', [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr]),
      attr.int('group', group),
    ]);
  }
  const outPad = [H - (sh * (Ho - 1) + kh - pt - pb), W - (sw * (Wo - 1) + kw - pl - pr)];
  return g.op('ConvTranspose', [dy, w.oihw], `${name}.dx`, [
    attr.ints('kernel_shape', [kh, kw]),
    attr.ints('strides', [sh, sw]),
    attr.ints('pads', [...c.pads]),
    attr.ints('output_padding', outPad),
    attr.int('group', group),
  ]);
}

/** A convolution's filter in both layouts the gradients read: the input (HWIO) and the forward's OIHW. */
export interface ConvWeights {
  hwio: string;
  oihw: string;
}

/**
 * A depthwise filter's gradient, HWIO [kh, kw, C, 1]: dW[i, j, c] = Σ over N, Ho, Wo of the tap
 * (i, j) window of channel c times dy's channel c. The k² windows come from unfold (threaded,
 * padding by itself), then one batched GEMV per (image, channel): [k², Ho·Wo] · [Ho·Wo, 1],
 * summed over N. k² strided Slices of a padded input,
 * each times dy and reduced, ran the Slices on one thread: 443 of the 644 ms EfficientNet-B0's
 * depthwise filter gradients took per 224 px batch-16 step on 2 threads (bench/ort-train-spike.ts,
 * PROFILE=1).
 */
export function depthwiseFilterGrad(g: TrainGraph, x: string, dy: string, c: ConvGeometry, name: string): string {
  const [N, C] = c.x as [number, number, number, number];
  const [, , Ho, Wo] = c.dy as [number, number, number, number];
  const [kh, kw] = c.kernel;
  const T = kh * kw;
  const HW = Ho * Wo;
  const cols = unfold(g, x, c, name);
  const per = g.op(
    'MatMul',
    [
      g.op('Reshape', [cols, g.int64s(`${name}.cols_shape`, [N, C, T, HW])], `${name}.cols4`),
      g.op('Reshape', [dy, g.int64s(`${name}.dy_shape`, [N, C, HW, 1])], `${name}.dy4`),
    ],
    `${name}.per_image`,
  );
  const ct = g.op('ReduceSum', [per, g.int64s(`${name}.batch_axis`, [0])], `${name}.sum`, [attr.int('keepdims', 0)]);
  const tc = g.op('Transpose', [g.op('Reshape', [ct, g.int64s(`${name}.ct`, [C, T])], `${name}.ct2`)], `${name}.tc`, [
    attr.ints('perm', [1, 0]),
  ]);
  return g.op('Reshape', [tc, g.int64s(`${name}.hwio`, [kh, kw, C, 1])], `${name}.dW`);
}
