// Batches for training or evaluation, prepared off the training thread: worker threads decode and
// augment while the caller trains on the previous batch (a bounded prefetch queue, like
// torch.utils.data.DataLoader's prefetch_factor). A file that fails to decode is skipped, reported
// once, and never stops the epoch.
import type { Preprocessing } from '../../models/catalog.js';
import { parseAugmentConfig, type AugmentConfig } from '../augment/config.js';
import { deriveSeed } from '../augment/rng.js';
import { DataError, mulberry32, shuffleInPlace } from '../sources/index.js';
import type { Problem, Sample } from '../types.js';
import { ImageCache } from './cache.js';
import { WorkerPool } from './pool.js';
import type { WorkerResult } from './protocol.js';

export interface LoaderOptions {
  samples: readonly Sample[];
  batchSize: number;
  /** Model input size. */
  size: number;
  /**
   * Presized square kept in the cache. Default with augmentation: size × 8/7 (fastai presizing, 224
   * from 256); without: the input size itself, so evaluation sees exactly `anneal predict`'s pixels.
   */
  presize?: number;
  preprocessing: Preprocessing;
  /** Augmentation config (training), or null/undefined for the eval transform. */
  augment?: unknown;
  /** Shuffle every epoch (training); false keeps file order (evaluation). */
  shuffle?: boolean;
  /** Indices of `samples` for an epoch, e.g. a balanced sampler; overrides shuffle. */
  order?: (epoch: number) => readonly number[];
  seed?: number;
  /** Batches prepared ahead of the one being consumed. */
  prefetch?: number;
  workers?: number | WorkerPool;
  cache?: ImageCache;
  /** An epoch in which no image decodes throws a DataError (training); by default it is empty. */
  refuseEmptyEpoch?: boolean;
}

export interface Batch {
  /** [n, size, size, 3] normalised float32, NHWC. */
  x: Float32Array;
  y: Int32Array;
  n: number;
  paths: string[];
  /** Indices into the loader's samples of the n images, in batch order. */
  indices: number[];
  /** This batch's place in its epoch (0 = the first): a resumed epoch starts after the last one done. */
  position: number;
}

function shuffled(n: number, seed: number): number[] {
  return shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    mulberry32(seed),
  );
}

export class DataLoader {
  readonly o: Required<Omit<LoaderOptions, 'order' | 'augment' | 'workers' | 'cache'>> &
    Pick<LoaderOptions, 'order' | 'augment'>;
  readonly cache: ImageCache;
  #pool: WorkerPool;
  #ownsPool: boolean;
  #ownsCache: boolean;
  #skipped = new Map<string, string>();
  readonly #augment: AugmentConfig | null;

  constructor(o: LoaderOptions) {
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error('batchSize must be a whole number >= 1');
    this.o = {
      samples: o.samples,
      batchSize: o.batchSize,
      size: o.size,
      presize: o.presize ?? (o.augment ? Math.round((o.size * 8) / 7) : o.size),
      preprocessing: o.preprocessing,
      augment: o.augment,
      shuffle: o.shuffle ?? Boolean(o.augment),
      order: o.order,
      seed: o.seed ?? 0,
      prefetch: o.prefetch ?? 2,
      refuseEmptyEpoch: o.refuseEmptyEpoch ?? false,
    };
    // Parsed once here; workers get the parsed config and never parse it again (a bad config is
    // refused when the loader is made, not at the first image).
    this.#augment = o.augment ? parseAugmentConfig(o.augment) : null;
    this.#ownsPool = !(o.workers instanceof WorkerPool);
    this.#pool = o.workers instanceof WorkerPool ? o.workers : new WorkerPool(o.workers);
    this.#ownsCache = !o.cache;
    this.cache = o.cache ?? new ImageCache();
  }

