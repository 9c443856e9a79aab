// What `anneal export <dir>` exports: a model dir as it is, or a run's trained weights: its model/
// (what training ended with) or one of its checkpoints, rebuilt on the run's architecture with
// the run's classes, input size and preprocessing.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { isModelDir, loadModelDir, readModelMeta, type ModelMeta } from '../model-dir/index.js';
import { buildModel, getArch, loadCatalog } from '../models/index.js';
import { BEST_CHECKPOINT, RUN_FILES, RunStore, type CheckpointData } from '../runs/index.js';
import { ConfigError } from '../schedules/index.js';
import { bundledModelDir, modelRef, parseRunSettings, setModelWeights } from '../train/index.js';
import { ExportError } from './errors.js';

export interface ExportSource {
  kind: 'run' | 'model';
  /** The folder given. */
  path: string;
  model: tfl.LayersModel;
  meta: ModelMeta;
  run: RunStore | null;
  /** Which weights, in words: "model/ (where training ended)", "checkpoint best (epoch 3)", … */
  weights: string;
}

/** --checkpoint: best, last, epoch-0003 or 3. */
function checkpointName(given: string): string | 'last' {
  if (given === 'best' || given === 'last') return given;
  if (/^\d+$/.test(given)) return `epoch-${given.padStart(4, '0')}`;
  if (/^epoch-\d{4,}$/.test(given)) return given;
  throw new ExportError(`${given}: expected best, last, an epoch number or epoch-NNNN`, { field: 'checkpoint' });
}

/** The run's input size and preprocessing, found the way training found them (run.ts prepareWith). */
function runModelMeta(store: RunStore): Omit<ModelMeta, 'created'> {
  let config;
  try {
    config = parseRunSettings(store.meta.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new ExportError(`run ${store.id}: run.json config: ${e.message}`);
    throw e;
  }
  const { ref, pretrained } = modelRef(config);
  const spec = loadCatalog().get(store.meta.arch);
  if (!spec) throw new ExportError(`run ${store.id}: unknown architecture "${store.meta.arch}"`);
  let source: ModelMeta | null = null;
  if (pretrained) {
    const dir = isModelDir(ref) ? ref : bundledModelDir(ref);
    if (!dir) {
      throw new ExportError(
        `run ${store.id} started from the model dir ${ref}, which is not here: its preprocessing is unknown; ` +
          'run the export from the folder training ran in',
      );
    }
    source = readModelMeta(dir);
  }
  const classes = store.meta.dataset.classes;
  return {
    format: 'anneal-model',
    version: 1,
    arch: spec.id,
    classes: classes.length,
    labels: classes,
    inputSize: config.imageSize ?? source?.inputSize ?? spec.inputSize,
    preprocessing: source?.preprocessing ?? spec.preprocessing,
    groups: spec.groups.map((g) => g.name),
    source: null,
  };
}

async function readCheckpoint(
  store: RunStore,
  given: string | undefined,
): Promise<{ data: CheckpointData; name: string }> {
  const name = given === undefined ? undefined : checkpointName(given);
  const all = store.listCheckpoints();
  const none = () =>
    new ExportError(
      `run ${store.id} has no checkpoint to export: no epoch of it has finished (a checkpoint is written at the end ` +
        `of each epoch)${existsSync(join(store.dir, 'model')) ? '' : ' and it has no model/ from the end of training'}`,
    );
  if (name === undefined || name === BEST_CHECKPOINT) {
    const best = await store.bestCheckpoint();
    if (best) return { data: best, name: `best (epoch ${best.state.epoch})` };
    if (name === BEST_CHECKPOINT) throw all.length ? new ExportError(`run ${store.id} has no best checkpoint`) : none();
  }
  if (name === undefined || name === 'last') {
    const latest = await store.latestCheckpoint();
    if (!latest) throw none();
    return { data: latest, name: `last (epoch ${latest.state.epoch})` };
  }
  const data = await store.readCheckpoint(name);
  if (!data) {
    if (!all.length) throw none();
    throw new ExportError(`run ${store.id} has no checkpoint ${name} (it has ${all.map((c) => c.name).join(', ')})`);
  }
  return { data, name: `${name} (epoch ${data.state.epoch})` };
}

/**
 * Opens `path` for export. A run's model/ is used unless a checkpoint is asked for; a run killed
 * before training ended exports its best checkpoint, or its last. The model is the caller's to dispose.
 */
export async function openExportSource(path: string, o: { checkpoint?: string } = {}): Promise<ExportSource> {
  const dir = resolve(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ExportError(`${path}: no such folder`);
  }
  if (!isDir) throw new ExportError(`${path} is not a folder (give a run folder or a model dir)`);
  if (!existsSync(join(dir, RUN_FILES.meta))) {
    if (!isModelDir(dir))
      throw new ExportError(`${path} is neither a run folder (no run.json) nor a model dir (no anneal.json)`);
    if (o.checkpoint !== undefined)
      throw new ExportError(`${path} is a model dir, not a run`, { field: 'checkpoint', kind: 'conflict' });
    const { model, meta } = await loadModelDir(dir);
    return { kind: 'model', path, model, meta, run: null, weights: `model dir ${path}` };
  }
  const store = RunStore.open(dir);
  const trained = join(store.dir, 'model');
  if (o.checkpoint === undefined && isModelDir(trained)) {
    const { model, meta } = await loadModelDir(trained);
    return { kind: 'run', path, model, meta, run: store, weights: 'model/ (the weights training ended with)' };
  }
  const { data, name } = await readCheckpoint(store, o.checkpoint);
  const meta: ModelMeta = { ...runModelMeta(store), created: new Date().toISOString() };
  const model = buildModel(getArch(meta.arch), { numClasses: meta.classes, inputSize: meta.inputSize }).model;
  try {
    setModelWeights(model, data.weights as Parameters<typeof setModelWeights>[1]);
  } catch (e) {
    model.dispose();
    throw new ExportError(`run ${store.id}: checkpoint ${name} does not fit ${meta.arch}: ${(e as Error).message}`);
  }
  return { kind: 'run', path, model, meta, run: store, weights: `checkpoint ${name}` };
}
