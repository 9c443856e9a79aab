// A whole training run, as `anneal train` and `anneal resume` drive it: dataset and split, model
// (pretrained model dir or an architecture), data loaders, the schedule plan, the run store and
// its callbacks, the loop; and afterwards the trained model saved as a model dir inside the run.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { requestThreads, useBackend, type BackendInfo, type Workload } from '../backend/index.js';
import { classCounts, classWeights, epochOrder } from '../data/balance/index.js';
import { DataLoader, WorkerPool } from '../data/pipeline/index.js';
import { readDataset, stratifiedSplit } from '../data/sources/index.js';
import type { Split } from '../data/types.js';
import { isModelDir, loadModelDir, saveModelDir, type ModelMeta } from '../model-dir/index.js';
import { buildModel, getArch, layerGroups, modelsDir, replaceHead, type BuiltModel } from '../models/index.js';
import { manifestHash, RunStore } from '../runs/index.js';
import { ANNEAL_VERSION } from '../runtime/index.js';
import { compilePlan, ConfigError, type SchedulePlan } from '../schedules/index.js';
import type { Callback } from './callbacks.js';
import { parseRunConfig, parseRunSettings, resolveBatchSize, type RunConfig } from './config.js';
import { LearningRateScheduler } from './schedule-callback.js';
import { DivergenceGuard, EarlyStopping } from './stopping.js';
import { RunControl } from './control.js';
import { Checkpointer, MetricsLogger, type Progress } from './store-callbacks.js';
import { lrFind, type LrFindResult } from './lr-find.js';
import { Trainer, type FeatureCacheOptions, type ResumePoint } from './trainer.js';
import { setModelWeights } from './weights.js';

export interface RunOptions {
  /** Where runs/<id>/ goes. */
  out: string;
  onProgress?: (p: Progress) => void;
  /** Called once the trainer exists, so that a caller can pause, stop or change the rate. */
  onTrainer?: (t: Trainer, store: RunStore) => void;
}

export interface RunResult {
  runDir: string;
  epochs: number;
  final: { val_accuracy: number | null; val_loss: number | null; accuracy: number; loss: number };
  best: { metric: string; value: number; epoch: number } | null;
  skipped: { path: string; reason: string }[];
  stopped: string | null;
  backend: BackendInfo;
}

/** models/<id>/: a pretrained model dir shipped with Anneal (resnet_micro, scripts/pretrain-resnet-micro.ts). */
export function bundledModelDir(id: string): string | null {
  const dir = join(modelsDir(), id);
  return isModelDir(dir) ? dir : null;
}

/** What `model` means: a model dir (given, or bundled for an architecture id), or an architecture id. */
export function modelRef(config: RunConfig): { ref: string; pretrained: boolean } {
  const given = config.model ?? 'resnet_micro';
  if (isModelDir(given)) return { ref: given, pretrained: true };
  const bundled = config.pretrained ? bundledModelDir(given) : null;
  return bundled ? { ref: bundled, pretrained: true } : { ref: given, pretrained: false };
}

async function loadModel(
  config: RunConfig,
  classes: string[],
): Promise<{ built: BuiltModel; source: ModelMeta | null }> {
  const { ref, pretrained } = modelRef(config);
  if (pretrained) {
    const { model, meta } = await loadModelDir(ref);
    const spec = getArch(meta.arch);
    const built: BuiltModel = { spec, model, groups: layerGroups(model, spec.groups) };
    const same = meta.classes === classes.length && meta.labels.every((l, i) => l === classes[i]);
    return { built: same ? built : replaceHead(built, classes.length), source: meta };
  }
  let spec;
  try {
    spec = getArch(ref);
  } catch (e) {
    throw new ConfigError('model', `${(e as Error).message}, and not a model dir`);
  }
  return { built: buildModel(spec, { numClasses: classes.length, inputSize: config.imageSize }), source: null };
}

function manifestOf(split: Split): string {
  const files = [...split.train, ...split.val].map((s) => {
    const st = statSync(s.path, { throwIfNoEntry: false });
    return { path: s.path, label: s.label, size: st?.size ?? 0, mtime: st?.mtimeMs ?? 0 };
  });
  return manifestHash(files);
}

interface Prepared {
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
}

async function prepare(input: unknown, fixedSplit?: Split): Promise<Prepared> {
  const { config, plan } = parseRunConfig(input);
  return prepareWith(config, plan, { fixedSplit });
}

/**
 * Everything a run needs. Without a plan (lr-find) there are no stages, and the caller says what
 * work the backend must be able to do.
 */
