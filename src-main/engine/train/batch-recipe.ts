// What the recipes do to one training micro-batch before the loss: MixUp/CutMix on its images
// (mix.ts) and its soft targets with label smoothing and class weights (loss.ts softTargets).
// Without any recipe the batch and the loss are exactly the plain ones (crossEntropy).
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, softCrossEntropy, softTargets } from './loss.js';
import { drawMix, mixOn, mixRng, type MixDraw } from './mix.js';
import type { MixSettings } from './recipes.js';

export interface BatchRecipeOptions {
  classes: number;
  labelSmoothing: number;
  mix: MixSettings;
  seed: number;
  classWeights: readonly number[] | null;
}

/** One micro-batch as the loss sees it; `targets`/`weights` null for the plain cross-entropy. */
export interface RecipeBatch {
  x: tf.Tensor;
  draw: MixDraw | null;
  targets: tf.Tensor2D | null;
  weights: tf.Tensor1D | null;
}

/** A draw as the step record keeps it (metrics.jsonl `mix`): null for a batch left unmixed. */
export type MixRecord = { method: MixDraw['method']; lam: number; box?: number[] } | null;

export const mixRecord = (d: MixDraw | null): MixRecord =>
  d ? { method: d.method, lam: d.lam, ...(d.box ? { box: [...d.box] } : {}) } : null;

export class BatchRecipe {
  constructor(readonly o: BatchRecipeOptions) {}

  get mixes(): boolean {
    return mixOn(this.o.mix);
  }

  /**
   * The micro-batch `micro` of optimizer step `step`: images mixed where the draw says (never
   * cached features: mixing pooled features is not MixUp), targets soft where a recipe needs them.
   * Takes ownership of `x` (disposed when replaced).
   */
  prepare(x: tf.Tensor, labels: Int32Array, features: boolean, step: number, micro: number): RecipeBatch {
    let draw: MixDraw | null = null;
    if (this.mixes && !features && x.rank === 4) {
      const [, h, w] = x.shape as number[];
      draw = drawMix(this.o.mix, mixRng(this.o.seed, step, micro), h!, w!);
    }
    let out = x;
    if (draw) {
      out = mixImages(x as tf.Tensor4D, draw);
      x.dispose();
    }
    if (!draw && this.o.labelSmoothing === 0) return { x: out, draw, targets: null, weights: null };
    const t = softTargets(labels, this.o.classes, {
      smoothing: this.o.labelSmoothing,
      lam: draw?.lam ?? 1,
      classWeights: this.o.classWeights,
    });
    return {
      x: out,
      draw,
      targets: tf.tensor2d(t.targets, [labels.length, this.o.classes]),
      weights: t.weights ? tf.tensor1d(t.weights) : null,
    };
  }

  loss(logits: tf.Tensor2D, y: tf.Tensor1D, b: RecipeBatch, classWeights: tf.Tensor1D | null): tf.Scalar {
    if (!b.targets) return crossEntropy(logits, y, classWeights ?? undefined);
    return softCrossEntropy(logits, b.targets, b.weights ?? undefined);
  }
}

export const disposeRecipeBatch = (b: RecipeBatch): void =>
  tf.dispose([b.x, ...(b.targets ? [b.targets] : []), ...(b.weights ? [b.weights] : [])]);

/**
 * The mixed batch (NHWC): MixUp x·λ + flip(x)·(1−λ); CutMix the box's pixels from flip(x)
 * (timm Mixup._mix_batch). The input is left as it is; the result is the caller's.
 */
export function mixImages(x: tf.Tensor4D, d: MixDraw): tf.Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.reverse(x, 0);
    if (d.method === 'mixup') return tf.add(tf.mul(x, d.lam), tf.mul(flipped, 1 - d.lam)) as tf.Tensor4D;
    const [, h, w] = x.shape;
    const [yl, yh, xl, xh] = d.box!;
    const mask = new Float32Array(h * w);
    for (let y = yl; y < yh; y++) mask.fill(1, y * w + xl, y * w + xh);
    const m = tf.tensor4d(mask, [1, h, w, 1]);
    return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(flipped, m)) as tf.Tensor4D;
  });
}
