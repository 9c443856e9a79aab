import * as tf from '@tensorflow/tfjs-core';

/**
 * Softmax cross-entropy from logits with integer labels, optionally class-weighted the way
 * torch.nn.CrossEntropyLoss(weight=w) averages: sum_i w[y_i] l_i / sum_i w[y_i].
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classWeights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1])), 1);
    if (!classWeights) return tf.neg(tf.mean(picked)) as tf.Scalar;
    const w = tf.gather(classWeights, labels);
    return tf.neg(tf.div(tf.sum(tf.mul(picked, w)), tf.sum(w))) as tf.Scalar;
  });
}

/**
 * The training loss as one function of (logits, soft targets [N, C], per-sample weights [N]):
 *
 *   loss = Σ_i w_i Σ_c t_ic · (−log softmax(z_i)_c) / Σ_i w_i
 *
 * Every recipe is a choice of t and w (softTargets below): plain and class-weighted cross-entropy,
 * label smoothing (torch CrossEntropyLoss(label_smoothing=ε), with class weights too), and MixUp /
 * CutMix targets (timm's mixup_target with SoftTargetCrossEntropy). The same pair is what an
 * onnxruntime training step takes, so both paths compute one loss.
 */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D, sampleWeights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const perSample = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), targets), 1));
    if (!sampleWeights) return tf.mean(perSample) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(perSample, sampleWeights)), tf.sum(sampleWeights)) as tf.Scalar;
  });
}

export interface SoftTargets {
  /** [N, C]: each row the target distribution (scaled by class weights where there are any). */
  targets: Float32Array;
  /** [N]: the per-sample weights of the mean; null where all are 1. */
  weights: Float32Array | null;
}

/**
 * Soft targets of a batch: labels smoothed by ε and, with a mix partner (timm's batch mode pairs
 * sample i with N−1−i), mixed λ : 1−λ — timm/data/mixup.py mixup_target: off = ε/C,
 * on = 1 − ε + off, t = λ·onehot(y) + (1−λ)·onehot(flip(y)).
 *
 * Class weights follow aten/src/ATen/native/LossNLL.cpp (cross_entropy with label_smoothing and
 * weight): loss = Σ_i [(1−ε) w[y_i] ℓ_i,y_i + (ε/C) Σ_c w_c ℓ_ic] / Σ_i w[y_i]. As targets:
 * t'_ic = t_ic · w_c / s_i with sample weight s_i = w[y_i], which is exactly that. For a mixed
 * pair s_i = λ w[y_i] + (1−λ) w[y_j] (torch has no mixed form; this reduces to it at λ = 1).
 */
export function softTargets(
  labels: ArrayLike<number>,
  classes: number,
  o: { smoothing?: number; lam?: number; classWeights?: readonly number[] | null } = {},
): SoftTargets {
  const n = labels.length;
  const eps = o.smoothing ?? 0;
  const lam = o.lam ?? 1;
  const off = eps / classes;
  const on = 1 - eps + off;
  const targets = new Float32Array(n * classes);
  const cw = o.classWeights ?? null;
  const weights = cw ? new Float32Array(n) : null;
  for (let i = 0; i < n; i++) {
    const row = targets.subarray(i * classes, (i + 1) * classes);
    const a = labels[i]!;
    const b = labels[n - 1 - i]!;
    row.fill(off);
    row[a]! += (on - off) * lam;
    row[b]! += (on - off) * (1 - lam);
    if (cw && weights) {
      const s = lam * cw[a]! + (1 - lam) * cw[b]!;
      weights[i] = s;
      for (let c = 0; c < classes; c++) row[c] = (row[c]! * cw[c]!) / s;
    }
  }
  return { targets, weights };
}

/** Number of rows whose argmax equals the label. */
export function correct(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar,
  );
}
