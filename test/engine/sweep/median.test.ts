// The median stopping rule (Golovin et al. 2017, 3.2.2) on hand-made curves, and its reading of
// sibling trials' metrics.jsonl in a sweep folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { medianStoppingVerdict, runCurve, siblingRunDirs } from '../../../src-main/engine/sweep/index.js';

const rule = { mode: 'max' as const, graceEpochs: 1, minTrials: 3 };

describe('medianStoppingVerdict', () => {
  const siblings = [
    [0.5, 0.7, 0.8],
    [0.4, 0.6, 0.7],
    [0.2, 0.3, 0.4],
  ];

  it('stops a trial whose best so far is below the median of the siblings running averages', () => {
    // Epoch 1: running averages 0.6, 0.5, 0.25 -> median 0.5; best 0.45 < 0.5.
    const v = medianStoppingVerdict([0.45, 0.3], siblings, rule)!;
    expect(v).toMatchObject({ stop: true, siblings: 3 });
    expect(v.best).toBe(0.45);
    expect(v.median).toBeCloseTo(0.5);
  });

  it('keeps a trial at or above the median (strictly worse stops)', () => {
    expect(medianStoppingVerdict([0.5, 0.5], siblings, rule)!.stop).toBe(false);
    expect(medianStoppingVerdict([0.1, 0.9], siblings, rule)!.stop).toBe(false);
  });

  it('never stops in the grace epochs or with fewer siblings than minTrials at that epoch', () => {
    expect(medianStoppingVerdict([0.0], siblings, rule)).toBeNull();
    expect(medianStoppingVerdict([0.0, 0.0, 0.0, 0.0], siblings, rule)!).toMatchObject({
      stop: false,
      median: null,
      siblings: 0,
    });
    expect(medianStoppingVerdict([0.0, 0.0], siblings.slice(0, 2), rule)!.stop).toBe(false);
  });

  it('for a loss, lower is better', () => {
    const losses = [
      [1.0, 0.8],
      [1.2, 0.9],
      [1.4, 1.0],
    ];
    const min = { ...rule, mode: 'min' as const };
    expect(medianStoppingVerdict([1.5, 1.3], losses, min)!.stop).toBe(true);
    expect(medianStoppingVerdict([1.5, 0.9], losses, min)!.stop).toBe(false);
  });
});

describe('sibling trials from the sweep folder', () => {
  it('reads each trial newest run curve, leaves out the own run, survives a half-written line', () => {
    const runs = mkdtempSync(join(tmpdir(), 'anneal-median-'));
    const run = (trial: number, id: string, values: number[], tail = '') => {
      const dir = join(runs, String(trial), id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'run.json'), '{}');
      const lines = values.map(
        (v, epoch) =>
          JSON.stringify({
            type: 'epoch',
            epoch,
            stage: 0,
            loss: 1,
            accuracy: 0.5,
            val_loss: 1,
            val_accuracy: v,
            lr: [0.1],
            seconds: 1,
          }) + '\n',
      );
      writeFileSync(join(dir, 'metrics.jsonl'), lines.join('') + tail);
      return dir;
    };
    const own = run(0, 'a', [0.1]);
    run(1, 'a', [0.2]);
    const newest = run(1, 'b', [0.3, 0.4]);
    const partial = run(2, 'a', [0.5], '{"type":"epoch","epo');
    expect(siblingRunDirs(runs, own).sort()).toEqual([newest, partial].sort());
    expect(runCurve(newest, 'val_accuracy')).toEqual([0.3, 0.4]);
    expect(runCurve(partial, 'val_accuracy')).toEqual([0.5]);
  });
});
