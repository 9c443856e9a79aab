// One tfjs-layers layer as ONNX nodes for a training step: the forward in training mode (batch
// statistics in a trainable BatchNormalization, the dropout mask fed in) and its backward rule on
// the graph's tape. The rules are the derivatives tfjs-core registers for the same kernels
// (tfjs-core/src/gradients/*_grad.ts): Conv2D (conv2DBackpropInput / conv2DBackpropFilter),
// FusedBatchNorm (with the gradient through the batch mean and variance, as tf.moments' autodiff
// gives it), Relu (dy·step(x)), MaxPool (the gradient to the first maximum), Pad (a slice),
// Mean (spread evenly), MatMul. A layer without a rule here makes the whole model fall back to
// the TF.js step (UnsupportedLayer, with the reason).
import type * as tfl from '@tensorflow/tfjs-layers';
import { channelsLast, outputShape, pads, pair } from '../export/onnx/layers.js';
import { depthwiseFilterGrad, filterGrad, inputGrad, type ConvGeometry } from './conv-grad.js';
import { attr, onnxShape, type TrainGraph, type TValue } from './graph.js';

type Config = Record<string, unknown>;

/** A model layer this engine has no training rule for (the trainer then uses TF.js). */
export class UnsupportedLayer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedLayer';
  }
}

/** A layer weight as a graph input (TF.js layout), and whether its gradient is an output. */
export interface ParamInput {
  input: string;
  shape: readonly number[];
  trainable: boolean;
}

/** What a rule needs from the graph being built, besides the graph itself. */
export interface TrainContext {
  g: TrainGraph;
  /** The weight `key` (kernel, bias, gamma, moving_mean, …) of `layer` as a graph input; null if the layer has none. */
  param(layer: tfl.layers.Layer, key: string): ParamInput | null;
  /** Declares `grad` (TF.js layout) the gradient of a trainable weight. */
  paramGrad(p: ParamInput, grad: string): void;
  /** A training-mode BatchNormalization's batch mean and (biased) variance, [C] each. */
  batchStats(layer: tfl.layers.Layer, mean: string, variance: string, channels: number): void;
  /** A graph input holding the layer's dropout mask (0 or 1/(1 − rate) per element), of ONNX shape `dims`. */
  dropoutMask(layer: tfl.layers.Layer, dims: readonly number[], rate: number): string;
}

export type TrainRule = (c: TrainContext, layer: tfl.layers.Layer, inputs: TValue[], config: Config) => TValue;

function need(layer: tfl.layers.Layer, ok: boolean, what: string): void {
  if (!ok) throw new UnsupportedLayer(`${layer.name} (${layer.getClassName()}): ${what}`);
}

function outShape(layer: tfl.layers.Layer, batch: number): number[] {
  return outputShape(layer).map((d, i) => (i === 0 ? batch : d!));
}

const AXES_NHW = [0, 2, 3];

/** ReduceSum over `axes` (opset 13: axes as an input). */
function reduceSum(g: TrainGraph, x: string, axes: readonly number[], keep: boolean, name: string): string {
  return g.op('ReduceSum', [x, g.int64s(`${name}.axes`, axes)], name, [attr.int('keepdims', keep ? 1 : 0)]);
}

function reshape(g: TrainGraph, x: string, dims: readonly number[], name: string): string {
  return g.op('Reshape', [x, g.int64s(`${name}.shape`, dims)], name);
}

