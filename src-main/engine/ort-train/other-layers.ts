// Activations, padding, pooling, dropout, dense, and the merges (add, multiply, reshape), forward
// and backward, as ONNX nodes.
import type * as tfl from '@tensorflow/tfjs-layers';
import { channelsLast, pads, pair } from '../export/onnx/layers.js';
import { attr, onnxShape, type TrainGraph, type TValue } from './graph.js';
import { need, outShape, reduceSum, reshape, UnsupportedLayer, type TrainRule } from './rule.js';

function relu(g: TrainGraph, x: TValue, name: string): TValue {
  const y: TValue = { ...x, name: g.op('Relu', [x.name], name) };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy || !x.grad) return;
    // dy · step(y), the step as HardSigmoid max(0, min(1, 2¹²⁷·y)) twice: exactly 0 at y = 0 and 1
    // for any y > 0 (the smallest subnormal, 2⁻¹⁴⁹, reaches 2⁻²² after one pass, 1 after two).
    // onnxruntime threads HardSigmoid and Mul but not Sign, Where or Cast: per ResNet-18 224 px
    // step, Sign took 61 ms on 1 thread and 59 on 2, Where(y > 0, dy, 0) ~99 on both, Greater +
    // Cast ~40 and ~38; the two HardSigmoids ~44 and ~27 (bench/ort-train-spike.ts, PROFILE=1).
    const hs = [attr.float('alpha', 2 ** 127), attr.float('beta', 0)];
    const once = g.op('HardSigmoid', [y.name], `${name}.step1`, hs);
    const mask = g.op('HardSigmoid', [once], `${name}.step`, hs);
    g.addGrad(x, g.op('Mul', [dy, mask], `${name}.dx`));
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
    const oneMinus = g.op('Sub', [one, s], `${name}.1_s`);
    // sigmoid' = s·(1 − s); swish' = s + x·s·(1 − s) = s + y·(1 − s), with y = x·s the forward's
    // output: one elementwise pass fewer over the activation than forming s·(1 − s) first.
    const d =
      kind === 'swish'
        ? g.op('Add', [s, g.op('Mul', [y.name, oneMinus], `${name}.y_1_s`)], `${name}.dswish`)
        : g.op('Mul', [s, oneMinus], `${name}.ds`);
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

export const activationLayer: TrainRule = (c, layer, [x], config) =>
  activation(c.g, layer, x!, String(config.activation));

export const reluLayer: TrainRule = (c, layer, [x], config) => {
  need(layer, config.maxValue == null, 'a capped ReLU');
  return relu(c.g, x!, layer.name);
};

export const zeroPadding: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  channelsLast(layer, config);
  need(layer, x!.layout === 'nchw', 'expects a 4-D image tensor');
  const [[top, bottom], [left, right]] = config.padding as [[number, number], [number, number]];
  const name = g.op(
    'Pad',
    [x!.name, g.int64s(`${layer.name}.pads`, [0, 0, top, left, 0, 0, bottom, right])],
    layer.name,
  );
  const y: TValue = {
    ...x!,
    name,
    shape: outShape(layer, x!.shape),
  };
  g.paddings.set(name, { x: x!, pads: [top, left, bottom, right] });
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

export const maxPool: TrainRule = (c, layer, [x], config) => {
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
  const y: TValue = { ...x!, name: name!, shape: outShape(layer, x!.shape) };
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

export const globalAverage: TrainRule = (c, layer, [x], config) => {
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

export const dropout: TrainRule = (c, layer, [x], config) => {
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

export const dense: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  need(layer, x!.layout === 'plain' && x!.shape.length === 2, 'a dense layer on a tensor that is not [N, features]');
  const k = c.param(layer, 'kernel')!;
  const bias = config.useBias ? c.param(layer, 'bias') : null;
  const gemm = g.op('Gemm', [x!.name, k.input, ...(bias ? [bias.input] : [])], `${layer.name}.gemm`);
  const lin: TValue = {
    name: gemm,
    layout: 'plain',
    shape: outShape(layer, x!.shape),
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

export const add: TrainRule = (c, layer, inputs) => {
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

export const identity: TrainRule = (_c, _layer, [x]) => x!;

/** [N, C] → [N, 1, 1, C] (EfficientNet's squeeze-and-excitation), held as [N, C, 1, 1]. */
export const reshapeLayer: TrainRule = (c, layer, [x], config) => {
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
export const multiply: TrainRule = (c, layer, inputs) => {
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
