// The Sweeps view's state: it lists and opens the newest sweep, picks the first parameter, plots
// the metric against it in ascending x (log where sampled in log space), lays the trials out as
// parallel coordinates (log10 positions on log axes, categories evenly), overlays the curves,
// and hands the best config to the Train screen.
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { normalise, SweepsState } from '../../src-renderer/lib/state/index.js';
import { fakeClient } from './fake-client.js';

const trial = (
  index: number,
  rank: number | null,
  value: number | null,
  params: Record<string, unknown>,
  curve: number[],
) => ({
  index,
  rank,
  value,
  params,
  curve,
  status: value === null ? 'pending' : 'done',
  runDir: value === null ? null : `/s/runs/${index}/r`,
  epochs: curve.length,
});

const detail = {
  dir: '/sweeps/b',
  metric: 'val_accuracy',
  mode: 'max',
  meta: {
    id: 'b',
    parameters: [
      { path: 'recipe.baseLr', type: 'logUniform', log: true },
      { path: 'optimizer.type', type: 'choice', log: false },
    ],
  },
  trials: [
    trial(2, 1, 0.9, { 'recipe.baseLr': 1e-3, 'optimizer.type': 'sgd' }, [0.5, 0.9]),
    trial(0, 2, 0.7, { 'recipe.baseLr': 1e-1, 'optimizer.type': 'adamw' }, [0.6, 0.7]),
    trial(1, 3, 0.5, { 'recipe.baseLr': 1e-5, 'optimizer.type': 'sgd' }, [0.5]),
    trial(3, null, null, { 'recipe.baseLr': 1e-4, 'optimizer.type': 'adamw' }, []),
  ],
  counts: { done: 3, pending: 1 },
  best: { index: 2, value: 0.9, config: { data: '/d', recipe: { type: 'fineTune', epochs: 1, baseLr: 1e-3 } } },
};

function setup() {
  return fakeClient((channel, payload) => {
    if (channel === 'sweeps.list')
      return [
        { dir: '/sweeps/b', id: 'b' },
        { dir: '/sweeps/a', id: 'a' },
      ];
    if (channel === 'sweeps.show') {
      if ((payload as { sweepDir: string }).sweepDir !== '/sweeps/b') throw new Error('no sweep');
      return detail;
    }
    throw new Error(`unexpected ${channel}`);
  });
}

describe('SweepsState', () => {
  it('opens the newest sweep and plots the metric against the first parameter, x ascending on a log axis', async () => {
    const { client, calls } = setup();
    const s = new SweepsState(client);
    await s.refresh();
    flushSync();
    expect(calls.map((c) => c.channel)).toEqual(['sweeps.list', 'sweeps.show']);
    expect(s.selected).toBe('/sweeps/b');
    expect(s.param).toBe('recipe.baseLr');
    expect(s.scatter).toEqual({
      data: [
        [1e-5, 1e-3, 1e-1],
        [0.5, 0.9, 0.7],
      ],
      log: true,
      categories: null,
    });
    s.param = 'optimizer.type';
    flushSync();
    // Categories sorted by their JSON: "adamw" (0), "sgd" (1); not a log axis.
    expect(s.scatter).toEqual({
      data: [
        [0, 1, 1],
        [0.7, 0.9, 0.5],
      ],
      log: false,
      categories: ['"adamw"', '"sgd"'],
    });
  });

  it('parallel coordinates: log10 positions, categories, the metric axis last', async () => {
    const { client } = setup();
    const s = new SweepsState(client);
    await s.refresh();
    const { axes, lines } = s.parallel;
    expect(axes.map((a) => a.path)).toEqual(['recipe.baseLr', 'optimizer.type', 'val_accuracy']);
    expect(axes[0]).toMatchObject({ log: true, min: 1e-5, max: 1e-1 });
    const best = lines.find((l) => l.index === 2)!;
    // log10(1e-3) is halfway between -5 and -1; "sgd" is the top category; 0.9 the top metric.
    expect(best.y[0]).toBeCloseTo(0.5);
    expect(best.y[1]).toBe(1);
    expect(best.y[2]).toBe(1);
    expect(lines.find((l) => l.index === 1)!.y[2]).toBe(0);
    expect(lines).toHaveLength(3);
    expect(normalise(5, { log: false, min: 0, max: 10 })).toBe(0.5);
    expect(normalise(3, { log: false, min: 3, max: 3 })).toBe(0.5);
  });

  it('overlays curves (nulls where a trial stopped early) and exposes the best config', async () => {
    const { client } = setup();
    const s = new SweepsState(client);
    await s.refresh();
    expect(s.curves.labels).toEqual(['trial 2', 'trial 0', 'trial 1']);
    expect(s.curves.data).toEqual([
      [1, 2],
      [0.5, 0.9],
      [0.6, 0.7],
      [0.5, null],
    ]);
    expect(s.bestConfig).toEqual(detail.best.config);
  });

  it('says what failed, and an emptied list closes the sweep', async () => {
    let fail = false;
    let empty = false;
    const { client } = fakeClient((channel) => {
      if (channel === 'sweeps.list') return empty ? [] : [{ dir: '/sweeps/x', id: 'x' }];
      if (fail) throw new Error('sweeps/x/sweep.json: ENOENT');
      return detail;
    });
    const s = new SweepsState(client);
    fail = true;
    await s.refresh();
    expect(s.detail.error).toBe('sweeps/x/sweep.json: ENOENT');
    expect(s.bestConfig).toBeNull();
    empty = true;
    await s.refresh();
    expect(s.selected).toBeNull();
  });
});