const conv: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  channelsLast(layer, config);
  need(layer, x!.layout === 'nchw', 'expects a 4-D image tensor');
  need(layer, (config.activation ?? 'linear') === 'linear', `a fused ${String(config.activation)} activation`);
  const dil = pair(config.dilationRate ?? 1, 'dilation', layer);
  need(layer, dil[0] === 1 && dil[1] === 1, 'dilated convolution');
  const depthwise = layer.getClassName() === 'DepthwiseConv2D';
  need(layer, !depthwise || Number(config.depthMultiplier ?? 1) === 1, 'a depth multiplier other than 1');
  const k = c.param(layer, depthwise ? 'depthwise_kernel' : 'kernel')!;
  const bias = config.useBias ? c.param(layer, 'bias') : null;
  const [kh, kw] = k.shape as [number, number, number, number];
  const strides = pair(config.strides, 'strides', layer);
  const p = pads(layer, config.padding, x!.shape, [kh, kw], strides);
  // The weight stays HWIO as TF.js holds it (the optimizer's layout); the graph transposes it.
  // Depthwise: HWC1 → [C, 1, kh, kw], ONNX's grouped convolution with group = C.
  const perm = depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1];
  const w = g.op('Transpose', [k.input], `${layer.name}.oihw`, [attr.ints('perm', perm)]);
  const name = g.op('Conv', [x!.name, w, ...(bias ? [bias.input] : [])], `${layer.name}.conv`, [
    attr.ints('kernel_shape', [kh, kw]),
    attr.ints('strides', strides),
    attr.ints('pads', p),
    attr.int('group', depthwise ? k.shape[2]! : 1),
  ]);
  const y: TValue = {
    name,
    layout: 'nchw',
    shape: outShape(layer, x!.shape[0]!),
    grad: x!.grad || k.trainable || !!bias?.trainable,
  };
  const geometry: ConvGeometry = { x: onnxShape(x!), dy: onnxShape(y), kernel: [kh, kw], strides, pads: p };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy) return;
    const kernelGrad = depthwise ? depthwiseFilterGrad : filterGrad;
    if (k.trainable) c.paramGrad(k, kernelGrad(g, x!.name, dy, geometry, `${layer.name}.kernel.grad`));
    if (bias?.trainable) c.paramGrad(bias, reduceSum(g, dy, AXES_NHW, false, `${layer.name}.bias.grad`));
    if (x!.grad) g.addGrad(x!, inputGrad(g, dy, { hwio: k.input, oihw: w }, geometry, layer.name, depthwise));
  });
  return y;
};

/** A per-channel vector [C] as [1, C, 1, 1] to broadcast over NCHW. */
function perChannel(g: TrainGraph, v: string, channels: number, name: string): string {
  return reshape(g, v, [1, channels, 1, 1], name);
}

const batchNorm: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis];
  need(layer, axis.length === 1 && (axis[0] === -1 || axis[0] === 3), 'normalises an axis other than channels');
  need(layer, x!.layout === 'nchw', 'batch normalisation of a non-image tensor');
  const eps = Number(config.epsilon ?? 1e-3);
  const mean = c.param(layer, 'moving_mean')!;
  const C = mean.shape[0]!;
  const gamma = config.scale === false ? null : c.param(layer, 'gamma');
  const beta = config.center === false ? null : c.param(layer, 'beta');
  const gammaIn = gamma?.input ?? g.floats(`${layer.name}.ones`, [C], new Float32Array(C).fill(1));
  const betaIn = beta?.input ?? g.floats(`${layer.name}.zeros`, [C], new Float32Array(C));
  const epsilon = [attr.float('epsilon', eps)];
  const [N, H, W] = x!.shape as [number, number, number, number];
  if (!layer.trainable) {
    // Frozen: inference mode on the moving statistics (models/batch-norm.ts, Keras's rule).
    const variance = c.param(layer, 'moving_variance')!;
    const name = g.op(
      'BatchNormalization',
      [x!.name, gammaIn, betaIn, mean.input, variance.input],
      layer.name,
      epsilon,
    );
    const y: TValue = { ...x!, name };
    g.backward(() => {
      const dy = g.gradOf(y);
      if (!dy || !x!.grad) return;
      const inv = g.op(
        'Reciprocal',
        [
          g.op(
            'Sqrt',
            [g.op('Add', [variance.input, g.scalar(`${layer.name}.eps`, eps)], `${layer.name}.var_eps`)],
            `${layer.name}.std`,
          ),
        ],
        `${layer.name}.inv`,
      );
      const scale = perChannel(g, g.op('Mul', [gammaIn, inv], `${layer.name}.scale`), C, `${layer.name}.scale4`);
      g.addGrad(x!, g.op('Mul', [dy, scale], `${layer.name}.dx`));
    });
    return y;
  }
  // Training: normalise with the batch's mean and biased variance (tf.moments, which tfjs-layers'
  // normalizeBatchInTraining uses), two-pass as tf.moments computes it.
  const M = N * H * W;
  const mean4 = g.op('ReduceMean', [x!.name], `${layer.name}.mean`, [
    attr.ints('axes', AXES_NHW),
    attr.int('keepdims', 1),
  ]);
  const centred = g.op('Sub', [x!.name, mean4], `${layer.name}.centred`);
  const sq = g.op('ReduceSumSquare', [centred], `${layer.name}.sq`, [
    attr.ints('axes', AXES_NHW),
    attr.int('keepdims', 1),
  ]);
  const var4 = g.op('Mul', [sq, g.scalar(`${layer.name}.inv_m`, 1 / M)], `${layer.name}.var`);
  const mean1 = reshape(g, mean4, [C], `${layer.name}.batch_mean`);
  const var1 = reshape(g, var4, [C], `${layer.name}.batch_var`);
  c.batchStats(layer, mean1, var1, C);
  // x̂ is kept for the backward pass; y from x in one fused pass rather than from x̂.
  const ones = g.floats(`${layer.name}.unit`, [C], new Float32Array(C).fill(1));
  const zeros = g.floats(`${layer.name}.origin`, [C], new Float32Array(C));
  const xhat = g.op('BatchNormalization', [x!.name, ones, zeros, mean1, var1], `${layer.name}.xhat`, epsilon);
  const name = g.op('BatchNormalization', [x!.name, gammaIn, betaIn, mean1, var1], layer.name, epsilon);
  const y: TValue = { ...x!, name, grad: true };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy) return;
    // dβ = Σ dy, dγ = Σ dy·x̂ (over N, H, W); dx = γ/σ · (dy − dβ/M − x̂·dγ/M) (Ioffe & Szegedy 2015, §3).
    const dbeta = reduceSum(g, dy, AXES_NHW, true, `${layer.name}.dbeta`);
    const dgamma = reduceSum(
      g,
      g.op('Mul', [dy, xhat], `${layer.name}.dy_xhat`),
      AXES_NHW,
      true,
      `${layer.name}.dgamma`,
    );
    if (gamma?.trainable) c.paramGrad(gamma, reshape(g, dgamma, [C], `${layer.name}.gamma.grad`));
    if (beta?.trainable) c.paramGrad(beta, reshape(g, dbeta, [C], `${layer.name}.beta.grad`));
    if (!x!.grad) return;
    const invM = g.scalar(`${layer.name}.inv_m2`, 1 / M);
    const std = g.op(
      'Sqrt',
      [g.op('Add', [var4, g.scalar(`${layer.name}.eps`, eps)], `${layer.name}.var_eps`)],
      `${layer.name}.std`,
    );
    const scale = g.op('Div', [perChannel(g, gammaIn, C, `${layer.name}.gamma4`), std], `${layer.name}.scale`);
    const a = g.op('Mul', [xhat, g.op('Mul', [dgamma, invM], `${layer.name}.dgamma_m`)], `${layer.name}.xhat_dgamma`);
    const b = g.op(
      'Sub',
      [g.op('Sub', [dy, a], `${layer.name}.dy_a`), g.op('Mul', [dbeta, invM], `${layer.name}.dbeta_m`)],
      `${layer.name}.dy_ab`,
    );
    g.addGrad(x!, g.op('Mul', [b, scale], `${layer.name}.dx`));
  });
  return y;
};

