// A model on a set of labelled images: the eval transform (no augmentation: the input size
// itself, centre-cropped, exactly `anneal predict`'s pixels) through the worker pipeline, logits
// collected batch by batch, then scored by scoreLogits. With test-time augmentation, n more passes
// through the training augmentation (seeded), combined with the plain pass as fastai's tta does
// (tta/combine.ts), and the combined probabilities scored.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AugmentConfig } from '../data/augment/index.js';
import { DataLoader, WorkerPool } from '../data/pipeline/index.js';
import type { Problem, Sample } from '../data/types.js';
import type { ModelMeta } from '../model-dir/index.js';
import { softmaxRows } from '../predict/classifier.js';
import { fastForward, type Forward } from '../predict/forward.js';
import { combineTta, type TtaConfig, type TtaRun } from '../tta/index.js';
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
  /** Images scored so far and in all (with TTA: image-views), after each batch; a promise it returns is awaited. */
  onProgress?: (done: number, total: number) => unknown;
  /** Also return every image's prediction (the images behind a confusion-matrix cell). */
  perImage?: boolean;
  /** Test-time augmentation; absent: the plain view only. */
  tta?: TtaRun;
}

/** One evaluated image: its true and predicted class (indices into `classes`) and softmax. */
export interface ImagePrediction {
  path: string;
  label: number;
  predicted: number;
  probs: number[];
}

/** What an evaluation with TTA records (the model card shows it): its settings and the plain pass's numbers. */
export interface TtaSummary extends TtaConfig {
  augmentFrom: 'run' | 'default';
  /** The plain view alone, for comparison. */
  plain: { accuracy: number; loss: number };
}

export interface EvalResult extends Scores {
  /** Files that could not be decoded: left out of every number above. */
  skipped: Problem[];
  /** With `perImage`: every evaluated image, in evaluation order. */
  images?: ImagePrediction[];
  /** Present when the numbers above are test-time augmented. */
  tta?: TtaSummary;
}

/** Each row's probabilities and first-largest class, from row-major logits (or log-probabilities). */
function imagePredictions(logits: Float32Array, labels: number[], paths: string[], c: number): ImagePrediction[] {
  const probs = softmaxRows(logits, c);
  return labels.map((label, i) => {
    const row = Array.from(probs.subarray(i * c, (i + 1) * c));
    let predicted = 0;
    for (let j = 1; j < c; j++) if (logits[i * c + j]! > logits[i * c + predicted]!) predicted = j;
    return { path: paths[i]!, label, predicted, probs: row };
  });
}

interface Pass {
  logits: Float32Array;
  labels: number[];
  paths: string[];
  indices: number[];
}

/** One pass of `loader` (epoch `epoch` seeds its augmentation) through `forward`. */
async function runPass(loader: DataLoader, epoch: number, forward: Forward, onBatch: (n: number) => unknown) {
  const chunks: Float32Array[] = [];
  const pass: Pass = { logits: new Float32Array(0), labels: [], paths: [], indices: [] };
  for await (const batch of loader.epoch(epoch)) {
    chunks.push(await forward.run(batch.x, batch.n));
    pass.labels.push(...batch.y);
    pass.paths.push(...batch.paths);
    pass.indices.push(...batch.indices);
    // Awaited: a caller may hold the work at a progress point (the app's e2e test photographs it).
    await onBatch(batch.n);
  }
  pass.logits = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    pass.logits.set(c, offset);
    offset += c.length;
  }
  return pass;
}

/**
 * The n augmented passes' probabilities, each laid out in the plain pass's row order. View v of
 * sample i is augmented from deriveSeed(tta.seed, v, i) (the loader's epoch seeding), with the
 * training loader's presizing, so that it is one of the crops training itself could have drawn.
 */
