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

/** Number of rows whose argmax equals the label. */
export function correct(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar,
  );
}
