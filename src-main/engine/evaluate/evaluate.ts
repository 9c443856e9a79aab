// A model on a set of labelled images: the eval transform (no augmentation: the input size
// itself, centre-cropped, exactly `anneal predict`'s pixels) through the worker pipeline, logits
// collected batch by batch, then scored by scoreLogits.
import type * as tfl from '@tensorflow/tfjs-layers';
import { DataLoader, type WorkerPool } from '../data/pipeline/index.js';
import type { Problem, Sample } from '../data/types.js';
import type { ModelMeta } from '../model-dir/index.js';
import { fastForward } from '../predict/forward.js';
import { EvalError } from './errors.js';
import { scoreLogits, type Scores } from './metrics.js';

export interface EvaluateOptions {
  /** Images per forward pass (default 32). */
  batchSize?: number;
  /** A pool to share, or how many worker threads to start for this evaluation. */
  workers?: number | WorkerPool;
  /** k of the top-k accuracy (default 5, at most the number of classes). */
  topK?: number;
  /** How many of the highest-loss images to report (default 10). */
  topLosses?: number;
  /** Images scored so far and in all, after each batch. */
  onProgress?: (done: number, total: number) => unknown; // a promise it returns is awaited
  /** Also return every image's prediction (the images behind a confusion-matrix cell). */
  perImage?: boolean;
}

/** One evaluated image: its true and predicted class (indices into `classes`) and softmax. */
export interface ImagePrediction {
  path: string;
  label: number;
  predicted: number;
  probs: number[];
}

export interface EvalResult extends Scores {
  /** Files that could not be decoded: left out of every number above. */
  skipped: Problem[];
  /** With `perImage`: every evaluated image, in evaluation order. */
  images?: ImagePrediction[];
}

/** Row-wise softmax of row-major logits (max subtracted first, for stability). */
function imagePredictions(logits: Float32Array, labels: number[], paths: string[], c: number): ImagePrediction[] {
  return labels.map((label, i) => {
    const row = logits.subarray(i * c, (i + 1) * c);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    const exp = Array.from(row, (v) => Math.exp(v - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    const probs = exp.map((v) => v / sum);
    let predicted = 0;
    for (let j = 1; j < c; j++) if (row[j]! > row[predicted]!) predicted = j;
    return { path: paths[i]!, label, predicted, probs };
  });
}

/**
 * Evaluates `model` on `samples` (labels index `meta.labels`). Every tensor it makes is freed
 * before it returns; the model is the caller's to dispose.
 */
export async function evaluate(
  model: tfl.LayersModel,
  meta: Pick<ModelMeta, 'inputSize' | 'preprocessing' | 'labels'>,
  samples: readonly Sample[],
  o: EvaluateOptions = {},
): Promise<EvalResult> {
  const classes = meta.labels.length;
  if (samples.length === 0) throw new EvalError('no images to evaluate');
  const bad = samples.find((s) => !Number.isInteger(s.label) || s.label < 0 || s.label >= classes);
  if (bad) throw new EvalError(`${bad.path}: label ${bad.label} is not one of the model's ${classes} classes`);
  const size = meta.inputSize;
  const loader = new DataLoader({
    samples,
    batchSize: o.batchSize ?? 32,
    size,
    preprocessing: meta.preprocessing,
    augment: null,
    shuffle: false,
    workers: o.workers,
  });
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  const paths: string[] = [];
  const outShape = model.outputs[0]?.shape ?? [];
  if (model.outputs.length !== 1 || outShape.length !== 2 || outShape[1] !== classes) {
    await loader.close();
    throw new EvalError(
      `the model outputs shape [${outShape.map((d) => d ?? 'n').join(', ')}]; expected [n, ${classes}] logits`,
    );
  }
  // onnxruntime on a CPU-only machine, TF.js on a GPU (predict/forward.ts); the same logits.
  const forward = await fastForward(model, size);
  try {
    for await (const batch of loader.epoch(0)) {
      chunks.push(await forward.run(batch.x, batch.n));
      labels.push(...batch.y);
      paths.push(...batch.paths);
      // Awaited: a caller may hold the work at a progress point (the app's e2e test photographs it).
      await o.onProgress?.(labels.length, samples.length);
    }
  } finally {
    await forward.dispose();
    await loader.close();
  }
  const skipped = loader.skipped;
  if (labels.length === 0) {
    const why = skipped[0] ? ` (${skipped[0].path}: ${skipped[0].reason})` : '';
    throw new EvalError(`none of the ${samples.length} images could be read${why}`);
  }
  const flat = new Float32Array(labels.length * classes);
  let offset = 0;
  for (const c of chunks) {
    flat.set(c, offset);
    offset += c.length;
  }
  const scores = scoreLogits({
    classes: meta.labels,
    labels,
    logits: flat,
    paths,
    topK: o.topK,
    topLosses: o.topLosses,
  });
  return { ...scores, skipped, ...(o.perImage ? { images: imagePredictions(flat, labels, paths, classes) } : {}) };
}
