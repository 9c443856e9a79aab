// A sweep's results from its folder: trials ranked by their best epoch's metric (for val_loss,
// lowest first), statuses counted, the best trial's config without the sweep's parts, and the
// sweep listed with its trials' runs (the Runs screen's groups).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../../src-main/engine/runs/index.js';
import { createSweep, listSweeps, sweepResults, trialRunsDir } from '../../../src-main/engine/sweep/index.js';

/** A run of trial `index` with these val_accuracy values per epoch, ended by `end` ('done', 'stop', or none: killed). */
function trialRun(sweepDir: string, index: number, values: number[], end: 'done' | 'stop' | null, reason?: string) {
  const store = RunStore.create(trialRunsDir(sweepDir, index), {
    arch: 'resnet_micro',
    config: {},
    seed: 0,
    versions: { anneal: '0.1.0', node: process.version, tfjs: '4.22.0', backend: 'cpu' },
    backend: { name: 'cpu', device: null },
    dataset: { root: '/d', manifestHash: 'a'.repeat(64), classes: ['a', 'b'], train: 8, val: 2 },
  });
  // A pid that is not running: a run without an end event reads as killed.
  store.appendEvent('start', { pid: 2 ** 22 + 7 });
  values.forEach((v, epoch) =>
    store.appendEpoch({
      epoch,
      stage: 0,
      loss: 1,
      accuracy: 0.5,
      val_loss: 1 - v,
      val_accuracy: v,
      lr: [0.1],
      seconds: 1,
    }),
  );
  if (end) store.appendEvent(end, { reason: reason ?? null });
}

const sweep = (metric: 'val_accuracy' | 'val_loss') =>
  createSweep(
    {
      name: `r-${metric}`,
      base: { data: '/d', recipe: { type: 'fineTune', epochs: 2 } },
      trials: 5,
      metric,
      parameters: { 'recipe.baseLr': { type: 'logUniform', min: 1e-4, max: 1e-2 } },
      earlyStopping: { type: 'median' },
    },
    { root: mkdtempSync(join(tmpdir(), 'anneal-results-')) },
  );

describe('sweepResults', () => {
  it('ranks by each trial best epoch, counts statuses, and gives the best config as a plain run config', () => {
    const { dir } = sweep('val_accuracy');
    trialRun(dir, 0, [0.5, 0.6], 'done');
    trialRun(dir, 1, [0.9, 0.7], 'done');
    trialRun(dir, 2, [0.3], 'stop', 'median stopping: worse than the median');
    trialRun(dir, 3, [0.4], 'stop', 'interrupted (Ctrl+C)');
    const r = sweepResults(dir);
    expect(r.trials.map((t) => [t.index, t.rank, t.value, t.status])).toEqual([
      [1, 1, 0.9, 'done'],
      [0, 2, 0.6, 'done'],
      [3, 3, 0.4, 'interrupted'],
      [2, 4, 0.3, 'stopped'],
      [4, null, null, 'pending'],
    ]);
    expect(r.counts).toMatchObject({ done: 2, stopped: 1, interrupted: 1, pending: 1 });
    expect(r.best!.index).toBe(1);
    expect(r.best!.config).not.toHaveProperty('medianStopping');
    expect(r.best!.config).not.toHaveProperty('name');
    expect((r.best!.config.recipe as { baseLr: number }).baseLr).toBe(r.meta.trials[1]!.params['recipe.baseLr']);
  });

  it('for val_loss, lower is better', () => {
    const { dir } = sweep('val_loss');
    trialRun(dir, 0, [0.5], 'done'); // val_loss 0.5
    trialRun(dir, 1, [0.8], 'done'); // val_loss 0.2
    const r = sweepResults(dir);
    expect(r.mode).toBe('min');
    expect(r.trials[0]!.index).toBe(1);
    expect(r.trials[0]!.value).toBeCloseTo(0.2);
  });

  it('listSweeps: newest first, each with its trials runs and the sweep metric per trial', () => {
    const { dir } = sweep('val_accuracy');
    trialRun(dir, 2, [0.1, 0.8], 'done');
    trialRun(dir, 0, [0.2], null);
    const root = join(dir, '..');
    const [row] = listSweeps(root);
    expect(row).toMatchObject({ dir, trials: 5, best: { index: 2, value: 0.8 } });
    expect(row!.counts).toMatchObject({ done: 1, killed: 1, pending: 3 });
    expect(row!.runs.map((r) => [r.trial, r.value, r.run.status])).toEqual([
      [0, 0.2, 'killed'],
      [2, 0.8, 'done'],
    ]);
  });
});
