// A tfjs-layers classifier's training step as one ONNX graph, for onnxruntime-node (which has no
// training build): the forward in training mode, softmax cross-entropy, and the backward pass,
// generated layer by layer (layers.ts) and differentiated in reverse (graph.ts's tape).
//
// Inputs: "x" normalised pixels [N, S, S, 3] (NHWC, as TF.js and the forward graph take them);
// every weight the model reads, under its tf.Variable name, in TF.js's layout (inputs, not
// initializers: the TF.js variables stay the one copy the optimizer, checkpoints and exports use);
// "targets" [N, C] (soft: one-hot, smoothed or mixed, built by JS) and "weights" [N] per sample;
// one dropout mask per active Dropout layer.
// Outputs: "loss" = Σ wᵢ·CE(softmax(zᵢ), tᵢ) / Σ wᵢ, which with one-hot targets and wᵢ = class
// weight of yᵢ is train/loss.ts's crossEntropy (torch.nn.CrossEntropyLoss(weight=w)); "logits";
// "grad:<variable>" for every trainable weight; "mean:<layer>" / "var:<layer>" for every
// BatchNormalization in training mode (the caller updates the moving statistics).
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { encodeModel } from '../export/onnx/proto.js';
import { attr, TrainGraph, type TValue } from './graph.js';
import { TRAIN_RULES, UnsupportedLayer, type ParamInput, type TrainContext } from './layers.js';

/** Opset 17: ScatterElements' reduction (16); ReduceMean still takes its axes as an attribute (< 18). */
const OPSET = 17;

export const TRAIN_NAMES = { x: 'x', targets: 'targets', weights: 'weights', loss: 'loss', logits: 'logits' } as const;

export interface TrainGraphSpec {
  batch: number;
  inputSize: number;
  /** Names of the tf.Variables that get gradients (the trainer's trainable set). */
  trainable: ReadonlySet<string>;
}

export interface TrainGraphInfo {
  bytes: Uint8Array;
  classes: number;
  /** Every weight fed, with its graph input name. */
  params: { input: string; variable: tf.Variable; shape: number[] }[];
  /** Gradient outputs: the variable's name → the output's name. */
  grads: { variable: string; output: string; shape: number[] }[];
  /** Training-mode BatchNormalization layers: their batch statistics' outputs. */
  batchStats: { layer: tfl.layers.Layer; mean: string; variance: string }[];
  /** Dropout layers: the mask input, its shape and rate. */
  masks: { input: string; dims: number[]; rate: number }[];
}

function variableOfWeight(w: tfl.LayerVariable): tf.Variable {
  return w.read() as tf.Variable;
}

/** The layers after the input in an order where each layer's inputs come first (as convert.ts walks them). */
function ordered(model: tfl.LayersModel): tfl.layers.Layer[] {
  const seen = new Set<number>([model.inputs[0]!.id]);
  const pending = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const out: tfl.layers.Layer[] = [];
  while (pending.length) {
    const i = pending.findIndex((l) => l.inboundNodes.some((n) => n.inputTensors.every((t) => seen.has(t.id))));
    if (i < 0) throw new UnsupportedLayer(`${pending[0]!.name}: its inputs are never computed`);
    const [layer] = pending.splice(i, 1);
    if (layer!.inboundNodes.length !== 1) throw new UnsupportedLayer(`${layer!.name}: a layer applied more than once`);
    out.push(layer!);
    for (const t of layer!.inboundNodes[0]!.outputTensors) seen.add(t.id);
  }
  return out;
}