function relu(g: TrainGraph, x: TValue, name: string): TValue {
  const y: TValue = { ...x, name: g.op('Relu', [x.name], name) };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy || !x.grad) return;
    const on = g.op('Greater', [y.name, g.scalar(`${name}.zero`, 0)], `${name}.on`);
    g.addGrad(x, g.op('Where', [on, dy, g.scalar(`${name}.zero_grad`, 0)], `${name}.dx`));
  });
  return y;
}

function sigmoidLike(g: TrainGraph, x: TValue, kind: 'sigmoid' | 'swish', name: string): TValue {
  const s = g.op('Sigmoid', [x.name], kind === 'swish' ? `${name}.sigmoid` : name);
  const y: TValue = { ...x, name: kind === 'swish' ? g.op('Mul', [x.name, s], name) : s };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy || !x.grad) return;
    const one = g.scalar(`${name}.one`, 1);
    const ds = g.op('Mul', [s, g.op('Sub', [one, s], `${name}.1_s`)], `${name}.ds`);
    // swish' = s + x·s·(1 − s)
    const d = kind === 'swish' ? g.op('Add', [s, g.op('Mul', [x.name, ds], `${name}.x_ds`)], `${name}.dswish`) : ds;
    g.addGrad(x, g.op('Mul', [dy, d], `${name}.dx`));
  });
  return y;
}

function activation(g: TrainGraph, layer: tfl.layers.Layer, x: TValue, fn: string): TValue {
  if (fn === 'linear') return x;
  if (fn === 'relu') return relu(g, x, layer.name);
  if (fn === 'sigmoid' || fn === 'swish') return sigmoidLike(g, x, fn, layer.name);
  throw new UnsupportedLayer(`${layer.name}: activation ${fn}`);
}