async function prepareWith(
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
  if (config.threads !== undefined) requestThreads({ config: config.threads });
  const backend = await useBackend(workload, config.backend);
  const loaded = await readDataset(config.data);
  const classes = loaded.dataset.classes;
  const split =
    fixedSplit ?? loaded.split ?? stratifiedSplit(loaded.dataset, { seed: config.seed, valFraction: config.valSplit });
  if (split.train.length === 0) throw new Error(`${config.data}: no training images`);
  const { built, source } = await loadModel(config, classes);
  const size = config.imageSize ?? source?.inputSize ?? built.spec.inputSize;
  const preprocessing = source?.preprocessing ?? built.spec.preprocessing;
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
  };
}

async function execute(
  p: Prepared,
  store: RunStore,
  o: RunOptions,
  resume: ResumePoint | null,
  best: Checkpointer['best'],
): Promise<RunResult> {
  const { config, built, stages } = p;
  const totalEpochs = stages.reduce((n, s) => n + s.epochs, 0);
  const counts = classCounts(
    p.split.train.map((s) => s.label),
    p.classes.length,
  );
  // The checkpointer needs the trainer's optimizer, and the trainer needs its callbacks.
  const ref: { trainer?: Trainer } = {};
  const checkpointer = new Checkpointer(
    store,
    built.model,
    () => ref.trainer!.optimizer,
    'val_loss',
    config.keepCheckpoints === 'all' ? undefined : config.keepCheckpoints,
    best,
  );
  const callbacks: Callback[] = [
    new LearningRateScheduler(stages),
    new RunControl(store),
    new DivergenceGuard(config.divergenceFactor),
    new MetricsLogger(store, totalEpochs, o.onProgress),
    checkpointer,
  ];
  if (config.earlyStopping) callbacks.push(new EarlyStopping(config.earlyStopping));
  const trainer = new Trainer({
    built,
    stages,
    optimizer: config.optimizer,
    train: p.train,
    val: p.val.o.samples.length ? p.val : null,
    callbacks,
    classWeights: config.balance.classWeights === 'none' ? null : classWeights(counts, config.balance),
    gradClipNorm: config.gradClip,
    accumulate: config.accumulate,
    updateRatioEvery: config.updateRatioEvery,
    resume,
    featureCache: p.featureCache,
  });
  ref.trainer = trainer;
  o.onTrainer?.(trainer, store);
  try {
    const result = await trainer.fit();
    const skipped = [...p.problems, ...p.train.skipped, ...p.val.skipped];
    if (skipped.length) store.appendEvent('skipped-files', { count: skipped.length, files: skipped });
    const restoreBest =
      result.stopped?.startsWith('divergence') ||
      (result.stopped?.startsWith('early stopping') && config.earlyStopping && config.earlyStopping.restoreBest);
    if (restoreBest) {
      const bestCkpt = await store.bestCheckpoint();
      if (bestCkpt) setModelWeights(built.model, bestCkpt.weights as never);
      const type = result.stopped!.startsWith('divergence') ? 'divergence' : 'early-stop';
      store.appendEvent(type, { reason: result.stopped, restored: bestCkpt?.state.epoch ?? null });
    }
    await saveModelDir(
      join(store.dir, 'model'),
      built.model,
      {
        format: 'anneal-model',
        version: 1,
        arch: built.spec.id,
        classes: p.classes.length,
        labels: p.classes,
        inputSize: p.train.o.size,
        preprocessing: p.train.o.preprocessing,
        groups: built.groups.map((g) => g.name),
        source: null,
        created: new Date().toISOString(),
      },
      { replace: true },
    );
    const epochs = store.readMetrics().epochs;
    const last = epochs.at(-1);
    store.appendEvent(result.stopped ? 'stop' : 'done', { reason: result.stopped, epochs: epochs.length });
    return {
      runDir: store.dir,
      epochs: epochs.length,
      final: {
        val_accuracy: last?.val_accuracy ?? null,
        val_loss: last?.val_loss ?? null,
        accuracy: last?.accuracy ?? NaN,
        loss: last?.loss ?? NaN,
      },
      best: checkpointer.best,
      skipped,
      stopped: result.stopped,
      backend: p.backend,
    };
  } catch (e) {
    store.appendEvent('error', { message: (e as Error).message });
    throw e;
  } finally {
    trainer.dispose();
    built.model.dispose();
    await p.train.close();
    if (p.featureCache && p.featureCache.loader !== p.train) await p.featureCache.loader.close();
    await p.val.close();
    await p.pool.close();
  }
}

