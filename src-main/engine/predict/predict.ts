import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelMeta } from '../model-dir/index.js';
import { fastLayersClassifier, type Classifier } from './classifier.js';
import type { TtaRun } from '../tta/index.js';
import { decodeRgb } from './image.js';
import { classifyDecoded } from './views.js';

export interface Prediction {
  image: string;
  logits: number[];
  probs: number[];
  top: { label: string; prob: number }[];
}

/**
 * Runs a classifier (model dir, TF.js or ONNX export) on each image, a few at a time: decoded,
 * the shorter side resized to the input size, centre-cropped, then fed as the model expects;
 * with `tta`, n augmented views more per image (predict/views.ts).
 */
export async function classifyImages(
  classifier: Classifier,
  images: readonly string[],
  opts: { topK?: number; batchSize?: number; tta?: TtaRun } = {},
): Promise<Prediction[]> {
  const { labels, preprocessing } = classifier.meta;
  const k = Math.min(opts.topK ?? 5, labels.length);
  const batch = opts.batchSize ?? 8;
  const C = labels.length;
  const out: Prediction[] = [];
  for (let start = 0; start < images.length; start += batch) {
    const paths = images.slice(start, start + batch);
    const decoded = await Promise.all(paths.map((p) => decodeRgb(p, preprocessing.alpha)));
    const indices = paths.map((_, i) => start + i);
    const { logits, probs } = await classifyDecoded(classifier, decoded, indices, opts.tta);
    const all = Array.from(probs);
    paths.forEach((image, i) => {
      const p = all.slice(i * C, (i + 1) * C);
      const order = p
        .map((v, j) => [v, j] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, k);
      out.push({
        image,
        logits: Array.from(logits.subarray(i * C, (i + 1) * C)),
        probs: p,
        top: order.map(([prob, j]) => ({ label: labels[j]!, prob })),
      });
    });
  }
  return out;
}

/** classifyImages for a TF.js layers model and its anneal.json; the model stays the caller's. */
export async function predictImages(
  model: tfl.LayersModel,
  meta: Pick<ModelMeta, 'inputSize' | 'preprocessing' | 'labels'> & { arch?: string },
  images: readonly string[],
  opts: { topK?: number; batchSize?: number } = {},
): Promise<Prediction[]> {
  const classifier = await fastLayersClassifier(model, { arch: meta.arch ?? 'model', ...meta }, 'model-dir', false);
  try {
    return await classifyImages(classifier, images, opts);
  } finally {
    await classifier.dispose();
  }
}
