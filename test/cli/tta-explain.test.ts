// `anneal eval|predict|export --tta` and `anneal explain` from the command line: the run's own
// augmentation, n = 0 and beta = 1 reducing to the plain numbers, predict and eval agreeing on the
// same views, the card recording TTA; Grad-CAM files; every bad input one line and exit 2.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/index.js';
import type { EvalResult } from '../../src-main/engine/evaluate/index.js';
import { parseNpy } from '../../src-main/engine/explain/index.js';
import { anneal, annealIn, tempDir } from './helpers.js';

/** Where webgpu can run here (Mesa's software OpenGL ES), as test/cli/import-predict.test.ts checks. */
const mesa = ['/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0', '/usr/lib/aarch64-linux-gnu/libEGL_mesa.so.0'].some((p) =>
  existsSync(p),
);

let data: string;
let run: string;
let work: string;

beforeAll(async () => {
  work = tempDir('anneal-tta-cli-');
  data = join(work, 'shapes');
  await makeShapes(data, 6);
  const r = await annealIn([
    'train',
    ...['--data', data, '--epochs', '1', '--freeze-epochs', '1', '--image-size', '32'],
    ...['--out', join(work, 'runs'), '--json'],
  ]);
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  run = JSON.parse(r.stdout.trim().split('\n').at(-1)!).runDir;
}, 300_000);

const evalJson = async (...flags: string[]) => {
  const r = await annealIn(['eval', run, '--json', ...flags]);
  expect(r.status, r.stderr.slice(-1500)).toBe(0);
  return JSON.parse(r.stdout) as EvalResult;
};

