// A whole training run, as `anneal train` and `anneal resume` drive it. The parts live next door:
// which model (model-source.ts), the wiring of data and model (prepare.ts), the loop with its
// callbacks and what follows it (execute.ts), where a resumed run starts (resume.ts); the LR
// finder's runner is lr-find-run.ts.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { DuplicateGroup } from '../data/sources/index.js';
import { imageSizeAdvice } from '../models/index.js';
import { isInputError } from '../errors.js';
import { isModelDir } from '../model-dir/index.js';
import { acquireRunLock, RunStore, type RunLock } from '../runs/index.js';
import { ANNEAL_VERSION } from '../runtime/index.js';
import { execute, type RunOptions, type RunResult } from './execute.js';
import { closePrepared, manifestOf, prepare } from './prepare.js';
import { resumePoint, storedSplit } from './resume.js';
import { setModelWeights } from './weights.js';

export type { RunOptions, RunResult } from './execute.js';

/** One warning for every duplicate group whose files sit in different classes. */
export function labelConflictNotice(conflicts: readonly DuplicateGroup[]): string {
  const first = conflicts[0]!;
  const example = first.paths.map((p, i) => `${p} (${first.classes[i]})`).join(', ');
  return (
    `${conflicts.length} duplicate group${conflicts.length === 1 ? ' spans' : 's span'} two or more classes ` +
    `(the same picture labelled two ways), e.g. ${example}; inspecting the dataset lists them all`
  );
}

/** `anneal train`: a new run. `config` is the whole run config (CLI flags already merged in). */
export async function startRun(given: Record<string, unknown>, o: RunOptions): Promise<RunResult> {
  // Stored as absolute paths so that `anneal resume` works from any directory.
  const config = absolutePaths(given);
  const p = await prepare(config);
  let store: RunStore;
  let lock: RunLock;
  try {
    store = RunStore.create(o.out, {
      arch: p.built.spec.id,
      config,
      seed: p.config.seed,
      versions: { anneal: ANNEAL_VERSION, node: process.versions.node, tfjs: tf.version_core, backend: p.backend.name },
      backend: { name: p.backend.name, device: p.backend.device },
      trainEngine: { engine: p.stepEngine.engine, runtime: p.stepEngine.runtime, why: p.stepEngine.why },
      dataset: {
        root: p.config.data!,
        manifestHash: manifestOf(p.split),
        classes: p.classes,
        train: p.split.train.length,
        val: p.split.val.length,
      },
    });
    lock = acquireRunLock(store.dir);
    store.writeSplit(p.split);
    const conflicts = p.duplicates.filter((g) => g.conflict);
    if (p.duplicates.length) {
      store.appendEvent('duplicates', {
        groups: p.duplicates.length,
        images: p.duplicates.reduce((n, g) => n + g.paths.length, 0),
        labelConflicts: conflicts.map((g) => g.paths.map((path, i) => ({ path, class: g.classes[i] }))),
      });
    }
    if (conflicts.length) o.onNotice?.(labelConflictNotice(conflicts));
    const sizeAdvice = p.source && imageSizeAdvice(p.train.o.size, p.source.inputSize);
    if (sizeAdvice) o.onNotice?.(sizeAdvice);
    for (const notice of p.sizeNotices) o.onNotice?.(notice);
    store.appendEvent('start', {
      backend: p.backend.name,
      device: p.backend.device,
      trainEngine: p.stepEngine.runtime,
      weights: p.source
        ? `pretrained (${p.source.source?.file ?? p.source.arch})`
        : 'random initialisation (no pretrained weights)',
    });
  } catch (e) {
    // Worker threads left open would keep the process alive after the message.
    await closePrepared(p);
    throw e;
  }
  try {
    return await execute(p, store, o, null, null);
  } catch (e) {
    // Refused before its first epoch ended (e.g. not one image decodes): a refused start leaves
    // no run folder behind, as one refused before training does.
    if (isInputError(e) && store.readMetrics().epochs.length === 0) {
      lock.release();
      rmSync(store.dir, { recursive: true, force: true });
    }
    throw e;
  } finally {
    lock.release();
  }
}

/** The config with `data`, and `model` where it names a folder, made absolute. */
function absolutePaths(config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  if (typeof out.data === 'string' && out.data) out.data = resolve(out.data);
  if (typeof out.model === 'string' && isModelDir(out.model)) out.model = resolve(out.model);
  return out;
}

/** `anneal resume`: continue a run from its last complete checkpoint, each epoch recorded once. */
export async function resumeRun(runDir: string, o: Omit<RunOptions, 'out'>): Promise<RunResult> {
  const store = RunStore.open(runDir);
  // One writer: a run still training (or resumed twice at once) is refused before anything is read.
  const lock = acquireRunLock(store.dir);
  try {
    return await resumeLocked(store, o);
  } finally {
    lock.release();
  }
}

async function resumeLocked(store: RunStore, o: Omit<RunOptions, 'out'>): Promise<RunResult> {
  const runDir = store.dir;
  const ckpt = await store.latestCheckpoint();
  const split = storedSplit(store);
  const p = await prepare(store.meta.config, split);
  if (!ckpt) {
    // Killed before the first epoch ended: start again in the same run folder.
    store.truncateMetricsAfter({ step: -1, epoch: -1 });
    store.appendEvent('start', {
      backend: p.backend.name,
      device: p.backend.device,
      trainEngine: p.stepEngine.runtime,
      resumed: true,
    });
    return execute(p, store, { ...o, out: runDir }, null, null);
  }
  const st = ckpt.state;
  setModelWeights(p.built.model, ckpt.weights as never);
  // A cut epoch's record goes too: the resumed run finishes that epoch and records it whole.
  store.truncateMetricsAfter({ step: st.step, epoch: st.within ? st.epoch - 1 : st.epoch });
  const resume = resumePoint(ckpt, p.stages, Math.ceil(p.train.batchesPerEpoch() / p.config.accumulate));
  store.appendEvent('resume-from-checkpoint', {
    epoch: st.epoch,
    step: st.step,
    // The cut epoch goes on after this many of its steps.
    ...(st.within ? { epochStep: st.within.steps } : {}),
  });
  store.appendEvent('start', {
    backend: p.backend.name,
    device: p.backend.device,
    trainEngine: p.stepEngine.runtime,
    resumed: true,
  });
  return execute(p, store, { ...o, out: runDir }, resume, st.best ?? null);
}