async function augmentedViews(
  plain: Pass,
  make: (augment: AugmentConfig) => DataLoader,
  tta: TtaRun,
  forward: Forward,
  classes: number,
  onBatch: (n: number) => unknown,
): Promise<Float32Array[]> {
  const row = new Map(plain.indices.map((sample, r) => [sample, r]));
  const loader = make(tta.augment);
  const views: Float32Array[] = [];
  try {
    for (let v = 0; v < tta.n; v++) {
      const pass = await runPass(loader, v, forward, onBatch);
      const probs = softmaxRows(pass.logits, classes);
      const out = new Float32Array(plain.logits.length);
      pass.indices.forEach((sample, k) => {
        const r = row.get(sample);
        if (r === undefined)
          throw new EvalError(`${pass.paths[k]}: read in an augmented view but not in the plain one`);
        out.set(probs.subarray(k * classes, (k + 1) * classes), r * classes);
      });
      if (pass.indices.length !== plain.indices.length)
        throw new EvalError(
          `an augmented view read ${pass.indices.length} of the plain view's ${plain.indices.length} images`,
        );
      views.push(out);
    }
  } finally {
    await loader.close();
  }
  return views;
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
  const outShape = model.outputs[0]?.shape ?? [];
  if (model.outputs.length !== 1 || outShape.length !== 2 || outShape[1] !== classes) {
    throw new EvalError(
      `the model outputs shape [${outShape.map((d) => d ?? 'n').join(', ')}]; expected [n, ${classes}] logits`,
    );
  }
  const size = meta.inputSize;
  const tta = o.tta && o.tta.n > 0 ? o.tta : undefined;
  // One pool for every pass; the loaders' own presizing tells the eval and augmented views apart.
  const pool = o.workers instanceof WorkerPool ? o.workers : new WorkerPool(o.workers);
  const make = (augment: AugmentConfig | null) =>
    new DataLoader({
      samples,
      batchSize: o.batchSize ?? 32,
      size,
      preprocessing: meta.preprocessing,
      augment,
      shuffle: false,
      seed: tta?.seed ?? 0,
      workers: pool,
    });
  const loader = make(null);
  const total = samples.length * (1 + (tta?.n ?? 0));
  let done = 0;
  const onBatch = (n: number) => o.onProgress?.((done += n), total);
  // onnxruntime on a CPU-only machine, TF.js on a GPU (predict/forward.ts); the same logits.
  const forward = await fastForward(model, size);
  let plain: Pass;
  let views: Float32Array[] = [];
  try {
    plain = await runPass(loader, 0, forward, onBatch);
    if (tta && plain.labels.length) views = await augmentedViews(plain, make, tta, forward, classes, onBatch);
  } finally {
    await forward.dispose();
    await loader.close();
    if (pool !== o.workers) await pool.close();
  }
  const skipped = loader.skipped;
  const { labels, paths } = plain;
  if (labels.length === 0) {
    const why = skipped[0] ? ` (${skipped[0].path}: ${skipped[0].reason})` : '';
    throw new EvalError(`none of the ${samples.length} images could be read${why}`);
  }
  const score = (logits: Float32Array) =>
    scoreLogits({ classes: meta.labels, labels, logits, paths, topK: o.topK, topLosses: o.topLosses });
  let logits = plain.logits;
  let summary: TtaSummary | undefined;
  if (tta) {
    const combined = combineTta(softmaxRows(plain.logits, classes), views, tta);
    // Scored as log-probabilities: softmax(log p) = p for rows that sum to 1 (mean and lerp keep
    // that), so the loss is -log p(true class); use_max rows are renormalised by the softmax.
    logits = Float32Array.from(combined, (p) => Math.log(Math.max(p, Number.MIN_VALUE)));
    const p = score(plain.logits);
    const { n, beta, useMax, seed, augmentFrom } = tta;
    summary = { n, beta, useMax, seed, augmentFrom, plain: { accuracy: p.accuracy, loss: p.loss } };
  }
  return {
    ...score(logits),
    skipped,
    ...(o.perImage ? { images: imagePredictions(logits, labels, paths, classes) } : {}),
    ...(summary ? { tta: summary } : {}),
  };
}