describe('anneal eval --tta', () => {
  it("records fastai's settings and the run's augmentation; n = 0 and beta = 1 are the plain evaluation", async () => {
    const plain = await evalJson();
    const tta = await evalJson('--tta');
    expect(tta.tta).toMatchObject({ n: 4, beta: 0.25, useMax: false, seed: 0, augmentFrom: 'run' });
    expect(tta.tta!.plain.accuracy).toBe(plain.accuracy);
    expect(tta.tta!.plain.loss).toBeCloseTo(plain.loss, 12);
    expect(await evalJson('--tta-n', '0')).toEqual(plain);
    const one = await evalJson('--tta-beta', '1');
    expect(one.accuracy).toBe(plain.accuracy);
    expect(one.confusion).toEqual(plain.confusion);
    expect(one.loss).toBeCloseTo(plain.loss, 5);
    // Seeded: the same numbers again; another seed draws other views.
    expect(await evalJson('--tta')).toEqual(tta);
    expect((await evalJson('--tta-seed', '7')).loss).not.toBe(tta.loss);
  });

  it('refuses bad settings naming the flag (exit 2)', async () => {
    for (const [flags, message] of [
      [['--tta-beta', '1.5'], /^anneal: --tta-beta: must be between 0 and 1\n$/],
      [['--tta-n', '-2'], /^anneal: --tta-n: must be >= 0\n$/],
      [['--tta-n', 'many'], /^anneal: --tta-n: expected a number, got "many"\n$/],
      [['--tta-seed', '1.5'], /^anneal: --tta-seed: /],
    ] as const) {
      const r = await annealIn(['eval', run, ...flags]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('anneal predict --tta', () => {
  it("gives eval --tta's probabilities for the same images, one file and a folder with --csv", async () => {
    const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as { val: { path: string }[] };
    const files = split.val.map((s) => s.path);
    const ev = await evalJson('--tta');
    const r = await annealIn(['predict', '--model', run, ...files, '--tta', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const preds = JSON.parse(r.stdout) as { image: string; probs: number[] }[];
    const correct = preds.filter((p, i) => {
      const label = ev.classes.indexOf(split.val[i]!.path.split('/').at(-2)!);
      return p.probs.indexOf(Math.max(...p.probs)) === label;
    }).length;
    expect(correct / preds.length).toBeCloseTo(ev.accuracy, 10);

    const folder = join(work, 'messy');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.png'), readFileSync(files[0]!));
    writeFileSync(join(folder, 'broken.png'), 'not a png');
    const csv = join(work, 'p.csv');
    const f = await annealIn(['predict', '--model', run, folder, '--csv', csv, '--tta']);
    expect(f.status, f.stderr).toBe(0);
    expect(f.stderr).toMatch(/broken\.png: not an image/);
    expect(f.stderr).toMatch(/test-time augmentation: the plain view and 4 views of the run's training augmentation/);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(3);
    const p = Number(rows[1]!.split(',')[3]);
    expect(p).toBeCloseTo(Math.max(...preds[0]!.probs), 5);
  });
});

describe('anneal export --tta', () => {
  it('records TTA in the model card’s evaluation', async () => {
    const out = join(work, 'export');
    const r = await annealIn(['export', run, '--format', 'tfjs', '--out', out, '--tta']);
    expect(r.status, r.stderr).toBe(0);
    const card = readFileSync(join(out, 'model-card.html'), 'utf8');
    expect(card).toMatch(
      /With test-time augmentation: the plain view and 4 views of the run&#39;s training augmentation|With test-time augmentation: the plain view and 4 views of the run's training augmentation/,
    );
    expect(card).toMatch(/Without it: accuracy/);
  });
});

describe('anneal explain', () => {
  it('writes an overlay and a heatmap per image, lists a corrupt one, explains a chosen class', async () => {
    const img = readdirSync(join(data, 'circle'))[0]!;
    const bad = join(work, 'bad.png');
    writeFileSync(bad, 'not an image');
    const out = join(work, 'cams');
    const r = await annealIn(['explain', '--model', run, join(data, 'circle', img), bad, '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/skipped 1 file.*\n.*bad\.png: not an image/);
    const { rows } = JSON.parse(r.stdout) as { rows: { overlay: string; heatmap: string; class: string }[] };
    expect(rows).toHaveLength(1);
    const npy = parseNpy(readFileSync(rows[0]!.heatmap));
    expect(npy.shape).toEqual([32, 32]);
    expect(Math.max(...npy.data)).toBeLessThanOrEqual(1);
    expect(Math.min(...npy.data)).toBeGreaterThanOrEqual(0);
    expect((await sharp(rows[0]!.overlay).metadata()).width).toBe(224);

    const chosen = await annealIn([
      'explain',
      '--model',
      run,
      join(data, 'circle', img),
      '--out',
      out,
      '--class',
      'square',
      '--json',
    ]);
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(JSON.parse(chosen.stdout).rows[0].class).toBe('square');
  });

  it('gives the same heatmaps on cpu, wasm and webgpu (gradients on each backend; async reads only)', () => {
    const img = join(data, 'triangle', readdirSync(join(data, 'triangle'))[0]!);
    const backends = mesa ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'];
    if (!mesa) console.warn("webgpu not checked: Mesa's OpenGL ES is not installed here");
    const maps = backends.map((b) => {
      const out = join(work, `cams-${b}`);
      const r = anneal(['explain', '--model', run, img, '--out', out, '--backend', b]);
      expect(r.status, `${b}: ${r.stderr}`).toBe(0);
      return parseNpy(
        readFileSync(
          join(
            out,
            readdirSync(out).find((f) => f.endsWith('.npy'))!,
          ),
        ),
      ).data;
    });
    for (const m of maps.slice(1)) {
      const diff = m.reduce((d, v, i) => Math.max(d, Math.abs(v - maps[0]![i]!)), 0);
      expect(diff).toBeLessThan(1e-5);
    }
  });

  it('refuses bad input with one line and exit 2, writing nothing', async () => {
    const img = join(data, 'circle', readdirSync(join(data, 'circle'))[0]!);
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const bad = join(work, 'only-bad.png');
    writeFileSync(bad, 'garbage');
    const cases: [string[], RegExp][] = [
      [
        [img, '--class', 'dog'],
        /^anneal: --class: "dog" is not one of the model's classes \(circle, cross, square, triangle\)\n$/,
      ],
      [[join(work, 'missing.png')], /^anneal: .*missing\.png: no such file\n$/],
      [[bad], /^anneal: no image in .*only-bad\.png could be read \(.*: not an image/],
    ];
    for (const [args, message] of cases) {
      const out = join(work, 'never');
      const r = await annealIn(['explain', '--model', run, ...args, '--out', out]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    const r = await annealIn(['explain', '--model', run, img, '--out', join(file, 'sub')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^anneal: --out: cannot write to .*a-file\/sub: .*a-file is a file, not a folder\n$/);
  });
});
