// `anneal runs list|show|compare` through cli/program.ts in this process: a run trained here beside a run
// written through the run store with known metrics, and a damaged folder that is reported and
// passed over. JSON, the tables, sorting, the comparison PNG, and bad input refused with exit 2.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/index.js';
import type { RunDetail, RunSeries } from '../../src-main/engine/evaluate/index.js';
import { RunStore, type RunSummary } from '../../src-main/engine/runs/index.js';
import { annealIn, tempDir } from './helpers.js';

let out: string;
let trained: string;
let written: RunStore;
let noVal: RunStore;

beforeAll(async () => {
  const data = join(tempDir('anneal-runs-data-'), 'shapes');
  await makeShapes(data, 6);
  out = tempDir('anneal-runs-out-');
  const r = await annealIn([
    'train',
    ...['--data', data, '--epochs', '1', '--freeze-epochs', '1', '--image-size', '32', '--out', out, '--json'],
  ]);
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  trained = JSON.parse(r.stdout.trim().split('\n').at(-1)!).runDir;
  // Two more runs with known numbers: three perfect epochs (nothing trained here can beat a final
  // val_acc of 1), and one without a validation set (its val metrics are null).
  const meta = RunStore.open(trained).meta;
  const later = (s: number) => new Date(Date.now() + s * 1000);
  written = RunStore.create(out, { ...meta, arch: 'resnet18', created: later(60) });
  noVal = RunStore.create(out, { ...meta, arch: 'resnet34', created: later(120) });
  for (const [store, rows] of [
    [
      written,
      [
        [0.9, 0.7, 0.3, 0.95],
        [0.5, 0.9, 0.2, 1.0],
        [0.4, 0.95, 0.25, 1.0],
      ],
    ],
    [noVal, [[1.5, 0.2, null, null]]],
  ] as const) {
    store.appendEvent('start');
    rows.forEach(([loss, accuracy, val_loss, val_accuracy], epoch) =>
      store.appendEpoch({ epoch, stage: 0, loss, accuracy, val_loss, val_accuracy, lr: [1e-3], seconds: 65 }),
    );
    store.appendEvent('done', { epochs: rows.length });
  }
  // Has a run.json, but not an Anneal one: listed as skipped, never as a run.
  mkdirSync(join(out, 'zz-damaged'));
  writeFileSync(join(out, 'zz-damaged', 'run.json'), '{"format": "something-else"}');
}, 300_000);