const activationLayer: TrainRule = (c, layer, [x], config) => activation(c.g, layer, x!, String(config.activation));

const reluLayer: TrainRule = (c, layer, [x], config) => {
  need(layer, config.maxValue == null, 'a capped ReLU');
  return relu(c.g, x!, layer.name);
};

const zeroPadding: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  channelsLast(layer, config);
  need(layer, x!.layout === 'nchw', 'expects a 4-D image tensor');
  const [[top, bottom], [left, right]] = config.padding as [[number, number], [number, number]];
  const name = g.op(
    'Pad',
    [x!.name, g.int64s(`${layer.name}.pads`, [0, 0, top, left, 0, 0, bottom, right])],
    layer.name,
  );
  const y: TValue = { ...x!, name, shape: outShape(layer, x!.shape[0]!) };
  const [, H, W] = x!.shape as [number, number, number, number];
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy || !x!.grad) return;
    const starts = g.int64s(`${layer.name}.starts`, [top, left]);
    const ends = g.int64s(`${layer.name}.ends`, [top + H, left + W]);
    g.addGrad(x!, g.op('Slice', [dy, starts, ends, g.int64s(`${layer.name}.axes`, [2, 3])], `${layer.name}.dx`));
  });
  return y;
};

const maxPool: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  channelsLast(layer, config);
  need(layer, x!.layout === 'nchw', 'expects a 4-D image tensor');
  const kernel = pair(config.poolSize, 'pool size', layer);
  const strides = pair(config.strides ?? config.poolSize, 'strides', layer);
  const p = pads(layer, config.padding, x!.shape, kernel, strides);
  // Indices: each maximum's flat position in x (NCHW, storage_order 0).
  const [name, indices] = g.multi(
    'MaxPool',
    [x!.name],
    [layer.name, `${layer.name}.argmax`],
    [attr.ints('kernel_shape', kernel), attr.ints('strides', strides), attr.ints('pads', p)],
  );
  const y: TValue = { ...x!, name: name!, shape: outShape(layer, x!.shape[0]!) };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy || !x!.grad) return;
    const size = onnxShape(x!).reduce((a, b) => a * b, 1);
    const flat = [-1];
    const zeros = g.op('ConstantOfShape', [g.int64s(`${layer.name}.size`, [size])], `${layer.name}.zeros`);
    // Overlapping windows send several gradients to one pixel: scatter with reduction "add" (opset 16).
    const scattered = g.op(
      'ScatterElements',
      [zeros, reshape(g, indices!, flat, `${layer.name}.idx_flat`), reshape(g, dy, flat, `${layer.name}.dy_flat`)],
      `${layer.name}.scatter`,
      [attr.int('axis', 0), attr.string('reduction', 'add')],
    );
    g.addGrad(x!, reshape(g, scattered, onnxShape(x!), `${layer.name}.dx`));
  });
  return y;
};

const globalAverage: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  channelsLast(layer, config);
  need(layer, x!.layout === 'nchw', 'expects a 4-D image tensor');
  need(layer, !config.keepDims, 'keepDims');
  const [N, H, W, C] = x!.shape as [number, number, number, number];
  const pooled = g.op('GlobalAveragePool', [x!.name], `${layer.name}.pool`);
  const y: TValue = { name: reshape(g, pooled, [N, C], layer.name), layout: 'plain', shape: [N, C], grad: x!.grad };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy || !x!.grad) return;
    const each = g.op(
      'Mul',
      [reshape(g, dy, [N, C, 1, 1], `${layer.name}.dy4`), g.scalar(`${layer.name}.inv_hw`, 1 / (H * W))],
      `${layer.name}.each`,
    );
    g.addGrad(x!, g.op('Expand', [each, g.int64s(`${layer.name}.full`, [N, C, H, W])], `${layer.name}.dx`));
  });
  return y;
};

const dropout: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  const rate = Number(config.rate ?? 0);
  need(layer, config.noiseShape == null, 'a dropout noise shape');
  if (!(rate > 0)) return x!;
  const mask = c.dropoutMask(layer, onnxShape(x!), rate);
  const y: TValue = { ...x!, name: g.op('Mul', [x!.name, mask], layer.name) };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (dy && x!.grad) g.addGrad(x!, g.op('Mul', [dy, mask], `${layer.name}.dx`));
  });
  return y;
};

