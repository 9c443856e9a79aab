// Out-of-sample predicted probabilities, as confident learning needs them (cleanlab's
// estimate_cv_predicted_probabilities does the same with scikit-learn): K stratified folds, and for
// each, a softmax (multinomial logistic) regression trained on the other folds' features and
// applied to this fold's. No image's probabilities come from a head that saw its label.
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32, namedSeed, shuffleInPlace } from '../data/sources/prng.js';

/**
 * The fold of each example: each class's examples are shuffled by their own seeded stream (as
 * stratifiedSplit does) and dealt round-robin, the deal continuing from class to class so that
 * folds differ in size by at most one. A class with at least K examples is in every fold.
 */
export function stratifiedFolds(
  labels: readonly number[],
  classNames: readonly string[],
  folds: number,
  seed: number,
): Int32Array {
  const out = new Int32Array(labels.length);
  let dealt = 0;
  classNames.forEach((name, k) => {
    const members = labels.flatMap((l, i) => (l === k ? [i] : []));
    shuffleInPlace(members, mulberry32(namedSeed(seed, `folds:${name}`)));
    for (const i of members) out[i] = dealt++ % folds;
  });
  return out;
}

export interface SoftmaxOptions {
  /** Full-batch Adam steps (default 300). */
  steps?: number;
  learningRate?: number;
  /**
   * L2 penalty on the weights, per training example: the loss is mean cross-entropy +
   * l2 / (2n) · ‖W‖², scikit-learn's LogisticRegression default (C = 1) divided by n.
   */
  l2?: number;
}

/**
 * Fits W, b of softmax(standardise(x) · W + b) to `trainY` and returns the test rows'
 * probabilities, [testN, classes] row-major. Features are standardised with the training rows'
 * mean and standard deviation. The gradient is the closed form of softmax cross-entropy,
 * Xᵀ(P − Y)/n (Bishop, PRML eq. 4.109), so no variables or tape are needed; every tensor is
 * disposed before returning.
 */
export async function fitPredictSoftmax(
  trainX: Float32Array,
  trainY: readonly number[],
  testX: Float32Array,
  dim: number,
  classes: number,
  o: SoftmaxOptions = {},
): Promise<Float32Array> {
  const steps = o.steps ?? 300;
  const lr = o.learningRate ?? 0.05;
  const n = trainY.length;
  const lambda = (o.l2 ?? 1) / n;
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const keep: tf.Tensor[] = [];
  try {
    const [x, y, mean, std] = tf.tidy(() => {
      const raw = tf.tensor2d(trainX, [n, dim]);
      const { mean, variance } = tf.moments(raw, 0);
      // A feature constant over the training rows (a dead unit) is only centred.
      const std = tf.where(tf.greater(variance, 1e-12), tf.sqrt(variance), tf.onesLike(variance));
      return [tf.div(tf.sub(raw, mean), std), tf.oneHot(tf.tensor1d(trainY as number[], 'int32'), classes), mean, std];
    });
    keep.push(x!, y!, mean!, std!);
    let w: tf.Tensor = tf.zeros([dim, classes]);
    let b: tf.Tensor = tf.zeros([classes]);
    let mw: tf.Tensor = tf.zeros([dim, classes]);
    let vw: tf.Tensor = tf.zeros([dim, classes]);
    let mb: tf.Tensor = tf.zeros([classes]);
    let vb: tf.Tensor = tf.zeros([classes]);
    // Adam (Kingma & Ba 2015, Algorithm 1), bias-corrected: new parameter, first and second moments.
    const adam = (t: number, p: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor): tf.Tensor[] => {
      const m2 = tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1));
      const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2));
      const denom = tf.add(tf.sqrt(tf.div(v2, 1 - beta2 ** t)), eps);
      return [tf.sub(p, tf.mul(tf.div(tf.div(m2, 1 - beta1 ** t), denom), lr)), m2, v2];
    };
    for (let t = 1; t <= steps; t++) {
      const next = tf.tidy(() => {
        const g = tf.div(tf.sub(tf.softmax(tf.add(tf.matMul(x!, w), b)), y!), n);
        const gw = tf.add(tf.matMul(x!, g, true, false), tf.mul(w, lambda));
        return [...adam(t, w, gw, mw, vw), ...adam(t, b, tf.sum(g, 0), mb, vb)];
      });
      tf.dispose([w, mw, vw, b, mb, vb]);
      [w, mw, vw, b, mb, vb] = next as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    }
    keep.push(w, b, mw, vw, mb, vb);
    const probs = tf.tidy(() => {
      const test = tf.div(tf.sub(tf.tensor2d(testX, [testX.length / dim, dim]), mean!), std!);
      return tf.softmax(tf.add(tf.matMul(test, w), b));
    });
    try {
      return (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
  } finally {
    tf.dispose(keep);
  }
}

/** Rows `rows` of a row-major [*, dim] matrix. */
function pickRows(x: Float32Array, rows: readonly number[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

export interface CrossValOptions extends SoftmaxOptions {
  folds: number;
  seed: number;
  classNames: readonly string[];
  /** After each fold: folds done of all. */
  onFold?: (done: number, total: number) => void;
}

/** Every example's probabilities from the head trained without its fold, [n, classes] row-major. */
export async function crossValProbs(
  features: Float32Array,
  labels: readonly number[],
  dim: number,
  o: CrossValOptions,
): Promise<Float32Array> {
  const C = o.classNames.length;
  const fold = stratifiedFolds(labels, o.classNames, o.folds, o.seed);
  const out = new Float32Array(labels.length * C);
  for (let f = 0; f < o.folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    fold.forEach((k, i) => (k === f ? test : train).push(i));
    if (test.length) {
      const probs = await fitPredictSoftmax(
        pickRows(features, train, dim),
        train.map((i) => labels[i]!),
        pickRows(features, test, dim),
        dim,
        C,
        o,
      );
      test.forEach((i, r) => out.set(probs.subarray(r * C, (r + 1) * C), i * C));
    }
    o.onFold?.(f + 1, o.folds);
  }
  return out;
}
