// One TF.js layer as ONNX opset-13 nodes. Weights are transposed from TF.js's layouts (conv
// kernels HWIO, depthwise HW·C·M, dense IO) to ONNX's (OIHW, grouped OIHW, Gemm's K×N), and
// paddings written out explicitly so that they are TF's to the pixel (tf.nn.conv2d's "SAME": the
// extra pixel of an odd total goes after, i.e. ONNX SAME_UPPER).
import type * as tfl from '@tensorflow/tfjs-layers';
import { ExportError } from '../errors.js';
import { activation } from './activations.js';
import { attr, type Graph, type Value } from './graph.js';

type Config = Record<string, unknown>;
export type LayerConverter = (g: Graph, layer: tfl.layers.Layer, inputs: Value[], config: Config) => Value;

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];
const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/** Row-major transpose of `data` (shape `shape`) by `perm`, as numpy.transpose. */
export function transpose(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const permStrides = perm.map((p) => strides[p]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += index[i]! * permStrides[i]!;
    out[o] = data[src]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i]! < outShape[i]!) break;
      index[i] = 0;
    }
  }
  return out;
}

/** The layer's weights by their short name (kernel, bias, gamma, moving_mean, …), copied out. */
function weights(layer: tfl.layers.Layer): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const w of layer.weights) {
    const value = w.read();
    if (value.dtype !== 'float32')
      throw new ExportError(`${layer.name}: ${w.originalName} is ${value.dtype}, not float32`);
    out.set(w.originalName.split('/').pop()!, {
      shape: value.shape,
      data: Float32Array.from(value.dataSync() as Float32Array),
    });
  }
  return out;
}

function weight(layer: tfl.layers.Layer, all: ReturnType<typeof weights>, key: string) {
  const w = all.get(key);
  if (!w) throw new ExportError(`${layer.name}: no ${key} weight`);
  return w;
}

export function pair(v: unknown, what: string, layer: tfl.layers.Layer): [number, number] {
  const a = typeof v === 'number' ? [v, v] : (v as number[] | null);
  if (!Array.isArray(a) || a.length !== 2 || !a.every((n) => Number.isInteger(n)))
    throw new ExportError(`${layer.name}: ${what} ${JSON.stringify(v)} is not two whole numbers`);
  return [a[0]!, a[1]!];
}

export function channelsLast(layer: tfl.layers.Layer, config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
    throw new ExportError(`${layer.name}: data format ${String(config.dataFormat)}; only channelsLast is exported`);
}

function needNchw(layer: tfl.layers.Layer, x: Value): void {
  if (x.layout !== 'nchw') throw new ExportError(`${layer.name}: expects a 4-D image tensor, got shape [${x.shape}]`);
}

