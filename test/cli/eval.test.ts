// `anneal eval` through cli/program.ts in this process, on a run trained here: the run's validation split by
// default (matching the run's own final val_loss and val_accuracy), a model dir on a whole folder
// with a bad file in it, the heatmap PNG, the human report, and bad input refused with exit 2.
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/index.js';
import type { EvalResult } from '../../src-main/engine/evaluate/index.js';
import { RunStore } from '../../src-main/engine/runs/index.js';
import { annealIn, tempDir } from './helpers.js';

let data: string;
let run: string;
let final: { val_accuracy: number; val_loss: number };

const ihdr = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

/** The invariants every result holds, whatever the model learnt. */
function checkConsistent(r: EvalResult): void {
  const c = r.confusion;
  expect(c).toHaveLength(r.classes.length);
  expect(c.flat().reduce((a, b) => a + b, 0)).toBe(r.count);
  r.perClass.forEach((p, i) => expect(c[i]!.reduce((a, b) => a + b, 0)).toBe(p.support));
  expect(c.reduce((s, row, i) => s + row[i]!, 0) / r.count).toBeCloseTo(r.accuracy, 12);
  expect(r.topK.accuracy).toBeGreaterThanOrEqual(r.accuracy);
  const losses = r.topLosses.map((t) => t.loss);
  expect(losses).toEqual([...losses].sort((x, y) => y - x));
}

beforeAll(async () => {
  data = join(tempDir('anneal-eval-data-'), 'shapes');
  await makeShapes(data, 6);
  const r = await annealIn([
    'train',
    ...['--data', data, '--epochs', '1', '--freeze-epochs', '1', '--image-size', '32'],
    ...['--out', tempDir('anneal-eval-runs-'), '--json'],
  ]);
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  run = last.runDir;
  final = last.final;
}, 300_000);

describe('anneal eval <run>', () => {
  it('scores the run’s model on its validation split, as training measured it', async () => {
    const r = await annealIn(['eval', run, '--json']);
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    const out = JSON.parse(r.stdout) as EvalResult;
    const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8'));
    expect(out.count).toBe(split.val.length);
    expect(out.classes).toEqual(['circle', 'cross', 'square', 'triangle']);
    expect(out.perClass.map((p) => p.label)).toEqual(out.classes);
    expect(out.topK.k).toBe(4); // 5, clamped to the classes
    expect(out.topK.accuracy).toBe(1);
    expect(out.skipped).toEqual([]);
    checkConsistent(out);
    // Same weights, same pixels: the numbers training logged for its last epoch (backends may differ).
    expect(out.accuracy).toBeCloseTo(final.val_accuracy, 6);
    expect(Math.abs(out.loss - final.val_loss) / final.val_loss).toBeLessThan(1e-3);
  });

  it('prints the classification report, confusion matrix and top losses', async () => {
    const r = await annealIn(['eval', run, '--top-losses', '3']);
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    expect(r.stdout).toMatch(/^resnet_micro, run \S+, on its validation split \(4 images\); backend \w+$/m);
    expect(r.stdout).toContain('              precision    recall  f1-score   support\n');
    for (const c of ['circle', 'cross', 'square', 'triangle'])
      expect(r.stdout).toMatch(new RegExp(`^ +${c} +\\d`, 'm'));
    expect(r.stdout).toMatch(/^ {4}accuracy +\d\.\d{4} +4$/m);
    expect(r.stdout).toMatch(/^ {3}macro avg( +\d\.\d{4}){3} +4$/m);
    expect(r.stdout).toMatch(/^weighted avg( +\d\.\d{4}){3} +4$/m);
    expect(r.stdout).toMatch(/^top-4 accuracy 1\.0000 {3}loss \d\.\d{4}$/m);
    expect(r.stdout).toMatch(/^true \\ predicted {2}circle {2}cross {2}square {2}triangle$/m);
    expect(r.stdout).toContain('top 3 losses');
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/\.png$/);
  });
});

describe('anneal eval <model dir> --data', () => {
  it('scores every image of the folder, says which it skipped, and draws the heatmap', async () => {
    const messy = join(tempDir('anneal-eval-messy-'), 'shapes');
    cpSync(data, messy, { recursive: true });
    writeFileSync(join(messy, 'square', 'cut.png'), readFileSync(join(data, 'square', 'square-0.png')).subarray(0, 60));
    const png = join(tempDir('anneal-eval-plot-'), 'confusion.png');
    const r = await annealIn(['eval', join(run, 'model'), '--data', messy, '--top-k', '2', '--plot', png, '--json']);
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    const out = JSON.parse(r.stdout) as EvalResult;
    expect(out.count).toBe(24);
    expect(out.perClass.map((p) => p.support)).toEqual([6, 6, 6, 6]);
    expect(out.topK.k).toBe(2);
    expect(out.topLosses).toHaveLength(10);
    expect(out.skipped.map((s) => s.path)).toEqual([join(messy, 'square', 'cut.png')]);
    expect(r.stderr).toMatch(/skipped 1 file that could not be used/);
    checkConsistent(out);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(ihdr(bytes).width).toBeGreaterThanOrEqual(520);
    expect(ihdr(bytes).height).toBeGreaterThanOrEqual(460);
  });
});

describe('anneal eval refuses bad input with exit 2 and one line', () => {
  const oneLine = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('anneal:'));

  it.each([
    ['a missing folder', () => ['/nonexistent/run'], /no such folder/],
    ['a folder that is neither run nor model', () => [data], /neither a run folder .* nor a model dir/],
    ['a model dir without --data', () => [join(run, 'model')], /give --data/],
    ['a missing --data folder', () => [join(run, 'model'), '--data', '/nonexistent/images'], /nonexistent/],
    ['--top-k 0', () => [run, '--top-k', '0'], /--top-k must be a whole number >= 1/],
    [
      'data with a class the model lacks',
      () => {
        const odd = join(tempDir('anneal-eval-odd-'), 'shapes');
        cpSync(data, odd, { recursive: true });
        renameSync(join(odd, 'cross'), join(odd, 'hexagon'));
        return [join(run, 'model'), '--data', odd];
      },
      /class "hexagon" not among the model's labels \(circle, cross, square, triangle\)/,
    ],
    [
      'a run that has not finished training',
      () => {
        const meta = RunStore.open(run).meta;
        const store = RunStore.create(tempDir('anneal-eval-unfinished-'), { ...meta, created: new Date() });
        return [store.dir];
      },
      /has no trained model yet/,
    ],
  ] as const)('%s', async (_name, args, message) => {
    const r = await annealIn(['eval', ...args()]);
    expect(r.status, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
