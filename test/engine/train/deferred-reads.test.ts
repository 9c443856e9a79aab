// The trainer keeps Σloss·n and the hit count on the device and reads them back at most every
// readEveryMs (the progress tick on webgpu) and at epoch end: the epoch's loss and accuracy are
// the same as reading every step, steps in between report the last value read, and no tensor
// is left behind.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import type { DataLoader } from '../../../src-main/engine/data/pipeline/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/prng.js';
import { buildModel, getArch } from '../../../src-main/engine/models/index.js';
import { OptimizerConfig } from '../../../src-main/engine/optim/index.js';
import { compilePlan, parseScheduleFile } from '../../../src-main/engine/schedules/index.js';
import {
  Callback,
  LearningRateScheduler,
  Trainer,
  type BatchLogs,
  type EpochLogs,
} from '../../../src-main/engine/train/index.js';

const SIZE = 16;
const BATCH = 4;
const STEPS = 4;

beforeAll(async () => {
  await useBackend('full', 'wasm');
});

/** STEPS fixed random batches per epoch: the DataLoader surface the trainer reads. */
function loader(): DataLoader {
  const rand = mulberry32(3);
  const batches = Array.from({ length: STEPS }, () => ({
    x: Float32Array.from({ length: BATCH * SIZE * SIZE * 3 }, () => rand() * 2 - 1),
    y: Int32Array.from({ length: BATCH }, () => Math.floor(rand() * 3)),
    n: BATCH,
    indices: [],
  }));
  return {
    o: { size: SIZE, batchSize: BATCH },
    batchesPerEpoch: () => STEPS,
    async *epoch() {
      yield* batches;
    },
  } as unknown as DataLoader;
}

async function train(readEveryMs: number) {
  const built = buildModel(getArch('resnet_micro'), { numClasses: 3, inputSize: SIZE, dropout: 0 });
  // Same initial weights in both runs.
  const seed = mulberry32(11);
  built.model.setWeights(
    built.model.getWeights().map((w) =>
      tf.tensor(
        Float32Array.from({ length: w.size }, () => (seed() - 0.5) * 0.2),
        w.shape,
      ),
    ),
  );
  const plan = parseScheduleFile({
    stages: [{ name: 'all', epochs: 2, freeze: 'none', schedule: { type: 'oneCycle', maxLr: 1e-2 } }],
  });
  const stages = compilePlan(plan, { stepsPerEpoch: STEPS, groups: built.groups.length });
  const seen = new (class extends Callback {
    losses: number[] = [];
    epochs: EpochLogs[] = [];
    counts: number[] = [];
    override async onBatchEnd(_s: unknown, logs: BatchLogs) {
      this.losses.push(logs.loss);
    }
    override async onEpochEnd(_s: unknown, logs: EpochLogs) {
      this.epochs.push(logs);
      this.counts.push(tf.memory().numTensors);
    }
  })();
  const trainer = new Trainer({
    built,
    stages,
    optimizer: OptimizerConfig.parse({ type: 'sgd', momentum: 0.9 }),
    train: loader(),
    callbacks: [new LearningRateScheduler(stages), seen],
    readEveryMs,
  });
  await trainer.fit();
  trainer.dispose();
  built.model.dispose();
  return seen;
}

describe('deferred loss readback', () => {
  it('reads at the tick and epoch end: same epoch metrics, stale step values between reads', async () => {
    const every = await train(0);
    const never = await train(1e9);
    for (const [a, b] of every.epochs.map((e, i) => [e, never.epochs[i]!] as const)) {
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.accuracy).toBe(a.accuracy);
    }
    // Reading every step: a running mean that moves. Otherwise each epoch's first step is read
    // (so no step reports 0/0) and the rest repeat it.
    expect(new Set(every.losses.slice(0, STEPS)).size).toBeGreaterThan(1);
    for (const epoch of [0, 1]) {
      const steps = never.losses.slice(epoch * STEPS, (epoch + 1) * STEPS);
      expect(steps.every(Number.isFinite)).toBe(true);
      expect(new Set(steps).size).toBe(1);
      expect(steps[0]).toBeCloseTo(every.losses[epoch * STEPS]!, 5);
    }
    // No tensor left behind by the device-side totals.
    expect(never.counts[1]).toBe(never.counts[0]);
  });
});