/** `anneal train`: a new run. `config` is the whole run config (CLI flags already merged in). */
export async function startRun(config: Record<string, unknown>, o: RunOptions): Promise<RunResult> {
  const p = await prepare(config);
  const store = RunStore.create(o.out, {
    arch: p.built.spec.id,
    config,
    seed: p.config.seed,
    versions: { anneal: ANNEAL_VERSION, node: process.versions.node, tfjs: tf.version_core, backend: p.backend.name },
    backend: { name: p.backend.name, device: p.backend.device },
    dataset: {
      root: p.config.data!,
      manifestHash: manifestOf(p.split),
      classes: p.classes,
      train: p.split.train.length,
      val: p.split.val.length,
    },
  });
  store.writeSplit({ train: p.split.train, val: p.split.val });
  store.appendEvent('start', {
    backend: p.backend.name,
    device: p.backend.device,
    weights: p.source
      ? `pretrained (${p.source.source?.file ?? p.source.arch})`
      : 'random initialisation (no pretrained weights)',
  });
  return execute(p, store, o, null, null);
}

/** `anneal resume`: continue a run from its last complete checkpoint, each epoch recorded once. */
export async function resumeRun(runDir: string, o: Omit<RunOptions, 'out'>): Promise<RunResult> {
  const store = RunStore.open(runDir);
  const ckpt = await store.latestCheckpoint();
  const splitFile = store.readSplit();
  const split: Split | undefined = splitFile
    ? { train: splitFile.train, val: splitFile.val, method: 'stratified', seed: null, valFraction: null }
    : undefined;
  const p = await prepare(store.meta.config, split);
  if (!ckpt) {
    // Killed before the first epoch ended: start again in the same run folder.
    store.truncateMetricsAfter({ step: -1, epoch: -1 });
    store.appendEvent('start', { backend: p.backend.name, device: p.backend.device, resumed: true });
    return execute(p, store, { ...o, out: runDir }, null, null);
  }
  const st = ckpt.state;
  setModelWeights(p.built.model, ckpt.weights as never);
  store.truncateMetricsAfter({ step: st.step, epoch: st.epoch });
  const stageDone = st.stageEpoch + 1 >= p.stages[st.stage]!.epochs;
  const steps = Math.ceil(p.train.batchesPerEpoch() / p.config.accumulate);
  const schedule = (st.scheduleState ?? {}) as { history?: Record<string, number[]>; lrScale?: number };
  const resume: ResumePoint = {
    stage: stageDone ? st.stage + 1 : st.stage,
    stageEpoch: stageDone ? 0 : st.stageEpoch + 1,
    epoch: st.epoch + 1,
    step: st.step + 1,
    stageStep: stageDone ? 0 : (st.stageEpoch + 1) * steps,
    optimizer: ckpt.optimizer.json,
    history: stageDone ? {} : (schedule.history ?? {}),
  };
  store.appendEvent('resume-from-checkpoint', { epoch: st.epoch, step: st.step });
  store.appendEvent('start', { backend: p.backend.name, device: p.backend.device, resumed: true });
  return execute(p, store, { ...o, out: runDir }, resume, st.best ?? null);
}

export interface LrFindRunOptions {
  startLr?: number;
  endLr?: number;
  numIt?: number;
  /** Only the head trains, as fastai's lr_find on a frozen learner (default: when the model is pretrained). */
  freezeBackbone?: boolean;
}

/** `anneal lr-find`: the LR range test on a run config's data and model; nothing is saved. */
export async function runLrFind(
  input: Record<string, unknown>,
  o: LrFindRunOptions = {},
): Promise<LrFindResult & { backend: BackendInfo }> {
  // The range test is its own schedule: any schedule in the config is not needed here.
  const config = parseRunSettings(input);
  // Only the head trains for a pretrained model (fastai's lr_find on a frozen learner); training
  // every layer needs a backend that can backpropagate through convolutions.
  const freezeBackbone = o.freezeBackbone ?? modelRef(config).pretrained;
  const p = await prepareWith(config, null, { workload: freezeBackbone ? 'frozen' : 'full' });
  try {
    const result = await lrFind(p.built, p.train, config.optimizer, { ...o, freezeBackbone });
    return { ...result, backend: p.backend };
  } finally {
    p.built.model.dispose();
    await p.train.close();
    if (p.featureCache && p.featureCache.loader !== p.train) await p.featureCache.loader.close();
    await p.val.close();
    await p.pool.close();
  }
}
