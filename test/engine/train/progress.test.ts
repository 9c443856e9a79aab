// The progress a run reports, and the decisions taken when it stops: what the Train screen and the
// CLI bar show must be the rates the optimizer used (a rate change included), steps counted in
// optimizer steps with gradient accumulation, every image counted; a resumed run keeps its split's
// method; stop reasons are typed, so that a user's stop message cannot pass for a divergence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { DataLoader, WorkerPool } from '../../../src-main/engine/data/pipeline/index.js';
import type { Sample } from '../../../src-main/engine/data/types.js';
import { buildModel, getArch, IMAGENET_PREPROCESSING } from '../../../src-main/engine/models/index.js';
import { OptimizerConfig } from '../../../src-main/engine/optim/index.js';
import { RunStore } from '../../../src-main/engine/runs/index.js';
import { compilePlan, parseScheduleFile } from '../../../src-main/engine/schedules/index.js';
import {
  Callback,
  DivergenceGuard,
  EarlyStopping,
  LearningRateScheduler,
  MetricsLogger,
  RunControl,
  sendControl,
  shouldRestoreBest,
  storedSplit,
  Trainer,
  type BatchLogs,
  type Progress,
  type TrainState,
} from '../../../src-main/engine/train/index.js';
import { newMeta, tempRoot } from '../runs/helpers.js';
import { trainState } from './helpers.js';

const SIZE = 16;
let dir: string;
let pool: WorkerPool;
let samples: Sample[];

beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('full');
  dir = mkdtempSync(join(tmpdir(), 'anneal-progress-'));
  samples = [];
  for (let i = 0; i < 20; i++) {
    const path = join(dir, `s${i}.png`);
    const v = (i % 2) * 200 + 20;
    await sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r: v, g: v, b: v } } })
      .png()
      .toFile(path);
    samples.push({ path, label: i % 2 });
  }
  pool = new WorkerPool(1);
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const state = (over: Partial<TrainState> = {}) => trainState({ stepsPerEpoch: 4, lr: [0.001, 0.01], ...over });

/** A store that keeps nothing: MetricsLogger only appends to it. */
const nullStore = { appendStep() {}, appendEpoch() {}, appendEvent() {} } as unknown as RunStore;

describe('progress', () => {
  it('the epoch event carries the scaled rates, as the step events do (after "rate × 0.5")', async () => {
    const events: Progress[] = [];
    const logger = new MetricsLogger(nullStore, 1, (p) => events.push(p), 0);
    const s = state({ lrScale: 0.5, stageStep: 3 });
    await logger.onEpochBegin();
    await logger.onBatchEnd(s, { loss: 1, size: 8 });
    s.stageStep = 4;
    await logger.onEpochEnd(s, { loss: 1, accuracy: 0.5, seconds: 1 });
    expect(events.map((e) => e.kind)).toEqual(['step', 'epoch']);
    expect(events[0]!.lr).toEqual([0.0005, 0.005]);
    expect(events[1]!.lr).toEqual(events[0]!.lr);
  });

  it('with accumulate, steps are optimizer steps: epochStep runs 1..stepsPerEpoch and every image is counted', async () => {
    // 20 images, batches of 4 (5 micro-batches), 2 accumulated per step: 3 optimizer steps an epoch.
    const train = new DataLoader({
      samples,
      batchSize: 4,
      size: SIZE,
      preprocessing: IMAGENET_PREPROCESSING,
      workers: pool,
    });
    const built = buildModel(getArch('resnet_micro'), { numClasses: 2, inputSize: SIZE });
    const plan = parseScheduleFile({
      stages: [{ epochs: 2, freeze: 'none', schedule: { type: 'constant', lr: 1e-3 } }],
    });
    const stages = compilePlan(plan, { stepsPerEpoch: 3, groups: built.groups.length, batchSize: 8 });
    const events: Progress[] = [];
    const sizes: number[][] = [];
    const record = new (class extends Callback {
      override async onEpochBegin() {
        sizes.push([]);
      }
      override async onBatchEnd(_s: TrainState, logs: BatchLogs) {
        sizes.at(-1)!.push(logs.size);
      }
    })();
    const trainer = new Trainer({
      built,
      stages,
      optimizer: OptimizerConfig.parse({ type: 'sgd' }),
      train,
      accumulate: 2,
      callbacks: [new LearningRateScheduler(stages), new MetricsLogger(nullStore, 2, (p) => events.push(p), 0), record],
    });
    const tensors = tf.memory().numTensors;
    try {
      await trainer.fit();
    } finally {
      trainer.dispose();
      built.model.dispose();
      await train.close();
    }
    expect(tf.memory().numTensors).toBe(tensors - built.model.weights.length);
    const steps = events.filter((e) => e.kind === 'step');
    expect(steps.map((e) => [e.epoch, e.epochStep, e.stepsPerEpoch])).toEqual([
      [0, 1, 3],
      [0, 2, 3],
      [0, 3, 3],
      [1, 1, 3],
      [1, 2, 3],
      [1, 3, 3],
    ]);
    expect(events.filter((e) => e.kind === 'epoch').map((e) => e.epochStep)).toEqual([3, 3]);
    // Images per step: two micro-batches of 4, then the last micro-batch alone.
    expect(sizes).toEqual([
      [8, 8, 4],
      [8, 8, 4],
    ]);
  }, 120_000);
});