describe('anneal runs list', () => {
  it('prints every run as JSON in creation order and reports the damaged folder', async () => {
    const r = await annealIn(['runs', 'list', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as RunSummary[];
    expect(runs.map((s) => s.dir)).toEqual([trained, written.dir, noVal.dir]);
    expect(runs[0]).toMatchObject({ arch: 'resnet_micro', status: 'done', epochs: 2 });
    expect(runs[1]).toMatchObject({ arch: 'resnet18', status: 'done', epochs: 3, seconds: 195 });
    expect(runs[1]!.final).toMatchObject({ val_loss: 0.25, val_accuracy: 1 });
    expect(runs[2]!.final).toMatchObject({ val_loss: null, val_accuracy: null });
    expect(r.stderr).toMatch(/^anneal: skipped .*zz-damaged: .*not an Anneal run/m);
  });

  it('sorts by a column, ascending or with --desc, runs without the value last', async () => {
    const list = async (args: string[]) =>
      JSON.parse((await annealIn(['runs', 'list', '--out', out, '--json', ...args])).stdout) as RunSummary[];
    const up = await list(['--sort', 'val_loss']);
    expect(up.map((s) => s.dir).at(-1)).toBe(noVal.dir);
    const values = up.slice(0, 2).map((s) => s.final!.val_loss!);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    const down = await list(['--sort', 'val_loss', '--desc']);
    expect(down.map((s) => s.dir)).toEqual([up[1]!.dir, up[0]!.dir, noVal.dir]);
    expect((await list(['--sort', 'epochs', '--desc'])).map((s) => s.dir)).toEqual([written.dir, trained, noVal.dir]);
    expect((await list(['--sort', 'arch'])).map((s) => s.dir)).toEqual([written.dir, noVal.dir, trained]);
  });

  it('prints a table with the best final val_acc marked', async () => {
    const r = await annealIn(['runs', 'list', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^id +arch +status +epochs +time +loss +acc +val_loss +val_acc +best_val_acc$/);
    const row = lines.find((l) => l.startsWith(written.id))!;
    expect(row).toMatch(/^\S+ +resnet18 +done +3 +3m15s +0\.4000 +0\.9500 +0\.2500 +1\.0000\* +1\.0000 @1$/);
    expect(lines.find((l) => l.startsWith(noVal.id))).toMatch(/ +1\.5000 +0\.2000 +- +- +-$/);
    expect(r.stdout).toContain('* highest final val_acc');
  });
});

describe('anneal runs show', () => {
  it('prints the run as JSON: meta, summary, stage names, epochs, events', async () => {
    const r = await annealIn(['runs', 'show', trained, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as RunDetail;
    expect(d.meta.dataset.classes).toEqual(['circle', 'cross', 'square', 'triangle']);
    expect(d.stages).toEqual(['frozen', 'unfrozen']);
    expect(d.epochs.map((e) => [e.epoch, e.stage])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(d.events.map((e) => e.type)).toEqual(['start', 'checkpoint', 'checkpoint', 'done']);
    expect(d.summary.status).toBe('done');
  });

  it('prints the config summary, the per-epoch table and the events', async () => {
    const r = await annealIn(['runs', 'show', trained]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^data +\S+shapes: 4 classes, 20 train \/ 4 val images$/m);
    expect(r.stdout).toMatch(/^stages +frozen, unfrozen$/m);
    expect(r.stdout).toMatch(/^config +\{"data":/m);
    expect(r.stdout).toMatch(/^epoch +stage +loss +acc +val_loss +val_acc +lr \(max\) +time$/m);
    expect(r.stdout).toMatch(/^ +0[* ] +frozen +\d\.\d{4} /m);
    expect(r.stdout).toMatch(/^ +1[* ] +unfrozen +\d\.\d{4} /m);
    expect(r.stdout).toMatch(/^\S+ \S+Z +done +reason=null epochs=2$/m);
  });
});

describe('anneal runs compare', () => {
  it('gives each run’s metric per epoch as JSON and draws the curves', async () => {
    const png = join(tempDir('anneal-runs-plot-'), 'compare.png');
    const r = await annealIn([
      'runs',
      'compare',
      trained,
      written.dir,
      '--metric',
      'val_loss',
      '--plot',
      png,
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { metric: string; runs: RunSeries[] };
    expect(res.metric).toBe('val_loss');
    expect(res.runs.map((s) => s.points.length)).toEqual([2, 3]);
    expect(res.runs[1]!.best).toEqual({ epoch: 1, value: 0.2 });
    expect(res.runs[1]!.final).toBe(0.25);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1000, 560]);
  });

  it('prints the runs side by side, val_accuracy by default', async () => {
    const r = await annealIn(['runs', 'compare', trained, written.dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^run +arch +status +epochs +time +final val_accuracy +best val_accuracy$/m);
    expect(r.stdout).toMatch(/^resnet18-\w{4} +resnet18 +done +3 +3m15s +1\.0000 +1\.0000 @1$/m);
    expect(r.stdout).toMatch(/^ +2 +1\.0000 *$/m); // the trained run has no epoch 2
  });
});

describe('anneal runs refuses bad input with exit 2 and one line', () => {
  it.each([
    ['show: a missing folder', () => ['show', '/nonexistent/run'], /cannot open run/],
    ['show: a folder that is not a run', () => ['show', out], /not an Anneal run folder/],
    ['show: a foreign run.json', () => ['show', join(out, 'zz-damaged')], /not an Anneal run's run\.json/],
    ['compare: one bad folder among runs', () => ['compare', trained, '/nonexistent/run'], /cannot open run/],
    ['compare: a run given twice', () => ['compare', trained, trained], /given twice/],
    ['compare: an unknown metric', () => ['compare', trained, '--metric', 'f1'], /Allowed choices are val_accuracy/],
    ['list: a missing runs folder', () => ['list', '--out', '/nonexistent/runs'], /no runs folder/],
    ['list: an unknown sort column', () => ['list', '--out', out, '--sort', 'colour'], /Allowed choices are id/],
  ] as const)('%s', async (_name, args, message) => {
    const r = await annealIn(['runs', ...args()]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('anneal:'))).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
