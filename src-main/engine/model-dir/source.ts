// Which model a path means, answered once for training (fine-tune from), eval, export and predict:
// a model dir; a run folder (its model/, written when training ends, else its best checkpoint,
// else its last); one checkpoint of a run (a run folder with a checkpoint asked for, or the
// checkpoint's own folder); and, where the caller takes them, an export (folder, .onnx, model.json).
// Resolving reads only small JSON files; loadModelSource loads the weights.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, getArch, loadCatalog, modelsDir } from '../models/index.js';
import { BEST_CHECKPOINT, EPOCH_DIR, readCheckpointInfo, RUN_FILES, RunStore, summarizeRun } from '../runs/index.js';
import { ConfigError, parseScheduleFile } from '../schedules/index.js';
import { parseRunSettings, type RunConfig } from '../train/config.js';
import { EMA_MODEL_DIR, setEmaWeights } from '../train/ema.js';
import { setModelWeights } from '../train/weights.js';
import { isModelDir, loadModelDir, ModelDirError, readModelMeta } from './io.js';
import type { ModelMeta } from './meta.js';

const CHECKPOINT_JSON = 'checkpoint.json';

export interface ModelSource {
  /** model-dir: a model dir; run: a run's model/ or one of its checkpoints; onnx/tfjs: an export. */
  kind: 'model-dir' | 'run' | 'onnx' | 'tfjs';
  /** The path given. */
  path: string;
  run: RunStore | null;
  /** Which weights, in words: "model/ (the weights training ended with)", "checkpoint best (epoch 3)", … */
  weights: string;
  /** What the model is (anneal.json, or the run's for a checkpoint); null for an export. */
  meta: ModelMeta | null;
  /** The model dir holding the weights (a model dir given, a run's model/), else null. */
  modelDir: string | null;
  /** The checkpoint holding the weights (`best`, `epoch-0003`), else null. */
  checkpoint: { name: string; dir: string; epoch: number } | null;
  /** The export file to load (model.onnx, model.json), else null. */
  file: string | null;
  /** The weights' moving average (a run trained with `ema`), not the live weights. */
  ema?: boolean;
}

export interface ModelSourceOptions {
  /** best, last, an epoch number or epoch-NNNN; only for a run. */
  checkpoint?: string;
  /** Accept exports (what predict runs); others take only what TF.js can train or rebuild. */
  exports?: boolean;
  /** A run's moving average of the weights (run config `ema`): model-ema/, or a checkpoint's ema buffers. */
  ema?: boolean;
}

const fail = (message: string, kind: ModelDirError['kind'], field = 'model') =>
  new ModelDirError(message, { kind, field });

/** models/<id>/: a pretrained model dir shipped with Anneal (resnet_micro, scripts/pretrain-resnet-micro.ts). */
export function bundledModelDir(id: string): string | null {
  const dir = join(modelsDir(), id);
  return isModelDir(dir) ? dir : null;
}

/** True where `path` is something openModelSource can open (as opposed to an architecture id). */
function looksLikeSource(path: string): boolean {
  return (
    isModelDir(path) ||
    existsSync(join(path, RUN_FILES.meta)) ||
    existsSync(join(path, CHECKPOINT_JSON)) ||
    (!loadCatalog().has(path) && existsSync(path))
  );
}

/**
 * What a run config's `model` means: a model source (model dir, run, checkpoint) to fine-tune, the
 * bundled pretrained model dir of an architecture id, or an architecture id from random weights.
 */
export function modelRef(config: Pick<RunConfig, 'model' | 'pretrained'>): { ref: string; pretrained: boolean } {
  const given = config.model ?? 'resnet_micro';
  if (looksLikeSource(given)) return { ref: given, pretrained: true };
  const bundled = config.pretrained ? bundledModelDir(given) : null;
  return bundled ? { ref: bundled, pretrained: true } : { ref: given, pretrained: false };
}

/** A checkpoint asked for: best, last, epoch-0003 or 3. */
function checkpointName(given: string): string {
  if (given === BEST_CHECKPOINT || given === 'last') return given;
  if (/^\d+$/.test(given)) return `epoch-${given.padStart(4, '0')}`;
  if (EPOCH_DIR.test(given)) return given;
  throw fail(`checkpoint "${given}": expected best, last, an epoch number or epoch-NNNN`, 'not-found', 'checkpoint');
}

