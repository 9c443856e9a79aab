import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelMeta } from '../model-dir/index.js';
import { loadImageForModel } from './image.js';

export interface Prediction {
  image: string;
  logits: number[];
  probs: number[];
  top: { label: string; prob: number }[];
}

/** Runs the model on each image, a few at a time; tensors are freed as it goes. */
export async function predictImages(
  model: tfl.LayersModel,
  meta: Pick<ModelMeta, 'inputSize' | 'preprocessing' | 'labels'>,
  images: readonly string[],
  opts: { topK?: number; batchSize?: number } = {},
): Promise<Prediction[]> {
  const k = Math.min(opts.topK ?? 5, meta.labels.length);
  const batch = opts.batchSize ?? 8;
  const S = meta.inputSize;
  const out: Prediction[] = [];
  for (let start = 0; start < images.length; start += batch) {
    const paths = images.slice(start, start + batch);
    const pixels = await Promise.all(paths.map((p) => loadImageForModel(p, meta)));
    const flat = new Float32Array(paths.length * S * S * 3);
    pixels.forEach((p, i) => flat.set(p, i * S * S * 3));
    const [logits, probs] = tf.tidy(() => {
      const l = model.predict(tf.tensor4d(flat, [paths.length, S, S, 3])) as tf.Tensor2D;
      return [l, tf.softmax(l)];
    });
    const [lv, pv] = [(await logits.array()) as number[][], (await probs.array()) as number[][]];
    tf.dispose([logits, probs]);
    paths.forEach((image, i) => {
      const p = pv[i]!;
      const order = p
        .map((v, j) => [v, j] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, k);
      out.push({ image, logits: lv[i]!, probs: p, top: order.map(([prob, j]) => ({ label: meta.labels[j]!, prob })) });
    });
  }
  return out;
}