/** The training-step graph of `model`; throws UnsupportedLayer where a layer has no rule. */
export function toOnnxTrain(model: tfl.LayersModel, spec: TrainGraphSpec): TrainGraphInfo {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new UnsupportedLayer(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  const outShape = model.outputs[0]!.shape;
  if (outShape.length !== 2 || outShape[1] == null) throw new UnsupportedLayer('the model output is not [N, classes]');
  const C = outShape[1];
  const N = spec.batch;
  const S = spec.inputSize;
  const g = new TrainGraph();
  g.input(TRAIN_NAMES.x, [N, S, S, 3]);
  g.input(TRAIN_NAMES.targets, [N, C]);
  g.input(TRAIN_NAMES.weights, [N]);
  g.claim(TRAIN_NAMES.loss);
  g.claim(TRAIN_NAMES.logits);
  const info: TrainGraphInfo = {
    bytes: new Uint8Array(),
    classes: C,
    params: [],
    grads: [],
    batchStats: [],
    masks: [],
  };
  const byVariable = new Map<string, ParamInput>();
  const ctx: TrainContext = {
    g,
    param(layer, key) {
      const w = layer.weights.find((v) => v.originalName.split('/').pop() === key);
      if (!w) return null;
      const variable = variableOfWeight(w);
      const known = byVariable.get(variable.name);
      if (known) return known;
      if (variable.dtype !== 'float32') throw new UnsupportedLayer(`${layer.name}: ${key} is ${variable.dtype}`);
      const p: ParamInput = {
        input: g.input(`param:${variable.name}`, variable.shape),
        shape: variable.shape,
        trainable: spec.trainable.has(variable.name),
      };
      byVariable.set(variable.name, p);
      info.params.push({ input: p.input, variable, shape: variable.shape });
      return p;
    },
    paramGrad(p, grad) {
      const variable = p.input.slice('param:'.length);
      const output = `grad:${variable}`;
      g.output(output, grad, p.shape);
      info.grads.push({ variable, output, shape: [...p.shape] });
    },
    batchStats(layer, mean, variance, channels) {
      const stats = { layer, mean: `mean:${layer.name}`, variance: `var:${layer.name}` };
      g.output(stats.mean, mean, [channels]);
      g.output(stats.variance, variance, [channels]);
      info.batchStats.push(stats);
    },
    dropoutMask(layer, dims, rate) {
      const input = g.input(`mask:${layer.name}`, dims);
      info.masks.push({ input, dims: [...dims], rate });
      return input;
    },
  };

  const nchw = g.op('Transpose', [TRAIN_NAMES.x], 'x.nchw', [attr.ints('perm', [0, 3, 1, 2])]);
  const values = new Map<number, TValue>([
    [model.inputs[0]!.id, { name: nchw, layout: 'nchw', shape: [N, S, S, 3], grad: false }],
  ]);
  for (const layer of ordered(model)) {
    const rule = TRAIN_RULES[layer.getClassName()];
    if (!rule)
      throw new UnsupportedLayer(`${layer.name}: ${layer.getClassName()} layers have no training rule in onnxruntime`);
    const node = layer.inboundNodes[0]!;
    const inputs = node.inputTensors.map((t) => values.get(t.id)!);
    values.set(node.outputTensors[0]!.id, rule(ctx, layer, inputs, layer.getConfig() as Record<string, unknown>));
  }
  const z = values.get(model.outputs[0]!.id)!;
  if (z.layout !== 'plain') throw new UnsupportedLayer('the model output is not [N, classes]');
  lossAndGradient(g, z, N, C);
  g.differentiate();
  g.prune();
  info.bytes = encodeModel({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: 'com.microsoft', version: 1 },
    ],
    producerName: 'Anneal',
    graph: {
      name: `${model.name}-train`,
      node: g.nodes,
      initializer: g.initializers,
      input: g.inputs,
      output: g.outputs,
    },
  });
  return info;
}

/** Weighted soft-target cross-entropy and its gradient, dz = (softmax(z)·Σₖtₖ − t) · w / Σw. */
function lossAndGradient(g: TrainGraph, z: TValue, N: number, C: number): void {
  const t = TRAIN_NAMES.targets;
  const w = TRAIN_NAMES.weights;
  const axis1 = g.int64s('loss.axis1', [1]);
  const axis0 = g.int64s('loss.axis0', [0]);
  const keep0 = [attr.int('keepdims', 0)];
  const logp = g.op('LogSoftmax', [z.name], 'loss.logp', [attr.int('axis', 1)]);
  const per = g.op(
    'Neg',
    [g.op('ReduceSum', [g.op('Mul', [t, logp], 'loss.t_logp'), axis1], 'loss.sum_t_logp', keep0)],
    'loss.per_sample',
  );
  const wsum = g.op('ReduceSum', [w, axis0], 'loss.wsum', keep0);
  const loss = g.op(
    'Div',
    [g.op('ReduceSum', [g.op('Mul', [per, w], 'loss.weighted'), axis0], 'loss.total', keep0), wsum],
    'loss.mean',
  );
  g.output(TRAIN_NAMES.loss, loss, []);
  g.output(TRAIN_NAMES.logits, z.name, [N, C]);
  if (!z.grad) return;
  const p = g.op('Softmax', [z.name], 'loss.p', [attr.int('axis', 1)]);
  const tsum = g.op('ReduceSum', [t, axis1], 'loss.tsum', [attr.int('keepdims', 1)]);
  const share = g.op('Unsqueeze', [g.op('Div', [w, wsum], 'loss.share1'), axis1], 'loss.share');
  const dz = g.op('Mul', [g.op('Sub', [g.op('Mul', [p, tsum], 'loss.p_tsum'), t], 'loss.residual'), share], 'loss.dz');
  g.addGrad(z, dz);
}
