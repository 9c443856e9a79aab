// A whole training run, as `anneal train` and `anneal resume` drive it. The parts live next door:
// which model (model-source.ts), the wiring of data and model (prepare.ts), the loop with its
// callbacks and what follows it (execute.ts), where a resumed run starts (resume.ts); the LR
// finder's runner is lr-find-run.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { DuplicateGroup } from '../data/sources/index.js';
import { imageSizeAdvice } from '../models/index.js';
import { RunStore } from '../runs/index.js';
import { ANNEAL_VERSION } from '../runtime/index.js';
import { execute, type RunOptions, type RunResult } from './execute.js';
import { manifestOf, prepare } from './prepare.js';
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
  const split = storedSplit(store);
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
  const resume = resumePoint(ckpt, p.stages, Math.ceil(p.train.batchesPerEpoch() / p.config.accumulate));
  store.appendEvent('resume-from-checkpoint', { epoch: st.epoch, step: st.step });
  store.appendEvent('start', { backend: p.backend.name, device: p.backend.device, resumed: true });
  return execute(p, store, { ...o, out: runDir }, resume, st.best ?? null);
}
