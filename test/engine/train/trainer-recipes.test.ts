// The Trainer with label smoothing, MixUp/CutMix and an EMA of the weights: each step reports its
// draw, each epoch the average's validation beside the live one, the tensor count stays flat
// across epochs (the average is one extra copy of the weights, made once) and dispose frees it.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { makeShapes } from '../../../src-main/engine/demo/shapes.js';
import { DataLoader, WorkerPool } from '../../../src-main/engine/data/pipeline/index.js';
import { readDataset, stratifiedSplit } from '../../../src-main/engine/data/sources/index.js';
import { buildModel, getArch } from '../../../src-main/engine/models/index.js';
import { OptimizerConfig } from '../../../src-main/engine/optim/index.js';
import { compilePlan, parseScheduleFile } from '../../../src-main/engine/schedules/index.js';
import {
  Callback,
  LearningRateScheduler,
  Trainer,
  type BatchLogs,
  type TrainState,
} from '../../../src-main/engine/train/index.js';
import { tempDir } from '../../cli/helpers.js';

let pool: WorkerPool;
const SIZE = 32;

beforeAll(async () => {
  await useBackend('full');
  pool = new WorkerPool(2);
});
afterAll(async () => {
  await pool.close();
});

class Watch extends Callback {
  counts: number[] = [];
  mixes: BatchLogs['mix'][] = [];
  override async onBatchEnd(_s: TrainState, logs: BatchLogs) {
    this.mixes.push(logs.mix);
  }
  override async onEpochEnd() {
    this.counts.push(tf.memory().numTensors);
  }
}

describe('Trainer with the recipes', () => {
  it('mixes every batch, validates the average each epoch, and keeps the tensor count flat', async () => {
    const root = join(tempDir('anneal-trainer-recipes-'), 'shapes');
    await makeShapes(root, 12, SIZE);
    const { dataset } = await readDataset(root);
    const before = tf.memory().numTensors;
    const split = stratifiedSplit(dataset, { seed: 0, valFraction: 0.25 });
    const built = buildModel(getArch('resnet_micro'), { numClasses: dataset.classes.length, inputSize: SIZE });
    const preprocessing = built.spec.preprocessing;
    const common = { batchSize: 12, size: SIZE, preprocessing, workers: pool };
    const train = new DataLoader({ ...common, samples: split.train, shuffle: true, seed: 1 });
    const val = new DataLoader({ ...common, samples: split.val });
    const plan = parseScheduleFile({ recipe: { type: 'fineTune', epochs: 2, freezeEpochs: 1, baseLr: 1e-2 } });
    const stages = compilePlan(plan, { stepsPerEpoch: train.batchesPerEpoch(), groups: built.groups.length });
    const watch = new Watch();
    const trainer = new Trainer({
      built,
      stages,
      optimizer: OptimizerConfig.parse({}),
      train,
      val,
      callbacks: [new LearningRateScheduler(stages), watch],
      classWeights: [1, 2, 1, 0.5],
      recipe: {
        labelSmoothing: 0.1,
        mix: { mixup: { alpha: 0.4 }, cutmix: { alpha: 1 }, mixProb: 1, switchProb: 0.5 },
        seed: 5,
      },
      ema: { decay: 0.9, warmup: true },
    });
    const result = await trainer.fit();
    expect(result.epochs).toHaveLength(3);
    for (const e of result.epochs) {
      expect(Number.isFinite(e.loss)).toBe(true);
      expect(e.ema_val_accuracy).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(e.ema_val_loss)).toBe(true);
    }
    expect(watch.mixes.length).toBe(3 * train.batchesPerEpoch());
    expect(watch.mixes.every((m) => m?.length === 1 && m[0] !== null)).toBe(true);
    expect(new Set(watch.counts.slice(1)).size).toBe(1);
    trainer.dispose();
    built.model.dispose();
    await train.close();
    await val.close();
    // Everything the run made is freed, the average included.
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);
});