/** The run's classes, input size and preprocessing, found the way training found them. */
export function runModelMeta(store: RunStore): ModelMeta {
  let config;
  try {
    config = parseRunSettings(store.meta.config);
  } catch (e) {
    if (e instanceof ConfigError) throw fail(`run ${store.id}: run.json config: ${e.message}`, 'invalid');
    throw e;
  }
  const { ref, pretrained } = modelRef(config);
  const spec = loadCatalog().get(store.meta.arch);
  if (!spec) throw fail(`run ${store.id}: unknown architecture "${store.meta.arch}"`, 'invalid');
  let source: ModelMeta | null = null;
  if (pretrained) {
    if (!existsSync(ref)) {
      throw fail(
        `run ${store.id} started from ${ref}, which is not here: its preprocessing is unknown; ` +
          'open it from the folder training ran in',
        'not-found',
      );
    }
    source = openModelSource(ref).meta;
  }
  const classes = store.meta.dataset.classes;
  return {
    format: 'anneal-model',
    version: 1,
    arch: spec.id,
    classes: classes.length,
    labels: classes,
    inputSize: finalStageSize(store.meta.config) ?? config.imageSize ?? source?.inputSize ?? spec.inputSize,
    preprocessing: { ...(source?.preprocessing ?? spec.preprocessing), alpha: config.alpha },
    groups: spec.groups.map((g) => g.name),
    source: null,
    created: new Date().toISOString(),
  };
}

/**
 * The last stage's imageSize (progressive resizing): a run's model is built and saved at the size it
 * ends at (train/prepare.ts), so its checkpoints open at that size too.
 */
function finalStageSize(config: unknown): number | undefined {
  try {
    return parseScheduleFile(config).stages.at(-1)?.imageSize;
  } catch {
    return undefined;
  }
}

/** The checkpoint to use; `label` names it for people ("last" for the newest epoch's). */
function pickCheckpoint(
  store: RunStore,
  given: string | undefined,
): { name: string; dir: string; epoch: number; label?: string } {
  const name = given === undefined ? undefined : checkpointName(given);
  const root = join(store.dir, RUN_FILES.checkpoints);
  const all = store.listCheckpoints();
  const none = () =>
    fail(
      `run ${store.id} (${summarizeRun(store.dir).status}) has no trained model yet: no epoch of it has finished ` +
        '(a checkpoint is written at the end of each epoch, model/ when training ends)',
      'not-found',
    );
  const best = join(root, BEST_CHECKPOINT);
  if ((name === undefined || name === BEST_CHECKPOINT) && existsSync(join(best, CHECKPOINT_JSON))) {
    return { name: BEST_CHECKPOINT, dir: best, epoch: readCheckpointInfo(best, BEST_CHECKPOINT).epoch };
  }
  if (name === BEST_CHECKPOINT) {
    throw all.length ? fail(`run ${store.id} has no best checkpoint`, 'not-found', 'checkpoint') : none();
  }
  if (name === undefined || name === 'last') {
    const last = all.at(-1);
    if (!last) throw none();
    return { name: last.name, dir: last.dir, epoch: last.epoch, label: 'last' };
  }
  const found = all.find((c) => c.name === name);
  if (!found) {
    if (!all.length) throw none();
    throw fail(
      `run ${store.id} has no checkpoint ${name} (it has ${all.map((c) => c.name).join(', ')})`,
      'not-found',
      'checkpoint',
    );
  }
  return { name: found.name, dir: found.dir, epoch: found.epoch };
}

function runSource(path: string, store: RunStore, checkpoint: string | undefined, ema = false): ModelSource {
  if (ema) return emaRunSource(path, store, checkpoint);
  const trained = join(store.dir, 'model');
  const base = { kind: 'run' as const, path, run: store, file: null };
  if (checkpoint === undefined && isModelDir(trained)) {
    return {
      ...base,
      weights: 'model/ (the weights training ended with)',
      meta: readModelMeta(trained),
      modelDir: trained,
      checkpoint: null,
    };
  }
  const ckpt = pickCheckpoint(store, checkpoint);
  return {
    ...base,
    weights: `checkpoint ${ckpt.label ?? ckpt.name} (epoch ${ckpt.epoch})`,
    meta: runModelMeta(store),
    modelDir: null,
    checkpoint: { name: ckpt.name, dir: ckpt.dir, epoch: ckpt.epoch },
  };
}

/** The moving average's weights of a run: model-ema/ once training ended, else a checkpoint's. */
function emaRunSource(path: string, store: RunStore, checkpoint: string | undefined): ModelSource {
  const ema = (store.meta.config as { ema?: { decay?: number } | false }).ema;
  if (!ema) {
    throw fail(
      `run ${store.id} was trained without "ema": it has no moving average of its weights`,
      'not-found',
      'ema',
    );
  }
  const what = `the weights' moving average, decay ${ema.decay ?? 0.999}`;
  const averaged = join(store.dir, EMA_MODEL_DIR);
  if (checkpoint === undefined && isModelDir(averaged)) {
    return {
      kind: 'run',
      path,
      run: store,
      file: null,
      weights: `${EMA_MODEL_DIR}/ (${what}, where training ended)`,
      meta: readModelMeta(averaged),
      modelDir: averaged,
      checkpoint: null,
      ema: true,
    };
  }
  const src = runSource(path, store, checkpoint ?? BEST_CHECKPOINT);
  return { ...src, weights: `${src.weights}, ${what}`, ema: true };
}