  /** Files that could not be used, each once, with the reason. */
  get skipped(): Problem[] {
    return [...this.#skipped].map(([path, reason]) => ({ path, reason }));
  }

  /** Batches in the number of the epoch's samples that decode, in epoch order. */
  batchesPerEpoch(): number {
    return Math.ceil(this.o.samples.length / this.o.batchSize);
  }

  /** The sample indices of an epoch, in the order its batches take them. */
  order(epoch: number): number[] {
    const { samples, seed } = this.o;
    return this.o.order
      ? [...this.o.order(epoch)]
      : this.o.shuffle
        ? shuffled(samples.length, deriveSeed(seed, epoch))
        : samples.map((_, i) => i);
  }

  /**
   * The epoch's batches, from batch `from` on: a run stopped mid-epoch resumes the same order (it
   * depends only on the seed and the epoch) after the batches it already trained on, unread.
   */
  async *epoch(epoch: number, from = 0): AsyncGenerator<Batch> {
    const { batchSize } = this.o;
    const order = this.order(epoch);
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
    const inFlight: Promise<Batch>[] = [];
    let next = Math.max(0, from);
    const launch = () => {
      while (next < batches.length && inFlight.length <= this.o.prefetch) {
        inFlight.push(this.#prepare(batches[next]!, epoch, next));
        next++;
      }
    };
    launch();
    let used = 0;
    try {
      while (inFlight.length) {
        const batch = await inFlight.shift()!;
        launch();
        used += batch.n;
        if (batch.n > 0) yield batch;
      }
      // Every file failed (all corrupt, deleted, or too large for the image size): an epoch of
      // nothing would "train" and save an untrained model. Name one file and why.
      if (used === 0 && order.length > 0 && from <= 0 && this.o.refuseEmptyEpoch) {
        const [path, reason] = [...this.#skipped][0] ?? [this.o.samples[order[0]!]!.path, 'unusable'];
        throw new DataError(`none of the ${order.length} images could be used (e.g. ${path}: ${reason})`, {
          field: 'data',
          kind: 'not-found',
        });
      }
    } finally {
      // A consumer that stops early (break, an error) leaves prefetched batches behind.
      for (const p of inFlight) p.catch(() => undefined);
    }
  }

  async #prepare(indices: number[], epoch: number, position: number): Promise<Batch> {
    const { size, presize, preprocessing } = this.o;
    const results = await Promise.all(
      indices.map((i) => {
        const s = this.o.samples[i]!;
        const key = this.cache.key(s.path, presize);
        const hit = this.cache.lookup(key, presize * presize * 3);
        return this.#pool
          .run({
            id: i,
            path: s.path,
            side: presize,
            size,
            interpolation: preprocessing.interpolation,
            preprocessing,
            augment: this.#augment,
            // Per sample, independent of which worker runs it or in what order.
            seed: deriveSeed(this.o.seed, epoch, i),
            cached: hit.kind === 'memory' ? hit.pixels : null,
            cachedFile: hit.kind === 'disk' ? hit.file : null,
            spillTo: hit.kind === 'miss' ? hit.spillTo : null,
          })
          .then((r: WorkerResult) => {
            if (hit.kind === 'miss') {
              if (r.ok) this.cache.store(key, r.pixels, r.spilled);
              else this.cache.release(key);
            }
            return [s, r, i] as const;
          });
      }),
    );
    const good = results.filter(([s, r]) => {
      if (!r.ok) this.#skipped.set(s.path, r.reason);
      return r.ok;
    });
    const stride = size * size * 3;
    const x = new Float32Array(good.length * stride);
    const y = new Int32Array(good.length);
    good.forEach(([s, r], k) => {
      if (r.ok) x.set(r.x, k * stride);
      y[k] = s.label;
    });
    return {
      x,
      y,
      n: good.length,
      paths: good.map(([s]) => s.path),
      indices: good.map(([, , i]) => i),
      position,
    };
  }

  async close(): Promise<void> {
    if (this.#ownsPool) await this.#pool.close();
    if (this.#ownsCache) this.cache.clear();
  }
}
