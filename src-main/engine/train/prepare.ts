// A run's wiring before the loop: the backend for the work, the dataset and its split, the model,
// the worker pool and the data loaders (and the feature-cache loader), the compiled stages; and
// closing all of it again.
import { existsSync, statSync } from 'node:fs';
import { requestThreads, useBackend, type BackendInfo, type Workload } from '../backend/index.js';
import { epochOrder } from '../data/balance/index.js';
import { DataLoader, WorkerPool } from '../data/pipeline/index.js';
import { DataError, findDuplicates, readDataset, stratifiedSplit, type DuplicateGroup } from '../data/sources/index.js';
import { weightDecayPerGroup } from '../optim/index.js';
import type { Split } from '../data/types.js';
import type { ModelMeta } from '../model-dir/index.js';
import type { BuiltModel } from '../models/index.js';
import { manifestHash } from '../runs/index.js';
import { compilePlan, ConfigError, type SchedulePlan } from '../schedules/index.js';
import { parseRunConfig, resolveBatchSize, type RunConfig } from './config.js';
import { loadModel } from './model-source.js';
import { planSizes, type StageData } from './progressive.js';
import type { FeatureCacheOptions } from './trainer.js';
import { chooseStepEngine, type StepEngine } from './step-engine.js';

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
  /**
   * Progressive resizing: the image size of each compiled stage, and the loaders at each distinct
   * size (the first is `train`, `val` and `featureCache` above: stage 0's). One entry without sizes.
   */
  stageSizes: number[];
  data: StageData[];
  /** Said once before training: a stage smaller than the one before it (allowed, as in fastai). */
  sizeNotices: string[];
  /** What computes the training steps on image batches (onnxruntime or TF.js), and why. */
  stepEngine: StepEngine;
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
  if (!config.data) throw new DataError('no dataset', { kind: 'missing', field: 'data' });
  const workload = plan
    ? plan.stages.every((s) => s.freeze === 'backbone')
      ? 'frozen'
      : 'full'
    : (o.workload ?? 'full');
  const fixedSplit = o.fixedSplit;
  if (fixedSplit) assertSplitExists(fixedSplit);
  if (config.threads !== undefined) requestThreads({ config: config.threads });
  const backend = await useBackend(workload, config.backend);
  const loaded = await readDataset(config.data);
  const classes = loaded.dataset.classes;
  // A one-class "classifier" would fail deep in TF.js (oneHot depth, a 0-unit head): say it here.
  if (classes.length < 2) {
    const found = classes.length ? `one class ("${classes[0]}")` : 'no class folders';
    throw new DataError(`${config.data}: found ${found}; a classifier needs at least two, one folder per class`, {
      field: 'data',
    });
  }
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
  if (split.train.length === 0) {
    throw new DataError(`${config.data}: no training images`, { field: 'data', kind: 'not-found' });
  }
  // Built at the last stage's size when the stages give sizes: model/ is saved at the size it ends at.
  const finalSize = plan?.stages.at(-1)?.imageSize;
  const { built, source } = await loadModel(finalSize ? { ...config, imageSize: finalSize } : config, classes);
  try {
    // The optimizer is made once training starts; its per-group settings are checked now, while
    // nothing has been written (a wrong weightDecay length used to leave a half-made run that hung).
    weightDecayPerGroup(config.optimizer, built.groups.length);
  } catch (e) {
    built.model.dispose();
    throw e instanceof ConfigError ? e.within('optimizer') : e;
  }
  const size = config.imageSize ?? source?.inputSize ?? built.spec.inputSize;
  let sizes: ReturnType<typeof planSizes>;
  try {
    sizes = planSizes(plan, config.imageSize, size, built.spec);
  } catch (e) {
    built.model.dispose();
    throw e;
  }
  const preprocessing = { ...(source?.preprocessing ?? built.spec.preprocessing), alpha: config.alpha };
  const pool = new WorkerPool(config.workers);
  try {
    return await wire(config, plan, {
      classes,
      split,
      built,
      source,
      backend,
      pool,
      sizes,
      preprocessing,
      loaded,
      duplicates,
    });
  } catch (e) {
    built.model.dispose();
    await pool.close();
    throw e;
  }
}

/** The images of a run's split.json must still be there to resume it. */
function assertSplitExists(split: Split): void {
  const missing = split.train.filter((s) => !existsSync(s.path));
  if (missing.length === split.train.length && missing.length > 0) {
    throw new DataError(
      `none of the run's ${missing.length} training images exist any more (e.g. ${missing[0]!.path})`,
      { kind: 'not-found' },
    );
  }
}

/** Loaders and the compiled stages of a prepared run (they close with the pool on a failure). */
async function wire(
  config: RunConfig,
  plan: SchedulePlan | null,
  w: {
    classes: string[];
    split: Split;
    built: BuiltModel;
    source: ModelMeta | null;
    backend: BackendInfo;
    pool: WorkerPool;
    sizes: ReturnType<typeof planSizes>;
    preprocessing: ModelMeta['preprocessing'];
    loaded: Awaited<ReturnType<typeof readDataset>>;
    duplicates: DuplicateGroup[];
  },
): Promise<Prepared> {
  const { classes, split, built, source, backend, pool, sizes, preprocessing, loaded, duplicates } = w;
  const labels = split.train.map((s) => s.label);
  const batchSize = resolveBatchSize(config.batchSize, split.train.length);
  // One set of loaders per distinct size (progressive resizing rebuilds them at each stage's size,
  // as fastai rebuilds its DataLoaders); their image caches key on the presized side, so they never mix.
  const loadersAt = (size: number): StageData => {
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
      refuseEmptyEpoch: true,
    });
    const val = new DataLoader({ samples: split.val, batchSize, size, preprocessing, workers: pool });
    const fc = config.featureCache;
    // Cached features of un-augmented images come from an eval-transform loader in the same order.
    const cacheLoader =
      fc && (!fc.augment || config.augment === false)
        ? new DataLoader({ ...train.o, augment: null, presize: size, workers: pool })
        : train;
    const featureCache = fc ? { views: cacheLoader === train ? fc.views : 1, loader: cacheLoader } : null;
    return { size, train, val, featureCache };
  };
  const data = [...new Set(sizes.perStage)].map(loadersAt);
  const { train, val, featureCache } = data[0]!;
  const stepsPerEpoch = Math.ceil(train.batchesPerEpoch() / config.accumulate);
  const stages = !plan
    ? []
    : compilePlan(plan, { stepsPerEpoch, groups: built.groups.length, batchSize: batchSize * config.accumulate });
  // Every rate the run will use, before anything is written: a schedule that overflows or turns
  // negative part-way is refused now, naming its field (compile.ts checks each value).
  for (const s of stages)
    if (s.schedule.monitor === null) for (let g = 0; g < s.epochs * stepsPerEpoch; g++) s.schedule.at(g);
  // Built at the first stage's size; each batch says its own (progressive resizing), and the
  // engine keeps a graph per size.
  const stepEngine = await chooseStepEngine(built.model, { inputSize: sizes.perStage[0]!, seed: config.seed });
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
    stageSizes: sizes.perStage,
    data,
    sizeNotices: sizes.notices,
    stepEngine,
  };
}

/** Closes the loaders and the worker pool, and frees the model. */
export async function closePrepared(p: Prepared): Promise<void> {
  await p.stepEngine.dispose();
  p.built.model.dispose();
  for (const d of p.data) {
    await d.train.close();
    if (d.featureCache && d.featureCache.loader !== d.train) await d.featureCache.loader.close();
    await d.val.close();
  }
  await p.pool.close();
}