/** An export folder's or file's model file, or null where `path` is none. */
function exportFile(path: string, isDir: boolean): { kind: 'onnx' | 'tfjs'; file: string } | null {
  if (isDir) {
    if (existsSync(join(path, 'model.onnx'))) return { kind: 'onnx', file: join(path, 'model.onnx') };
    if (existsSync(join(path, 'model.json'))) return { kind: 'tfjs', file: join(path, 'model.json') };
    return null;
  }
  if (path.toLowerCase().endsWith('.onnx')) return { kind: 'onnx', file: path };
  if (basename(path).toLowerCase().endsWith('.json')) return { kind: 'tfjs', file: path };
  return null;
}

/** Which model `path` means (see the top of this file). Loads no weights. */
export function openModelSource(path: string, o: ModelSourceOptions = {}): ModelSource {
  const dir = resolve(path);
  const what = o.exports ? 'a run folder, a model dir or an export' : 'a run folder or a model dir';
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw fail(`${path}: no such ${o.exports ? 'file or folder' : 'folder'} (give ${what})`, 'not-found');
  }
  if (isDir && existsSync(join(dir, RUN_FILES.meta))) return runSource(path, RunStore.open(dir), o.checkpoint, o.ema);
  // A checkpoint's own folder: runs/<id>/checkpoints/<name>/.
  const runDir = dirname(dirname(dir));
  if (isDir && existsSync(join(dir, CHECKPOINT_JSON)) && existsSync(join(runDir, RUN_FILES.meta))) {
    if (o.checkpoint !== undefined)
      throw fail(`${path} is already a checkpoint; give its run folder to choose another`, 'conflict', 'checkpoint');
    return runSource(path, RunStore.open(runDir), basename(dir), o.ema);
  }
  if (o.ema)
    throw fail(`${path} is not a run folder (only a run trained with "ema" has an average)`, 'conflict', 'ema');
  if (o.checkpoint !== undefined && (isModelDir(dir) || (o.exports && exportFile(dir, isDir))))
    throw fail(`checkpoint: ${path} is a model dir or export, not a run`, 'conflict', 'checkpoint');
  if (isDir && isModelDir(dir)) {
    return {
      kind: 'model-dir',
      path,
      run: null,
      weights: `model dir ${path}`,
      meta: readModelMeta(dir),
      modelDir: dir,
      checkpoint: null,
      file: null,
    };
  }
  const exported = o.exports ? exportFile(dir, isDir) : null;
  if (exported) {
    return { ...exported, path, run: null, weights: `export ${path}`, meta: null, modelDir: null, checkpoint: null };
  }
  if (!isDir) throw fail(`${path} is not a folder (give ${what})`, 'invalid');
  throw fail(
    o.exports
      ? `${path} is not a run folder (no run.json), a model dir (no anneal.json) or an export (no model.onnx or model.json)`
      : `${path} is neither a run folder (no run.json) nor a model dir (no anneal.json)`,
    'invalid',
  );
}

/**
 * The TF.js layers model of a model dir, run model or checkpoint, built for `inputSize` (default:
 * the source's own). The model is the caller's to dispose.
 */
export async function loadModelSource(
  src: ModelSource,
  o: { inputSize?: number } = {},
): Promise<{ model: tfl.LayersModel; meta: ModelMeta }> {
  if (src.modelDir) return loadModelDir(src.modelDir, o);
  if (!src.checkpoint || !src.run || !src.meta)
    throw fail(`${src.path} is an export, not a TF.js model dir`, 'conflict');
  const meta = { ...src.meta, inputSize: o.inputSize ?? src.meta.inputSize };
  const data = await src.run.readCheckpoint(src.checkpoint.name);
  if (!data) throw fail(`run ${src.run.id}: checkpoint ${src.checkpoint.name} disappeared`, 'not-found', 'checkpoint');
  const model = buildModel(getArch(meta.arch), { numClasses: meta.classes, inputSize: meta.inputSize }).model;
  try {
    setModelWeights(model, data.weights as Parameters<typeof setModelWeights>[1]);
  } catch (e) {
    model.dispose();
    throw fail(
      `run ${src.run.id}: checkpoint ${src.checkpoint.name} does not fit ${meta.arch}: ${(e as Error).message}`,
      'conflict',
      'checkpoint',
    );
  }
  if (src.ema && !setEmaWeights(model, data.optimizer.buffers)) {
    model.dispose();
    throw fail(
      `run ${src.run.id}: checkpoint ${src.checkpoint.name} holds no moving average of the weights`,
      'not-found',
      'ema',
    );
  }
  return { model, meta };
}
