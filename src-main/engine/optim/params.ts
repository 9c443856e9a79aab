// From a tfjs-layers model to the optimizer's parameters.
//
// tfjs-layers wraps every weight in a `LayerVariable` (tfjs-layers/src/variables.ts). Its
// constructor makes the real tf.Variable, `this.val = tfc.variable(val, trainable, this.name,
// dtype)`, under the LayerVariable's own name, and `read()` returns that same object (not a copy,
// despite its doc comment): `read() { this.assertNotDisposed(); return this.val; }`. `val` itself
// is `protected` in the typings, so `read()` is the public way in; it is typed `Tensor`, hence
// the checked cast below. The Variable's `name` equals `layerVariable.name` ("conv1/kernel",
// made unique by tfjs-layers with a "_1" suffix when a second model reuses a name, and unique in
// tfjs-core's variable registry, which refuses duplicates), and it is the key under which
// `tf.variableGrads(f, variables)` returns the gradient. tfjs-layers' own training does the same:
// `collectedTrainableWeights.map(v => v.read())` handed to `optimizer.minimize`.
//
// Updating with `variable.assign` bypasses a LayerVariable's `constraint` (applied only by its
// `write`); the zoo's layers have none, and variableOf refuses a weight that has one.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ParamKind, ParamSpec } from './types.js';

type LayerVariable = tfl.LayerVariable;

/** The tf.Variable behind a tfjs-layers weight (see above). */
export function variableOf(weight: LayerVariable): tf.Variable {
  const v = weight.read();
  if (!(v instanceof tf.Variable)) throw new Error(`weight ${weight.name}: read() did not return a tf.Variable`);
  if (weight.constraint != null) {
    throw new Error(`weight ${weight.name} has a constraint, which in-place optimizer updates would bypass`);
  }
  return v;
}

const NORM_LAYERS = new Set(['BatchNormalization', 'LayerNormalization']);

/**
 * 'norm' for a normalisation layer's gamma/beta, 'bias' for a weight named "bias" (Dense, Conv2D,
 * DepthwiseConv2D all name it so), 'weight' otherwise (kernels).
 */
export function paramKind(layer: tfl.layers.Layer, weight: LayerVariable): ParamKind {
  if (NORM_LAYERS.has(layer.getClassName())) return 'norm';
  const base = weight.originalName.split('/').pop();
  return base === 'bias' ? 'bias' : 'weight';
}

/**
 * The weights a layer was built to train, whether or not it is frozen right now. Freezing
 * (`layer.trainable = false`, tfjs-layers engine/topology.ts) empties `layer.trainableWeights` and
 * sets each of those weights' `trainable` (and its tf.Variable's) to false, which makes a frozen
 * kernel indistinguishable from a BatchNorm moving statistic by its flags. The layer's
 * `_trainableWeights` field keeps the list (the moving statistics live in `_nonTrainableWeights`);
 * it is not in the typings, so it is read with a check, falling back to `trainableWeights`.
 */
function buildTrainableWeights(layer: tfl.layers.Layer): LayerVariable[] {
  const own = (layer as unknown as { _trainableWeights?: unknown })._trainableWeights;
  return Array.isArray(own) ? (own as LayerVariable[]) : layer.trainableWeights;
}

/**
 * Every trainable weight of every layer, with its layer group (the index in `groups`, e.g. the
 * zoo's `LayerGroup`s) and kind. Frozen layers are included: their weights get no gradient while
 * frozen and are skipped (torch/fastai likewise build one optimizer over all parameters and skip
 * those whose grad is None), so one optimizer serves every stage of a fine-tune. BatchNorm moving
 * statistics are not trainable and not included.
 */
export function paramSpecs(groups: readonly { layers: readonly tfl.layers.Layer[] }[]): ParamSpec[] {
  const specs: ParamSpec[] = [];
  groups.forEach((g, group) => {
    for (const layer of g.layers) {
      for (const w of buildTrainableWeights(layer)) {
        const stateName = `${layer.name}/${w.originalName.split('/').pop()}`;
        specs.push({ variable: variableOf(w), group, kind: paramKind(layer, w), stateName });
      }
    }
  });
  return specs;
}
