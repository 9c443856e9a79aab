// A whole training run, as `anneal train` and `anneal resume` drive it. The parts live next door:
// which model (model-source.ts), the wiring of data and model (prepare.ts), the loop with its
// callbacks and what follows it (execute.ts), where a resumed run starts (resume.ts); the LR
// finder's runner is lr-find-run.ts.
import * as tf from '@tensorflow/tfjs-core';
import { RunStore } from '../runs/index.js';
import { ANNEAL_VERSION } from '../runtime/index.js';
import { execute, type RunOptions, type RunResult } from './execute.js';
import { manifestOf, prepare } from './prepare.js';
import { resumePoint, storedSplit } from './resume.js';
import { setModelWeights } from './weights.js';

export type { RunOptions, RunResult } from './execute.js';

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
