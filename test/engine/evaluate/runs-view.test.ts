// Runs side by side, from run folders written through the run store with known epoch records:
// sorting (missing values last), the best-run mark, per-metric best and final, short labels,
// the text tables and the comparison chart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bestRunIds,
  compareRuns,
  describeRun,
  EvalError,
  shortLabels,
  sortRuns,
} from '../../../src-main/engine/evaluate/index.js';
import { formatComparison, formatRunDetail, formatRunList } from '../../../src-main/cli/format/index.js';
import { renderRunsPng } from '../../../src-main/engine/plot/index.js';
import { listRuns, RunStore } from '../../../src-main/engine/runs/index.js';

let root: string;
let a: RunStore;
let b: RunStore;
let c: RunStore;

/** A finished run with one epoch record per [loss, accuracy, val_loss, val_accuracy]. */
function makeRun(arch: string, created: string, epochs: (number | null)[][]): RunStore {
  const store = RunStore.create(root, {
    arch,
    created: new Date(created),
    config: { model: arch, recipe: { type: 'fineTune', epochs: epochs.length - 1, freezeEpochs: 1 } },
    seed: 0,
    versions: { anneal: '0.1.0', node: process.version, tfjs: '4.22.0', backend: 'cpu' },
    backend: { name: 'cpu', device: null },
    dataset: { root: '/data/pets', manifestHash: 'a'.repeat(64), classes: ['cat', 'dog'], train: 8, val: 2 },
  });
  store.appendEvent('start');
  epochs.forEach(([loss, accuracy, val_loss, val_accuracy], epoch) =>
    store.appendEpoch({
      epoch,
      stage: epoch === 0 ? 0 : 1,
      loss: loss!,
      accuracy: accuracy!,
      val_loss: val_loss ?? null,
      val_accuracy: val_accuracy ?? null,
      lr: [1e-4, 1e-3],
      seconds: 2,
    }),
  );
  store.appendEvent('done', { epochs: epochs.length });
  return store;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'anneal-runs-view-'));
  a = makeRun('resnet18', '2026-01-01T00:00:00Z', [
    [1.0, 0.5, 0.9, 0.6],
    [0.8, 0.7, 0.7, 0.8],
    [0.6, 0.8, 0.75, 0.75],
  ]);
  b = makeRun('resnet50', '2026-01-02T00:00:00Z', [
    [0.9, 0.6, 0.5, 0.9],
    [0.7, 0.7, 0.6, 0.85],
  ]);
  // No validation set: no val metrics at all.
  c = makeRun('resnet18', '2026-01-03T00:00:00Z', [[1.2, 0.4, null, null]]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sortRuns and bestRunIds', () => {
  it('sorts by a column either way, with runs lacking the value last', () => {
    const runs = listRuns(root);
    expect(runs.map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(sortRuns(runs, 'val_acc').map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(sortRuns(runs, 'val_acc', true).map((r) => r.id)).toEqual([b.id, a.id, c.id]);
    expect(sortRuns(runs, 'loss', true).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(sortRuns(runs, 'epochs').map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(sortRuns(runs, 'arch').map((r) => r.id)).toEqual([a.id, c.id, b.id]);
    expect([...bestRunIds(runs)]).toEqual([b.id]);
  });

  it('lists them as a table with the best final val_acc marked', () => {
    const text = formatRunList(listRuns(root));
    const line = (id: string) => text.split('\n').find((l) => l.startsWith(id))!;
    expect(line(b.id)).toMatch(/0\.8500\*/);
    expect(line(a.id)).not.toContain('*');
    expect(line(c.id)).toMatch(/ - +- +-$/); // no val_loss, val_acc or best
    expect(text).toMatch(/^id +arch +status +epochs +time +loss +acc +val_loss +val_acc +best_val_acc$/m);
  });
});

describe('compareRuns', () => {
  it('gives each run the metric per epoch, its best (max for accuracy, min for loss) and final', () => {
    const acc = compareRuns([a.dir, b.dir], 'val_accuracy');
    expect(acc.map((s) => s.label)).toEqual(['resnet18-' + a.id.slice(-4), 'resnet50-' + b.id.slice(-4)]);
    expect(acc[0]!.points).toEqual([
      { epoch: 0, value: 0.6 },
      { epoch: 1, value: 0.8 },
      { epoch: 2, value: 0.75 },
    ]);
    expect(acc[0]!.best).toEqual({ epoch: 1, value: 0.8 });
    expect(acc[0]!.final).toBe(0.75);
    const loss = compareRuns([a.dir, b.dir, c.dir], 'val_loss');
    expect(loss.map((s) => s.best)).toEqual([{ epoch: 1, value: 0.7 }, { epoch: 0, value: 0.5 }, null]);
  });

  it('refuses a run given twice and a folder that is not a run', () => {
    expect(() => compareRuns([a.dir, `${a.dir}/`], 'loss')).toThrow(EvalError);
    expect(() => compareRuns([root], 'loss')).toThrow(/not an Anneal run folder/);
  });

  it('prints a summary and a per-epoch table with each run’s best marked', () => {
    const text = formatComparison(compareRuns([a.dir, b.dir], 'val_loss'), 'val_loss');
    expect(text).toMatch(/^run +arch +status +epochs +time +final val_loss +best val_loss$/m);
    expect(text).toMatch(/^ +1 +0\.7000\* +0\.6000 *$/m);
    expect(text).toMatch(/^ +2 +0\.7500 *$/m);
  });

  it('draws the curves as a PNG', () => {
    const png = renderRunsPng(compareRuns([a.dir, b.dir, c.dir], 'loss'), { metric: 'loss', title: 't' });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, 560]);
  });
});

describe('shortLabels and describeRun', () => {
  it('drops the timestamp unless two labels would collide', () => {
    expect(shortLabels(['2026-01-01T00-00-00-r18-ab12', '2026-01-02T00-00-00-r50-ab12'])).toEqual([
      'r18-ab12',
      'r50-ab12',
    ]);
    const same = ['2026-01-01T00-00-00-r18-ab12', '2026-01-02T00-00-00-r18-ab12'];
    expect(shortLabels(same)).toEqual(same);
  });

  it('describes a run: stage names from its config, epochs, events', () => {
    const d = describeRun(a.dir);
    expect(d.stages).toEqual(['frozen', 'unfrozen']);
    expect(d.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(d.events.map((e) => e.type)).toEqual(['start', 'done']);
    const text = formatRunDetail(d);
    expect(text).toContain(`run       ${a.id} (done)`);
    expect(text).toMatch(/^ +1\* +unfrozen +0\.8000 +0\.7000 +0\.7000 +0\.8000 +1\.00e-3 +2\.0s$/m);
  });
});