/** ONNX pads [top, left, bottom, right] for TF's padding mode on a known input size. */
export function pads(
  layer: tfl.layers.Layer,
  mode: unknown,
  input: readonly (number | null)[],
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number] = [1, 1],
): number[] {
  if (mode === 'valid') return [0, 0, 0, 0];
  if (mode !== 'same') throw new ExportError(`${layer.name}: padding "${String(mode)}" is not exported`);
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 2; i++) {
    const size = input[1 + i];
    if (typeof size !== 'number') throw new ExportError(`${layer.name}: "same" padding needs a fixed input size`);
    const k = (kernel[i]! - 1) * dilation[i]! + 1;
    const total = Math.max((Math.ceil(size / strides[i]!) - 1) * strides[i]! + k - size, 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [...before, ...after];
}

export function outputShape(layer: tfl.layers.Layer): (number | null)[] {
  const s = layer.outputShape;
  if (Array.isArray(s[0])) throw new ExportError(`${layer.name}: layers with several outputs are not exported`);
  return [...(s as (number | null)[])];
}

const convolution: LayerConverter = (g, layer, [x], config) => {
  channelsLast(layer, config);
  needNchw(layer, x!);
  const depthwise = layer.getClassName() === 'DepthwiseConv2D';
  const w = weights(layer);
  const kernel = weight(layer, w, depthwise ? 'depthwise_kernel' : 'kernel');
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  // Conv2D: HWIO → OIHW. Depthwise: TF's output channel c·M + m reads input channel c, exactly
  // ONNX's grouped convolution with group = C and weight [C·M, 1, kh, kw].
  const W = depthwise
    ? g.floats(`${layer.name}.weight`, [cin * cout, 1, kh, kw], transpose(kernel.data, [kh, kw, cin * cout], [2, 0, 1]))
    : g.floats(`${layer.name}.weight`, [cout, cin, kh, kw], transpose(kernel.data, kernel.shape, [3, 2, 0, 1]));
  const inputs = [x!.name, W];
  if (config.useBias) {
    const b = weight(layer, w, 'bias');
    inputs.push(g.floats(`${layer.name}.bias`, b.shape, b.data));
  }
  const strides = pair(config.strides, 'strides', layer);
  const dilations = pair(config.dilationRate ?? 1, 'dilation', layer);
  const y: Value = {
    name: g.op('Conv', inputs, `${layer.name}.conv`, [
      attr.ints('kernel_shape', [kh, kw]),
      attr.ints('strides', strides),
      attr.ints('dilations', dilations),
      attr.ints('pads', pads(layer, config.padding, x!.shape, [kh, kw], strides, dilations)),
      attr.int('group', depthwise ? cin : 1),
    ]),
    layout: 'nchw',
    shape: outputShape(layer),
  };
  return activation(g, y, String(config.activation ?? 'linear'), layer.name, layer.name);
};

const batchNormalization: LayerConverter = (g, layer, [x], config) => {
  const rank = x!.shape.length;
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis];
  if (axis.length !== 1 || !(axis[0] === -1 || axis[0] === rank - 1))
    throw new ExportError(
      `${layer.name}: batch normalisation over axis ${JSON.stringify(config.axis)}; only the channel axis is exported`,
    );
  if (!(x!.layout === 'nchw' || rank === 2))
    throw new ExportError(`${layer.name}: batch normalisation of a rank-${rank} tensor is not exported`);
  const w = weights(layer);
  const mean = weight(layer, w, 'moving_mean');
  const channels = mean.shape[0]!;
  const gamma = config.scale === false ? new Float32Array(channels).fill(1) : weight(layer, w, 'gamma').data;
  const beta = config.center === false ? new Float32Array(channels) : weight(layer, w, 'beta').data;
  // BatchNormalization-9 (opset 13): inference form, channel axis 1 in NCHW and in [N, C].
  const name = g.op(
    'BatchNormalization',
    [
      x!.name,
      g.floats(`${layer.name}.gamma`, [channels], gamma),
      g.floats(`${layer.name}.beta`, [channels], beta),
      g.floats(`${layer.name}.moving_mean`, [channels], mean.data),
      g.floats(`${layer.name}.moving_variance`, [channels], weight(layer, w, 'moving_variance').data),
    ],
    layer.name,
    [attr.float('epsilon', Number(config.epsilon ?? 1e-3))],
  );
  return { ...x!, name };
};

const activationLayer: LayerConverter = (g, layer, [x], config) =>
  activation(g, x!, String(config.activation), layer.name, layer.name);

const identity: LayerConverter = (_g, _layer, [x]) => x!;

/** The activation layers with parameters (tfjs-layers advanced_activations.ts). */
const reluLayer: LayerConverter = (g, layer, [x], config) => {
  if (config.maxValue === null || config.maxValue === undefined)
    return { ...x!, name: g.op('Relu', [x!.name], layer.name) };
  const lo = g.floats(`${layer.name}.min`, [], Float32Array.of(0));
  const hi = g.floats(`${layer.name}.max`, [], Float32Array.of(Number(config.maxValue)));
  return { ...x!, name: g.op('Clip', [x!.name, lo, hi], layer.name) };
};

