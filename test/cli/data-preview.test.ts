// `anneal data preview` end to end through cli/program.ts in this process, on images made here with sharp.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridSize } from '../../src-main/engine/data/augment/preview/index.js';
import { annealIn, tempDir, writeJson } from './helpers.js';

let dir: string;
let data: string;

const CLASSES = { cat: [200, 60, 40], dog: [40, 160, 60], owl: [50, 70, 200] } as const;

beforeAll(async () => {
  dir = tempDir('anneal-preview-');
  data = join(dir, 'pets');
  for (const [name, [r, g, b]] of Object.entries(CLASSES)) {
    mkdirSync(join(data, name), { recursive: true });
    for (let k = 0; k < 3; k++) {
      // A coloured square on a gradient, so crops and flips change the picture.
      const svg =
        `<svg xmlns="http://www.w3.org/2000/svg" width="${120 + 20 * k}" height="90">` +
        `<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>` +
        `<rect width="100%" height="100%" fill="url(#g)"/><rect x="${10 + 15 * k}" y="20" width="40" height="40" fill="rgb(${r},${g},${b})"/></svg>`;
      const img = sharp(Buffer.from(svg));
      await (k % 2 ? img.png() : img.jpeg()).toFile(join(data, name, `${name}_${k}.${k % 2 ? 'png' : 'jpg'}`));
    }
  }
});

describe('anneal data preview', () => {
  it('writes a PNG grid of the expected size atomically, and the same seed gives the same bytes', async () => {
    const out = join(dir, 'grid', 'preview.png');
    const args = ['data', 'preview', data, '--rows', '3', '--cols', '2', '--size', '48', '--seed', '1', '--out', out];
    const r = await annealIn(args);
    expect(r.stderr).toBe(`anneal: wrote ${out} (3 rows × 2 views, seed 1)\n`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('png');
    // Short class names: the 120 px minimum gutter; the eval column plus 2 augmented ones.
    expect(meta.width).toBe(gridSize(3, 3, { cell: 48, separateFirst: true }, 120).width);
    expect(meta.height).toBeGreaterThan(3 * 48 + 2 * 8 + 40);
    expect(meta.height).toBeLessThan(3 * 48 + 2 * 8 + 200);
    // No temporary file left beside it.
    expect(readdirSync(join(dir, 'grid'))).toEqual(['preview.png']);

    const first = readFileSync(out);
    expect((await annealIn(args)).status).toBe(0);
    expect(readFileSync(out).equals(first)).toBe(true);
    expect((await annealIn([...args.slice(0, -4), '--seed', '2', '--out', out])).status).toBe(0);
    expect(readFileSync(out).equals(first)).toBe(false);
  });

  it('takes an augmentation config, or a run config with an "augment" field', async () => {
    const out = join(dir, 'strong.png');
    const config = writeJson(dir, 'augment.json', { rotate: 20, colorJitter: { hue: 0.1 } });
    const r = await annealIn(['data', 'preview', data, '--augment', config, '--size', '32', '--out', out]);
    expect(r.stderr).toBe(`anneal: wrote ${out} (6 rows × 6 views, seed 0)\n`);
    expect(r.status).toBe(0);
    expect((await sharp(out).metadata()).format).toBe('png');
    const run = writeJson(dir, 'run.json', { augment: { hflip: 2 } });
    const bad = await annealIn(['data', 'preview', data, '--augment', run, '--out', join(dir, 'x.png')]);
    expect(bad.stderr).toBe(
      `anneal: invalid augment config ${run}: augment.hflip: must be a probability between 0 and 1\n`,
    );
    expect(bad.status).toBe(2);
  });

  it('refuses a bad config with exit 2 and one line naming the field, writing nothing', async () => {
    const out = join(dir, 'never.png');
    const config = writeJson(dir, 'bad.json', { colorJitter: { hue: 0.9 } });
    const r = await annealIn(['data', 'preview', data, '--augment', config, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`anneal: invalid augment config ${config}: colorJitter.hue: must be between 0 and 0.5\n`);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['--seed', '-1'], /^anneal: .*--seed must be a whole number >= 0\n$/],
    [['--rows', '0'], /^anneal: .*--rows must be a whole number >= 1\n$/],
    [['--size', '5000'], /^anneal: --size must be at most 1024 pixels\n$/],
    [['--size', '64', '--presize', '32'], /^anneal: --presize must be at least --size \(64\)\n$/],
    [
      ['--augment', '/nonexistent/a.json'],
      /^anneal: cannot read augment config \/nonexistent\/a\.json: no such file\n$/,
    ],
  ])('refuses %j with exit 2 and one line', async (flags, message) => {
    const r = await annealIn(['data', 'preview', data, ...flags, '--out', join(dir, 'never.png')]);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });

  it('refuses a missing or empty dataset folder with exit 2 and one line', async () => {
    const missing = await annealIn(['data', 'preview', join(dir, 'nope'), '--out', join(dir, 'never.png')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^anneal: .*nope.*\n$/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = await annealIn(['data', 'preview', empty, '--out', join(dir, 'never.png')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'never.png'))).toBe(false);
  });
});
