// One pass of the frozen backbone over every image: the pooled features the folds' heads train on.
// The images get the eval transform (resize the shorter side, centre-crop, normalise: the same as
// predict and validation), and the backbone runs through the frozen stage's FeatureCache, i.e.
// fastForward (onnxruntime on a CPU-only machine). A file that does not decode is listed and
// skipped, never fatal.
import * as tf from '@tensorflow/tfjs-core';
import type { Problem, Sample } from '../data/types.js';
import { mapPool } from '../data/sources/pool.js';
import type { ModelMeta } from '../model-dir/index.js';
import type { BuiltModel } from '../models/index.js';
import { ImageError, loadImageForModel } from '../predict/image.js';
import { FeatureCache } from '../train/feature-cache.js';

export interface ExtractOptions {
  batchSize?: number;
  /** After each batch: images done (read or skipped) of all. */
  onProgress?: (done: number, total: number) => void;
}

export interface Features {
  /** [kept.length, dim] row-major, in the order of `kept`. */
  features: Float32Array;
  dim: number;
  /** Indices (into the samples given) of the images that were read. */
  kept: number[];
  skipped: Problem[];
}

export async function extractFeatures(
  built: BuiltModel,
  samples: readonly Sample[],
  meta: Pick<ModelMeta, 'inputSize' | 'preprocessing'>,
  o: ExtractOptions = {},
): Promise<Features> {
  const S = meta.inputSize;
  const batch = o.batchSize ?? 32;
  const cache = new FeatureCache(built);
  const kept: number[] = [];
  const skipped: Problem[] = [];
  try {
    for (let start = 0; start < samples.length; start += batch) {
      const indices = samples.slice(start, start + batch).map((_, i) => start + i);
      const pixels = await mapPool(indices, 4, async (i) => {
        try {
          return await loadImageForModel(samples[i]!.path, meta);
        } catch (e) {
          if (!(e instanceof ImageError)) throw e;
          skipped.push({ path: samples[i]!.path, reason: e.reason });
          return null;
        }
      });
      const good = indices.filter((_, j) => pixels[j] !== null);
      if (good.length) {
        const flat = new Float32Array(good.length * S * S * 3);
        let r = 0;
        for (const p of pixels) if (p) flat.set(p, r++ * S * S * 3);
        const x = tf.tensor4d(flat, [good.length, S, S, 3]);
        try {
          (await cache.add(x, good)).dispose();
        } finally {
          x.dispose();
        }
        kept.push(...good);
      }
      o.onProgress?.(Math.min(samples.length, start + batch), samples.length);
    }
    if (!kept.length) return { features: new Float32Array(0), dim: 0, kept, skipped };
    const all = cache.batch(kept);
    try {
      return { features: (await all.data()) as Float32Array, dim: all.shape[1], kept, skipped };
    } finally {
      all.dispose();
    }
  } finally {
    cache.dispose();
  }
}
