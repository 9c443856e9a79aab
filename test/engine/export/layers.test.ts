// The ONNX converter layer by layer: one model that uses every layer type and activation the
// converter writes (odd sizes, "same" padding at stride 2, asymmetric zero padding, depthwise
// multipliers, dilation, merges of several inputs, reshapes into and out of images), run in
// onnxruntime against TF.js; with BGR caffe-style preprocessing, raw NCHW input and a dynamic
// batch; and what it refuses, each with an error naming the layer.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import type { RgbImage } from '../../../src-main/engine/data/types.js';
import {
  decodeModel,
  ExportError,
  ExportInfo,
  relL2,
  toOnnx,
  transpose,
} from '../../../src-main/engine/export/index.js';
import { ACTIVATIONS } from '../../../src-main/engine/export/onnx/activations.js';
import { IMAGENET_PREPROCESSING, type Preprocessing } from '../../../src-main/engine/models/index.js';
import { layersClassifier, onnxClassifier, OnnxClassifier } from '../../../src-main/engine/predict/index.js';
import { exportInfo } from './helpers.js';

type ST = tfl.SymbolicTensor;
const S = 13;

beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'cpu');
});

/** Seeded images: a different pattern per index, every value from 0 to 255 represented. */
function images(n: number): RgbImage[] {
  return Array.from({ length: n }, (_, k) => {
    const data = new Uint8Array(S * S * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * (37 + 6 * k) + ((i * i) >> 3) + 101 * k) % 256;
    return { width: S, height: S, data };
  });
}

/**
 * Seeded weights (tfjs-layers initialises from Math.random): kernels ~ U(±√(3 / fan-in)), and
 * BatchNormalization statistics away from 0 and 1, so that it is no identity and its epsilon counts.
 */
function seedWeights(model: tfl.LayersModel): void {
  let seed = 1;
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const shape = w.shape as number[];
      const kind = w.originalName.split('/').pop()!;
      const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
      const bound = Math.sqrt(3 / fanIn);
      const [lo, hi] =
        kind === 'moving_variance'
          ? [0.5, 2]
          : kind === 'gamma'
            ? [0.7, 1.3]
            : shape.length > 1
              ? [-bound, bound]
              : [-0.3, 0.3];
      return tf.randomUniform(shape, lo, hi, 'float32', seed++);
    });
    if (values.length) layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Every converter and activation, on a 13×13 image; 5 logits out. */
function kitchenSink(): tfl.LayersModel {
  const L = tfl.layers;
  const input = tfl.input({ shape: [S, S, 3], name: 'image' });
  const a = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6', name: 'a' }).apply(
    input,
  ) as ST;
  const b = L.depthwiseConv2d({
    kernelSize: 3,
    depthMultiplier: 2,
    strides: 2,
    padding: 'same',
    activation: 'tanh',
    name: 'b',
  }).apply(input) as ST;
  let c = L.conv2d({
    filters: 3,
    kernelSize: [2, 3],
    dilationRate: 2,
    padding: 'same',
    useBias: false,
    name: 'c',
  }).apply(input) as ST;
  c = L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'c.pool' }).apply(c) as ST;
  const d = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'd' }).apply(input) as ST;
  let x = L.concatenate({ name: 'cat' }).apply([a, b, c, d]) as ST; // [7, 7, 16]
  x = L.batchNormalization({ center: false, name: 'bn1' }).apply(x) as ST;
  x = L.batchNormalization({ scale: false, epsilon: 0.01, name: 'bn2' }).apply(x) as ST;
  const acts = ACTIVATIONS.map((act) => L.activation({ activation: act, name: `act.${act}` }).apply(x) as ST);
  const sum = L.add({ name: 'sum' }).apply(acts) as ST;
  const avg = L.average({ name: 'avg' }).apply(acts.slice(0, 4)) as ST;
  const max = L.maximum({ name: 'max' }).apply(acts.slice(2, 6)) as ST;
  const min = L.minimum({ name: 'min' }).apply(acts.slice(4, 8)) as ST;
  const mul = L.multiply({ name: 'mul' }).apply(acts.slice(6, 9)) as ST;
  x = L.add({ name: 'merge' }).apply([sum, avg, max, min, mul]) as ST;
  x = L.reLU({ maxValue: 1.5, name: 'relu.max' }).apply(x) as ST;
  const leaky = L.leakyReLU({ alpha: 0.1, name: 'leaky' }).apply(x) as ST;
  const elu = L.elu({ name: 'elu' }).apply(x) as ST;
  const soft = L.softmax({ axis: -1, name: 'softmax.channels' }).apply(x) as ST;
  x = L.concatenate({ axis: 3, name: 'cat2' }).apply([leaky, elu, soft]) as ST; // [7, 7, 48]
  x = L.zeroPadding2d({
    padding: [
      [1, 0],
      [0, 2],
    ],
    name: 'pad',
  }).apply(x) as ST; // [8, 9, 48]
  x = L.conv2d({ filters: 6, kernelSize: 2, padding: 'valid', name: 'valid' }).apply(x) as ST; // [7, 8, 6]
  x = L.dropout({ rate: 0.5, name: 'drop' }).apply(x) as ST;
  const pooled = L.globalAveragePooling2d({ name: 'gap' }).apply(x) as ST; // [6]
  const gmp = L.globalMaxPooling2d({ name: 'gmp' }).apply(x) as ST; // [6]
  let y = L.flatten({ name: 'flat' }).apply(x) as ST; // [336]: NHWC order matters here
  y = L.dense({ units: 8, activation: 'selu', name: 'fc1' }).apply(y) as ST;
  y = L.reshape({ targetShape: [2, 4], name: 'to3d' }).apply(y) as ST;
  y = L.flatten({ name: 'flat3d' }).apply(y) as ST;
  y = L.reshape({ targetShape: [2, 2, 2], name: 'to4d' }).apply(y) as ST; // back into an image
  y = L.conv2d({ filters: 4, kernelSize: 1, name: 'pointwise' }).apply(y) as ST;
  y = L.reshape({ targetShape: [16], name: 'to2d' }).apply(y) as ST;
  // Named like the graph's output: the converter must not give its node the name "probs".
  y = L.batchNormalization({ name: 'probs' }).apply(y) as ST;
  y = L.concatenate({ name: 'cat3' }).apply([y, pooled, gmp]) as ST;
  const logits = L.dense({ units: 5, name: 'logits' }).apply(y) as ST;
  const model = tfl.model({ inputs: input, outputs: logits });
  seedWeights(model);
  return model;
}

