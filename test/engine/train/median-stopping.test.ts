// The median stopping rule as a training callback: after an epoch it reads its own and its
// siblings' metrics.jsonl from the sweep's runs folder and sets the loop's stop flag with a
// reason that names the rule, or leaves the run alone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../../src-main/engine/runs/index.js';
import type { TrainState } from '../../../src-main/engine/train/callbacks.js';
import { MedianStoppingCallback } from '../../../src-main/engine/train/median-stopping.js';

function run(runs: string, trial: number, values: number[]): RunStore {
  const store = RunStore.create(join(runs, String(trial)), {
    arch: 'resnet_micro',
    config: {},
    seed: 0,
    versions: { anneal: '0.1.0', node: process.version, tfjs: '4.22.0', backend: 'cpu' },
    backend: { name: 'cpu', device: null },
    dataset: { root: '/d', manifestHash: 'a'.repeat(64), classes: ['a', 'b'], train: 8, val: 2 },
  });
  values.forEach((v, epoch) =>
    store.appendEpoch({ epoch, stage: 0, loss: 1, accuracy: 0.5, val_loss: 1, val_accuracy: v, lr: [0.1], seconds: 1 }),
  );
  return store;
}

const state = (): TrainState => ({ epoch: 1, stopRequested: false, stopReason: null }) as unknown as TrainState;
const logs = { loss: 1, accuracy: 0.5, val_accuracy: 0.3, val_loss: 1, seconds: 1 };

describe('MedianStoppingCallback', () => {
  const options = { metric: 'val_accuracy' as const, graceEpochs: 1, minTrials: 3 };

  it('stops a run below the siblings median, naming the rule', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'anneal-msr-'));
    run(runs, 1, [0.6, 0.8]);
    run(runs, 2, [0.5, 0.7]);
    run(runs, 3, [0.4, 0.6]);
    const own = run(runs, 0, [0.2, 0.3]);
    const s = state();
    await new MedianStoppingCallback(own, { runs, ...options }).onEpochEnd(s, logs);
    expect(s.stopRequested).toBe(true);
    expect(s.stopReason?.kind).toBe('median-stopping');
    expect(s.stopReason?.message).toMatch(
      /^median stopping: best val_accuracy 0\.3000 by epoch 2 is worse than the median 0\.6000 of 3 sibling trials/,
    );
  });

  it('leaves a run at the median, and one with too few siblings', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'anneal-msr-'));
    run(runs, 1, [0.6, 0.8]);
    run(runs, 2, [0.5, 0.7]);
    const own = run(runs, 0, [0.2, 0.3]);
    const s = state();
    await new MedianStoppingCallback(own, { runs, ...options }).onEpochEnd(s, logs);
    expect(s.stopRequested).toBe(false);
    run(runs, 3, [0.4, 0.6]);
    const good = run(runs, 4, [0.6, 0.65]);
    await new MedianStoppingCallback(good, { runs, ...options }).onEpochEnd(s, logs);
    expect(s.stopRequested).toBe(false);
  });
});