describe('resume', () => {
  it('keeps the split method, seed and fraction the run was made with', () => {
    const store = RunStore.create(tempRoot(), newMeta());
    const sample = (path: string) => ({ path, label: 0 });
    store.writeSplit({
      train: [sample('/d/train/a.png')],
      val: [sample('/d/val/b.png')],
      method: 'folders',
      seed: null,
      valFraction: null,
    });
    expect(storedSplit(RunStore.open(store.dir))).toMatchObject({ method: 'folders', seed: null, valFraction: null });
    const other = RunStore.create(tempRoot(), newMeta());
    other.writeSplit({ train: [sample('/d/a.png')], val: [], method: 'stratified', seed: 7, valFraction: 0.25 });
    expect(storedSplit(RunStore.open(other.dir))).toMatchObject({ method: 'stratified', seed: 7, valFraction: 0.25 });
  });
});

describe('stop reasons', () => {
  it('are typed by who stopped the run, and only a divergence or a restoring early stop restores the best weights', async () => {
    const store = RunStore.create(tempRoot(), newMeta());
    const control = new RunControl(store);
    const requested = state();
    // A person's message that happens to start with "divergence" is still a person's stop.
    sendControl(store.dir, { action: 'stop', reason: 'divergence suspected, stopping by hand' });
    await control.onBatchBegin(requested);
    expect(requested.stopReason).toMatchObject({
      kind: 'requested',
      message: 'divergence suspected, stopping by hand',
    });

    const diverged = state({ stageStep: 20 });
    await new DivergenceGuard().onBatchEnd(diverged, { loss: NaN });
    expect(diverged.stopReason).toMatchObject({ kind: 'divergence' });

    const early = state();
    const es = new EarlyStopping({ patience: 1 });
    await es.onEpochEnd(early, { loss: 1, accuracy: 0, seconds: 0, val_loss: 1 });
    await es.onEpochEnd(early, { loss: 1, accuracy: 0, seconds: 0, val_loss: 1 });
    expect(early.stopReason).toMatchObject({ kind: 'early-stopping' });

    expect(shouldRestoreBest(requested.stopReason, { restoreBest: true })).toBe(false);
    expect(shouldRestoreBest(diverged.stopReason, false)).toBe(true);
    expect(shouldRestoreBest(early.stopReason, { restoreBest: true })).toBe(true);
    expect(shouldRestoreBest(early.stopReason, { restoreBest: false })).toBe(false);
    expect(shouldRestoreBest(null, { restoreBest: true })).toBe(false);
  });
});