const dense: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  need(layer, x!.layout === 'plain' && x!.shape.length === 2, 'a dense layer on a tensor that is not [N, features]');
  const k = c.param(layer, 'kernel')!;
  const bias = config.useBias ? c.param(layer, 'bias') : null;
  const gemm = g.op('Gemm', [x!.name, k.input, ...(bias ? [bias.input] : [])], `${layer.name}.gemm`);
  const lin: TValue = {
    name: gemm,
    layout: 'plain',
    shape: outShape(layer, x!.shape[0]!),
    grad: x!.grad || k.trainable || !!bias?.trainable,
  };
  g.backward(() => {
    const dy = g.gradOf(lin);
    if (!dy) return;
    if (k.trainable) c.paramGrad(k, g.op('Gemm', [x!.name, dy], `${layer.name}.kernel.grad`, [attr.int('transA', 1)]));
    if (bias?.trainable) c.paramGrad(bias, reduceSum(g, dy, [0], false, `${layer.name}.bias.grad`));
    if (x!.grad) g.addGrad(x!, g.op('Gemm', [dy, k.input], `${layer.name}.dx`, [attr.int('transB', 1)]));
  });
  return activation(g, layer, lin, String(config.activation ?? 'linear'));
};

const add: TrainRule = (c, layer, inputs) => {
  const g = c.g;
  need(
    layer,
    inputs.every((v) => v.shape.join() === inputs[0]!.shape.join()),
    'broadcasting inputs',
  );
  const names = inputs.map((v) => v.name);
  const y: TValue = {
    ...inputs[0]!,
    name: g.op(names.length === 2 ? 'Add' : 'Sum', names, layer.name),
    grad: inputs.some((v) => v.grad),
  };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (dy) for (const v of inputs) g.addGrad(v, dy);
  });
  return y;
};

const identity: TrainRule = (_c, _layer, [x]) => x!;

/** [N, C] → [N, 1, 1, C] (EfficientNet's squeeze-and-excitation), held as [N, C, 1, 1]. */
const reshapeLayer: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  const target = config.targetShape as number[];
  const [N, C] = x!.shape as [number, number];
  need(
    layer,
    x!.layout === 'plain' && x!.shape.length === 2 && target.join() === `1,1,${C}`,
    `a reshape to [${target}]`,
  );
  const y: TValue = {
    name: reshape(g, x!.name, [N, C, 1, 1], layer.name),
    layout: 'nchw',
    shape: [N, 1, 1, C],
    grad: x!.grad,
  };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (dy && x!.grad) g.addGrad(x!, reshape(g, dy, [N, C], `${layer.name}.dx`));
  });
  return y;
};

/** Two inputs, the second may broadcast over height and width ([N, H, W, C] · [N, 1, 1, C]). */
const multiply: TrainRule = (c, layer, inputs) => {
  const g = c.g;
  need(layer, inputs.length === 2 && inputs[0]!.layout === inputs[1]!.layout, 'more than two inputs');
  const [a, b] = inputs as [TValue, TValue];
  const big = a.shape.reduce((p, q) => p * q, 1) >= b.shape.reduce((p, q) => p * q, 1) ? a : b;
  const y: TValue = { ...big, name: g.op('Mul', [a.name, b.name], layer.name), grad: a.grad || b.grad };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy) return;
    for (const [v, other] of [
      [a, b],
      [b, a],
    ] as const) {
      if (!v.grad) continue;
      const full = g.op('Mul', [dy, other.name], `${layer.name}.d${v === a ? 'a' : 'b'}`);
      // Sum over the axes the input was broadcast along.
      const ys = onnxShape(y);
      const axes = onnxShape(v).flatMap((d, i) => (d === 1 && ys[i]! > 1 ? [i] : []));
      g.addGrad(v, axes.length ? reduceSum(g, full, axes, true, `${full}.sum`) : full);
    }
  });
  return y;
};

/** Training rules by tfjs-layers class name. */
export const TRAIN_RULES: Record<string, TrainRule> = {
  Conv2D: conv,
  DepthwiseConv2D: conv,
  Reshape: reshapeLayer,
  Multiply: multiply,
  BatchNormalization: batchNorm,
  Activation: activationLayer,
  ReLU: reluLayer,
  ZeroPadding2D: zeroPadding,
  MaxPooling2D: maxPool,
  GlobalAveragePooling2D: globalAverage,
  Dropout: dropout,
  Dense: dense,
  Add: add,
  Flatten: (c, layer, [x]) => {
    need(layer, x!.layout === 'plain', 'flattening an image tensor');
    return identity(c, layer, [x!], {});
  },
};