const leakyRelu: LayerConverter = (g, layer, [x], config) => ({
  ...x!,
  name: g.op('LeakyRelu', [x!.name], layer.name, [attr.float('alpha', Number(config.alpha ?? 0.3))]),
});

const eluLayer: LayerConverter = (g, layer, [x], config) => ({
  ...x!,
  name: g.op('Elu', [x!.name], layer.name, [attr.float('alpha', Number(config.alpha ?? 1))]),
});

const softmaxLayer: LayerConverter = (g, layer, [x], config) => {
  const rank = x!.shape.length;
  const given = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
  if (given.length !== 1) throw new ExportError(`${layer.name}: softmax over several axes is not exported`);
  const tfAxis = ((Number(given[0]) % rank) + rank) % rank;
  const axis = x!.layout === 'nchw' ? NCHW_AXIS[tfAxis]! : tfAxis;
  return { ...x!, name: g.op('Softmax', [x!.name], layer.name, [attr.int('axis', axis)]) };
};

const zeroPadding: LayerConverter = (g, layer, [x], config) => {
  channelsLast(layer, config);
  needNchw(layer, x!);
  const p = config.padding as [[number, number], [number, number]];
  const [[top, bottom], [left, right]] = p;
  const name = g.op(
    'Pad',
    [x!.name, g.int64s(`${layer.name}.pads`, [0, 0, top, left, 0, 0, bottom, right])],
    layer.name,
  );
  return { name, layout: 'nchw', shape: outputShape(layer) };
};

const pooling: LayerConverter = (g, layer, [x], config) => {
  channelsLast(layer, config);
  needNchw(layer, x!);
  const kernel = pair(config.poolSize, 'pool size', layer);
  const strides = pair(config.strides ?? config.poolSize, 'strides', layer);
  const max = layer.getClassName() === 'MaxPooling2D';
  const attributes = [
    attr.ints('kernel_shape', kernel),
    attr.ints('strides', strides),
    attr.ints('pads', pads(layer, config.padding, x!.shape, kernel, strides)),
  ];
  // TF's average pooling leaves the padding out of the count (ONNX count_include_pad = 0, the default).
  const name = g.op(max ? 'MaxPool' : 'AveragePool', [x!.name], layer.name, attributes);
  return { name, layout: 'nchw', shape: outputShape(layer) };
};

const globalPooling: LayerConverter = (g, layer, [x], config) => {
  channelsLast(layer, config);
  needNchw(layer, x!);
  const op = layer.getClassName() === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  const pooled = g.op(op, [x!.name], config.keepDims ? layer.name : `${layer.name}.pool`);
  // [N, C, 1, 1] is TF.js's keepDims [N, 1, 1, C] in NCHW; without keepDims, [N, C].
  if (config.keepDims) return { name: pooled, layout: 'nchw', shape: outputShape(layer) };
  return {
    name: g.op('Flatten', [pooled], layer.name, [attr.int('axis', 1)]),
    layout: 'plain',
    shape: outputShape(layer),
  };
};

/** A 4-D NCHW value back in TF.js's own NHWC order (for reshapes and flattening, which follow memory order). */
function asTfOrder(g: Graph, x: Value, name: string): string {
  return x.layout === 'nchw' ? g.op('Transpose', [x.name], `${name}.nhwc`, [attr.ints('perm', TO_NHWC)]) : x.name;
}

const reshape: LayerConverter = (g, layer, [x], config) => {
  const target = config.targetShape as number[];
  // 0 copies the batch size from the input (Reshape-13), so the batch stays dynamic.
  const shape = g.int64s(`${layer.name}.shape`, [0, ...target]);
  const out = outputShape(layer);
  if (out.length !== 4)
    return { name: g.op('Reshape', [asTfOrder(g, x!, layer.name), shape], layer.name), layout: 'plain', shape: out };
  const nhwc = g.op('Reshape', [asTfOrder(g, x!, layer.name), shape], `${layer.name}.reshape`);
  return { name: g.op('Transpose', [nhwc], layer.name, [attr.ints('perm', TO_NCHW)]), layout: 'nchw', shape: out };
};

