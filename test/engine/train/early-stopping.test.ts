// EarlyStopping (Keras semantics): stops after `patience` epochs without an improvement > minDelta.
import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../src-main/engine/train/index.js';
import { trainState } from './helpers.js';

const state = () => trainState();

describe('EarlyStopping', () => {
  it('stops once val_loss has not improved for `patience` epochs', async () => {
    const s = state();
    const cb = new EarlyStopping({ patience: 2, minDelta: 0.01 });
    for (const v of [1.0, 0.8, 0.795, 0.81]) {
      expect(s.stopRequested).toBe(false);
      await cb.onEpochEnd(s, { loss: 1, accuracy: 0, seconds: 0, val_loss: v });
    }
    expect(s.stopRequested).toBe(true);
    expect(s.stopReason?.message).toMatch(/^early stopping: val_loss did not improve for 2 epochs \(best 0.8\)/);
  });
  it('maximises accuracies', async () => {
    const s = state();
    const cb = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
    await cb.onEpochEnd(s, { loss: 1, accuracy: 0, seconds: 0, val_accuracy: 0.5 });
    await cb.onEpochEnd(s, { loss: 1, accuracy: 0, seconds: 0, val_accuracy: 0.6 });
    expect(s.stopRequested).toBe(false);
    await cb.onEpochEnd(s, { loss: 1, accuracy: 0, seconds: 0, val_accuracy: 0.6 });
    expect(s.stopRequested).toBe(true);
  });
});
