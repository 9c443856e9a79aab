// What every layer's training rule takes and shares: the context of the graph being built, the
// weights as graph inputs, and small helpers. The rules themselves: conv-bn.ts, other-layers.ts.
import type * as tfl from '@tensorflow/tfjs-layers';
import { attr, type TrainGraph, type TValue } from './graph.js';

export type Config = Record<string, unknown>;

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

export function need(layer: tfl.layers.Layer, ok: boolean, what: string): void {
  if (!ok) throw new UnsupportedLayer(`${layer.name} (${layer.getClassName()}): ${what}`);
}

/**
 * The layer's output shape for this input shape (NHWC order), from the layer's own shape rule
 * (tfjs-layers computeOutputShape): not the shape the model was built at, so one model trains
 * at every size of a progressive-resizing run.
 */
export function outShape(layer: tfl.layers.Layer, input: readonly number[]): number[] {
  const out = layer.computeOutputShape([...input]) as (number | null)[];
  return out.map((d, i) => (i === 0 ? input[0]! : d!));
}

export const AXES_NHW = [0, 2, 3];

/** ReduceSum over `axes` (opset 13: axes as an input). */
export function reduceSum(g: TrainGraph, x: string, axes: readonly number[], keep: boolean, name: string): string {
  return g.op('ReduceSum', [x, g.int64s(`${name}.axes`, axes)], name, [attr.int('keepdims', keep ? 1 : 0)]);
}

export function reshape(g: TrainGraph, x: string, dims: readonly number[], name: string): string {
  return g.op('Reshape', [x, g.int64s(`${name}.shape`, dims)], name);
}
