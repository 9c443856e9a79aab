// A run's wiring before the loop: the backend for the work, the dataset and its split, the model,
// the worker pool and the data loaders (and the feature-cache loader), the compiled stages; and
// closing all of it again.
import { statSync } from 'node:fs';
import { useBackend, type BackendInfo, type Workload } from '../backend/index.js';
import { epochOrder } from '../data/balance/index.js';
import { DataLoader, WorkerPool } from '../data/pipeline/index.js';
import { findDuplicates, readDataset, stratifiedSplit, type DuplicateGroup } from '../data/sources/index.js';
import type { Split } from '../data/types.js';
import type { ModelMeta } from '../model-dir/index.js';
import type { BuiltModel } from '../models/index.js';
import { manifestHash } from '../runs/index.js';
import { compilePlan, type SchedulePlan } from '../schedules/index.js';
import { parseRunConfig, resolveBatchSize, type RunConfig } from './config.js';
import { loadModel } from './model-source.js';
import type { FeatureCacheOptions } from './trainer.js';

export function manifestOf(split: Split): string {
  const files = [...split.train, ...split.val].map((s) => {
    const st = statSync(s.path, { throwIfNoEntry: false });
    return { path: s.path, label: s.label, size: st?.size ?? 0, mtime: st?.mtimeMs ?? 0 };
  });
  return manifestHash(files);
}

export interface Prepared {
  config: RunConfig;
  built: BuiltModel;
  source: ModelMeta | null;
  classes: string[];
  split: Split;
  backend: BackendInfo;
  train: DataLoader;
  val: DataLoader;
  pool: WorkerPool;
  stages: ReturnType<typeof compilePlan>;
  featureCache: FeatureCacheOptions | null;
  /** Files the dataset listing already refused (not images, empty, unreadable, …). */
  problems: { path: string; reason: string }[];
  /** Duplicate groups of a new run's dataset (label conflicts first); none on resume or pre-split folders. */
  duplicates: DuplicateGroup[];
}

export async function prepare(input: unknown, fixedSplit?: Split): Promise<Prepared> {
  const { config, plan } = parseRunConfig(input);
  return prepareWith(config, plan, { fixedSplit });
}

/**
 * Everything a run needs. Without a plan (lr-find) there are no stages, and the caller says what
 * work the backend must be able to do.
 */
export async function prepareWith(
  config: RunConfig,
  plan: SchedulePlan | null,
  o: { fixedSplit?: Split; workload?: Workload } = {},
): Promise<Prepared> {
  if (!config.data) throw new Error('no dataset: give --data or "data" in the config');
  const workload = plan
    ? plan.stages.every((s) => s.freeze === 'backbone')
      ? 'frozen'
      : 'full'
    : (o.workload ?? 'full');
  const fixedSplit = o.fixedSplit;
  const backend = await useBackend(workload, config.backend);
  const loaded = await readDataset(config.data);
  const classes = loaded.dataset.classes;
  // A new run's split keeps duplicate groups (byte-identical and near-duplicate files) on one side;
  // finding them decodes every image once more (docs/data.md has what that costs).
  let duplicates: DuplicateGroup[] = [];
  let split = fixedSplit ?? loaded.split;
  if (!split) {
    const found = plan
      ? await findDuplicates(loaded.dataset.samples, classes, { alpha: config.alpha, near: config.nearDuplicates })
      : { groups: [], described: [] };
    duplicates = found.described;
    split = {
      ...stratifiedSplit(loaded.dataset, {
        seed: config.seed,
        valFraction: config.valSplit,
        groups: found.groups.map((g) => g.members),
      }),
      duplicateGroups: duplicates.map((g) => g.paths),
    };
  }
  if (split.train.length === 0) throw new Error(`${config.data}: no training images`);
  const { built, source } = await loadModel(config, classes);
  const size = config.imageSize ?? source?.inputSize ?? built.spec.inputSize;
  const preprocessing = { ...(source?.preprocessing ?? built.spec.preprocessing), alpha: config.alpha };
  const pool = new WorkerPool(config.workers);
  const labels = split.train.map((s) => s.label);
  const batchSize = resolveBatchSize(config.batchSize, split.train.length);
  const train = new DataLoader({
    samples: split.train,
    batchSize,
    size,
    preprocessing,
    augment: config.augment === false ? null : config.augment,
    shuffle: true,
    order: (epoch) => epochOrder(labels, classes.length, config.balance, config.seed, epoch),
    seed: config.seed,
    workers: pool,
  });
  const val = new DataLoader({ samples: split.val, batchSize, size, preprocessing, workers: pool });
  const fc = config.featureCache;
  // Cached features of un-augmented images come from an eval-transform loader in the same order.
  const cacheLoader =
    fc && (!fc.augment || config.augment === false)
      ? new DataLoader({ ...train.o, augment: null, presize: size, workers: pool })
      : train;
  const featureCache = fc ? { views: cacheLoader === train ? fc.views : 1, loader: cacheLoader } : null;
  const stages = !plan
    ? []
    : compilePlan(plan, {
        stepsPerEpoch: Math.ceil(train.batchesPerEpoch() / config.accumulate),
        groups: built.groups.length,
        batchSize: batchSize * config.accumulate,
      });
  return {
    config,
    built,
    source,
    classes,
    split,
    backend,
    train,
    val,
    featureCache,
    pool,
    stages,
    problems: loaded.dataset.problems,
    duplicates,
  };
}

/** Closes the loaders and the worker pool, and frees the model. */
export async function closePrepared(p: Prepared): Promise<void> {
  p.built.model.dispose();
  await p.train.close();
  if (p.featureCache && p.featureCache.loader !== p.train) await p.featureCache.loader.close();
  await p.val.close();
  await p.pool.close();
}