const CAFFE: Preprocessing = {
  scale: 1,
  mean: [103.94, 116.78, 123.68],
  std: [57.4, 57.1, 58.4],
  channels: 'BGR',
  interpolation: 'bilinear',
};

function meta(preprocessing: Preprocessing) {
  return { arch: 'kitchen-sink', labels: ['a', 'b', 'c', 'd', 'e'], inputSize: S, preprocessing };
}

async function compare(model: tfl.LayersModel, info: ExportInfo, n: number) {
  const m = meta(info.preprocessing);
  const ort = await OnnxClassifier.fromBytes(toOnnx(model, info, '0.1.0'), 'test');
  try {
    const got = await onnxClassifier(ort).classify(images(n));
    const want = await layersClassifier(model, m, 'model-dir').classify(images(n));
    return { got, want };
  } finally {
    await ort.release();
  }
}

describe('every layer and activation the converter writes', () => {
  let model: tfl.LayersModel;
  beforeAll(() => {
    model = kitchenSink();
  });

  it.each([
    ['ImageNet RGB, pixels / 255', IMAGENET_PREPROCESSING],
    ['caffe-style BGR, raw pixel scale', CAFFE],
  ])('matches TF.js in onnxruntime from raw pixels: %s', async (_n, p) => {
    const before = tf.memory().numTensors;
    const { got, want } = await compare(model, exportInfo(meta(p)), 3);
    expect(relL2(got.logits, want.logits)).toBeLessThan(1e-5);
    expect(relL2(got.probs, want.probs)).toBeLessThan(1e-5);
    // Not a degenerate model: the images get different outputs.
    expect(relL2(want.logits.slice(0, 5), want.logits.slice(5, 10))).toBeGreaterThan(1e-2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches TF.js with --raw-input (normalised NCHW, no preprocessing in the graph)', async () => {
    const { got, want } = await compare(model, exportInfo(meta(CAFFE), 'normalised-nchw'), 2);
    expect(relL2(got.logits, want.logits)).toBeLessThan(1e-5);
  });

  it('has a dynamic batch: three images at once give what each gives alone', async () => {
    const info = exportInfo(meta(IMAGENET_PREPROCESSING));
    const ort = await OnnxClassifier.fromBytes(toOnnx(model, info, '0.1.0'), 'test');
    try {
      const batch = await onnxClassifier(ort).classify(images(3));
      for (let i = 0; i < 3; i++) {
        const alone = await onnxClassifier(ort).classify([images(3)[i]!]);
        expect(relL2(batch.logits.slice(i * 5, i * 5 + 5), alone.logits)).toBeLessThan(1e-6);
      }
    } finally {
      await ort.release();
    }
  });

  it('writes a valid opset-13 ModelProto: named input and outputs, dynamic N, metadata', () => {
    const info = exportInfo(meta(CAFFE));
    const m = decodeModel(toOnnx(model, info, '9.9.9')) as {
      irVersion: number;
      opsetImport: { domain?: string; version: number }[];
      producerName: string;
      producerVersion: string;
      graph: { input: unknown[]; output: unknown[]; node: { opType: string }[] };
      metadataProps: { key: string; value: string }[];
    };
    expect(m.irVersion).toBe(7);
    expect(m.opsetImport).toEqual([{ domain: '', version: 13 }]);
    expect([m.producerName, m.producerVersion]).toEqual(['Anneal', '9.9.9']);
    const dims = (v: unknown) =>
      (
        v as { type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }
      ).type.tensorType.shape.dim.map((d) => d.dimParam ?? d.dimValue);
    expect(m.graph.input.map((v) => (v as { name: string }).name)).toEqual(['image']);
    expect(dims(m.graph.input[0])).toEqual(['N', S, S, 3]);
    expect(m.graph.output.map((v) => [(v as { name: string }).name, dims(v)])).toEqual([
      ['logits', ['N', 5]],
      ['probs', ['N', 5]],
    ]);
    // The preprocessing is in the graph: BGR reorder, scale, mean, std, then NCHW.
    expect(m.graph.node.slice(0, 5).map((n) => n.opType)).toEqual(['Gather', 'Div', 'Sub', 'Div', 'Transpose']);
    const props = Object.fromEntries(m.metadataProps.map((p) => [p.key, JSON.parse(p.value)]));
    expect(ExportInfo.parse(props.anneal)).toEqual(info);
    expect(props.labels).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('what the converter refuses, naming the layer', () => {
  const refuses = (build: (input: ST) => ST, message: RegExp, shape = [S, S, 3], classes = 5) => {
    const input = tfl.input({ shape });
    const model = tfl.model({ inputs: input, outputs: build(input) });
    const labels = Array.from({ length: classes }, (_, i) => `c${i}`);
    const info = exportInfo({ arch: 'x', labels, inputSize: S, preprocessing: IMAGENET_PREPROCESSING });
    try {
      expect(() => toOnnx(model, info, '0.1.0')).toThrow(ExportError);
      expect(() => toOnnx(model, info, '0.1.0')).toThrow(message);
    } finally {
      model.dispose();
    }
  };
  const head = (x: ST) =>
    tfl.layers.dense({ units: 5 }).apply(tfl.layers.globalAveragePooling2d({}).apply(x) as ST) as ST;

  it('a layer type it has no converter for', () =>
    refuses(
      (x) => head(tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(x) as ST),
      /^up: UpSampling2D layers have no ONNX export \(supported: Conv2D, /,
    ));
  it('an activation it cannot write', () =>
    refuses(
      (x) => head(tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'mish', name: 'm' }).apply(x) as ST),
      /^m: activation "mish" has no ONNX export/,
    ));
  it('channels-first convolutions', () =>
    refuses(
      (x) =>
        head(tfl.layers.conv2d({ filters: 2, kernelSize: 1, dataFormat: 'channelsFirst', name: 'cf' }).apply(x) as ST),
      /^cf: data format channelsFirst/,
    ));
  it('an output that is not [N, classes]', () =>
    refuses(
      (x) => tfl.layers.conv2d({ filters: 5, kernelSize: 1 }).apply(x) as ST,
      /outputs \[N,13,13,5\]; expected \[N, 5\] logits/,
    ));
  it('an input that is not a square RGB image of the input size', () =>
    refuses(head, /takes \[N,13,13,1\]; expected \[N, 13, 13, 3\]/, [S, S, 1]));
  it('labels that do not match the outputs', () =>
    refuses(head, /outputs \[N,5\]; expected \[N, 4\] logits/, [S, S, 3], 4));
});

describe('transpose', () => {
  it('is numpy.transpose', () => {
    // a = arange(6).reshape(2, 3): a.T = [[0, 3], [1, 4], [2, 5]]
    expect(Array.from(transpose(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
    // arange(24).reshape(2, 3, 4).transpose(2, 0, 1)[1] = [[1, 5, 9], [13, 17, 21]]
    const t = transpose(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [2, 3, 4],
      [2, 0, 1],
    );
    expect(Array.from(t.slice(6, 12))).toEqual([1, 5, 9, 13, 17, 21]);
  });
});
