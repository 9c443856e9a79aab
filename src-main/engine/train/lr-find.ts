// The LR range test (Smith 2015; fastai lr_find): one step per rate on an exponential ramp, until
// the ramp ends or the smoothed loss diverges; then every weight (BatchNorm statistics included)
// is put back, so the test leaves the model as it found it. Each step's loss and gradients come
// from the engine a training run would use (step-engine.ts: onnxruntime on a CPU backend, else
// TF.js), so the test runs as fast as training does.
import * as tf from '@tensorflow/tfjs-core';
import type { DataLoader } from '../data/pipeline/index.js';
import { setTrainable, type BuiltModel } from '../models/index.js';
import { createOptimizer, paramSpecs, type OptimizerConfig } from '../optim/index.js';
import { lrAt, smoothStep, suggest, trimForSuggestions, type LrFindOptions, type Suggestions } from './lr-find-math.js';
import { chooseStepEngine, type StepEngine, type TrainEngineName } from './step-engine.js';
import { getModelWeights, setModelWeights } from './weights.js';

export interface LrFindResult {
  lrs: number[];
  /** Smoothed, debiased losses (what fastai plots and suggests from). */
  losses: number[];
  rawLosses: number[];
  suggestions: Suggestions;
  /** True when it stopped because the loss diverged before the end of the ramp. */
  diverged: boolean;
  /** What computed the steps, as a training run names it (run.json's trainEngine). */
  engine: { name: TrainEngineName; runtime: string; why: string };
}

/** One measured point, as the test runs (for a live curve and a progress bar). */
export interface LrFindStep {
  /** Steps done, and the ramp's length (the test may end sooner, on divergence). */
  done: number;
  total: number;
  lr: number;
  /** The smoothed, debiased loss at this rate. */
  loss: number;
}

export async function lrFind(
  built: BuiltModel,
  loader: DataLoader,
  optimizer: OptimizerConfig,
  o: LrFindOptions & {
    freezeBackbone?: boolean;
    /** Each point as it is measured; a promise it returns is awaited before the next step. */
    onStep?: (step: LrFindStep) => void | Promise<void>;
  } = {},
): Promise<LrFindResult> {
  const opts = { startLr: o.startLr ?? 1e-7, endLr: o.endLr ?? 10, numIt: o.numIt ?? 100 };
  const factor = o.divergeFactor ?? 4;
  const groups = built.groups;
  const size = loader.o.size;
  // Before anything changes: a refused engine (ANNEAL_TRAIN_ENGINE) leaves the model as it was.
  const engine: StepEngine = await chooseStepEngine(built.model, { inputSize: size, seed: 0 });
  setTrainable(groups, (i) => !o.freezeBackbone || i === groups.length - 1);
  const saved = await getModelWeights(built.model);
  const params = paramSpecs(groups);
  const opt = createOptimizer(optimizer, params, groups.length);
  const vars = params.filter((p) => p.variable.trainable).map((p) => p.variable);
  const lrs: number[] = [];
  const raw: number[] = [];
  const smooth: number[] = [];
  let avg = 0;
  let best = Infinity;
  let diverged = false;
  try {
    for (let epoch = 0; lrs.length < opts.numIt && !diverged; epoch++) {
      for await (const batch of loader.epoch(epoch)) {
        const i = lrs.length;
        const lr = lrAt(i, opts);
        const x = tf.tensor4d(batch.x, [batch.n, size, size, 3]);
        const y = tf.tensor1d(batch.y, 'int32');
        const { value, hits, grads } = await engine.step(
          { x, y, pixels: batch.x, labels: batch.y, n: batch.n, size, step: i },
          vars,
          null,
        );
        await opt.step(
          grads,
          groups.map(() => lr),
          null,
        );
        const loss = (await value.data())[0]!;
        tf.dispose([x, y, value, hits, ...Object.values(grads)]);
        let s: number;
        [avg, s] = smoothStep(avg, loss, i);
        lrs.push(lr);
        raw.push(loss);
        smooth.push(s);
        if (s < best) best = s;
        await o.onStep?.({ done: lrs.length, total: opts.numIt, lr, loss: s });
        if (!Number.isFinite(s) || s > factor * best) {
          diverged = true;
          break;
        }
        if (lrs.length >= opts.numIt) break;
      }
    }
  } finally {
    opt.dispose();
    await engine.dispose();
    setModelWeights(built.model, saved);
    setTrainable(groups, () => true);
  }
  const trimmed = trimForSuggestions(lrs, smooth, opts.numIt);
  return {
    lrs,
    losses: smooth,
    rawLosses: raw,
    suggestions: suggest(trimmed.lrs, trimmed.losses),
    diverged,
    engine: { name: engine.engine, runtime: engine.runtime, why: engine.why },
  };
}