const flatten: LayerConverter = (g, layer, [x]) => ({
  name: g.op('Flatten', [asTfOrder(g, x!, layer.name)], layer.name, [attr.int('axis', 1)]),
  layout: 'plain',
  shape: outputShape(layer),
});

const dense: LayerConverter = (g, layer, [x], config) => {
  if (x!.shape.length !== 2 || x!.layout !== 'plain')
    throw new ExportError(
      `${layer.name}: a dense layer on a rank-${x!.shape.length} tensor is not exported (flatten or pool first)`,
    );
  const w = weights(layer);
  const kernel = weight(layer, w, 'kernel');
  const inputs = [x!.name, g.floats(`${layer.name}.weight`, kernel.shape, kernel.data)];
  if (config.useBias) {
    const b = weight(layer, w, 'bias');
    inputs.push(g.floats(`${layer.name}.bias`, b.shape, b.data));
  }
  // Gemm: A [N, K] · B [K, units] + C, the kernel as TF.js stores it.
  const y: Value = { name: g.op('Gemm', inputs, `${layer.name}.gemm`), layout: 'plain', shape: outputShape(layer) };
  return activation(g, y, String(config.activation ?? 'linear'), layer.name, layer.name);
};

function merge(op: 'Sum' | 'Mul' | 'Mean' | 'Max' | 'Min'): LayerConverter {
  return (g, layer, inputs) => {
    const first = inputs[0]!;
    if (inputs.some((v) => v.layout !== first.layout || v.shape.length !== first.shape.length))
      throw new ExportError(`${layer.name}: inputs of different ranks are not exported`);
    // Same-rank broadcasting ([N, H, W, C] · [N, 1, 1, C]) holds in NCHW too: [N, C, H, W] · [N, C, 1, 1].
    const names = inputs.map((v) => v.name);
    let name: string;
    if (op === 'Mul') {
      // A binary operator: a chain, left to right, as tfjs-layers' Multiply folds its inputs.
      name = names[0]!;
      names.slice(1).forEach((n, i) => {
        name = g.op(op, [name, n], i === names.length - 2 ? layer.name : `${layer.name}.${i}`);
      });
    } else {
      name = g.op(op === 'Sum' && names.length === 2 ? 'Add' : op, names, layer.name);
    }
    return { name, layout: first.layout, shape: outputShape(layer) };
  };
}

const concatenate: LayerConverter = (g, layer, inputs, config) => {
  const first = inputs[0]!;
  const rank = first.shape.length;
  const tfAxis = ((Number(config.axis ?? -1) % rank) + rank) % rank;
  if (inputs.some((v) => v.layout !== first.layout))
    throw new ExportError(`${layer.name}: inputs of different ranks are not exported`);
  const axis = first.layout === 'nchw' ? NCHW_AXIS[tfAxis]! : tfAxis;
  const name = g.op(
    'Concat',
    inputs.map((v) => v.name),
    layer.name,
    [attr.int('axis', axis)],
  );
  return { name, layout: first.layout, shape: outputShape(layer) };
};

/** Converters by tfjs-layers class name. */
export const LAYER_CONVERTERS: Record<string, LayerConverter> = {
  Conv2D: convolution,
  DepthwiseConv2D: convolution,
  BatchNormalization: batchNormalization,
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  ELU: eluLayer,
  Softmax: softmaxLayer,
  Dropout: identity,
  ZeroPadding2D: zeroPadding,
  MaxPooling2D: pooling,
  AveragePooling2D: pooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
  Reshape: reshape,
  Flatten: flatten,
  Dense: dense,
  Add: merge('Sum'),
  Multiply: merge('Mul'),
  Average: merge('Mean'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Concatenate: concatenate,
};
