// `anneal predict --model M DIR --csv out.csv`: one row per file, with the top-k and every class
// probability; a file that cannot be read is listed (stderr and its CSV row), not fatal.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDelimited } from '../../src-main/engine/data/sources/index.js';
import { anneal, tempDir } from './helpers.js';

const MODEL = fileURLToPath(new URL('../../models/resnet_micro', import.meta.url));
const LABELS = (JSON.parse(readFileSync(join(MODEL, 'anneal.json'), 'utf8')) as { labels: string[] }).labels;

let dir: string;
let photos: string;

async function png(path: string, rgb: [number, number, number], alpha = false): Promise<void> {
  const channels = alpha ? 4 : 3;
  await sharp({
    create: { width: 40, height: 30, channels, background: { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 0.5 } },
  })
    .png()
    .toFile(path);
}

beforeAll(async () => {
  dir = tempDir('anneal-predict-folder-');
  photos = join(dir, 'photos, 2026'); // a comma in every path: the CSV must quote it
  mkdirSync(join(photos, 'more'), { recursive: true });
  await png(join(photos, 'a.png'), [250, 10, 10]);
  await png(join(photos, 'b.png'), [10, 250, 10], true);
  await png(join(photos, 'more', 'c.png'), [10, 10, 250]);
  writeFileSync(join(photos, 'notes.txt'), 'not an image');
  writeFileSync(join(photos, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
});

describe('anneal predict on a folder', () => {
  it('writes one CSV row per file: top-k, every probability, bad files with their reason', () => {
    const out = join(dir, 'out', 'predictions.csv');
    const r = anneal(['predict', '--model', MODEL, photos, '--csv', out, '--top', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/skipped 2 files that could not be read/);
    expect(r.stderr).toContain('notes.txt');
    expect(r.stderr).toContain('broken.jpg');
    expect(r.stderr).toMatch(/wrote 5 rows to /);
    const rows = parseDelimited(readFileSync(out, 'utf8'), ',').map((rec) => rec.fields.map((f) => f.value));
    const [header, ...body] = rows;
    expect(header).toEqual(['image', 'error', 'top1', 'p1', 'top2', 'p2', ...LABELS.map((l) => `p:${l}`)]);
    expect(body).toHaveLength(5);
    const good = body.filter((row) => row[1] === '');
    expect(good.map((row) => row[0]).sort()).toEqual(
      [join(photos, 'a.png'), join(photos, 'b.png'), join(photos, 'more', 'c.png')].sort(),
    );
    for (const row of good) {
      const probs = row.slice(6).map(Number);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      // top1 is the most probable class, p1 its probability, exactly as in its own column.
      const best = Math.max(...probs);
      expect(Number(row[3])).toBe(best);
      expect(row[2]).toBe(LABELS[probs.indexOf(best)]);
      expect(Number(row[5])).toBeLessThanOrEqual(Number(row[3]));
    }
    const bad = body.filter((row) => row[1] !== '');
    expect(bad.map((row) => row[0]).sort()).toEqual([join(photos, 'broken.jpg'), join(photos, 'notes.txt')]);
    for (const row of bad) expect(row.slice(2).every((v) => v === '')).toBe(true);
  });

  it('prints the same rows as JSON, exact', () => {
    const r = anneal(['predict', '--model', MODEL, photos, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      labels: string[];
      rows: { image: string; probs: number[] }[];
      skipped: unknown[];
    };
    expect(j.labels).toEqual(LABELS);
    expect(j.rows).toHaveLength(3);
    expect(j.skipped).toHaveLength(2);
  });

  it("decodes transparent files with the model's alpha, as a single-file predict does", () => {
    // A copy of the model that composites transparency onto black (preprocessing.alpha).
    const black = join(dir, 'model-black');
    cpSync(MODEL, black, { recursive: true });
    const meta = JSON.parse(readFileSync(join(black, 'anneal.json'), 'utf8')) as {
      preprocessing: Record<string, unknown>;
    };
    meta.preprocessing.alpha = 'black';
    writeFileSync(join(black, 'anneal.json'), JSON.stringify(meta));
    const folderProbs = (model: string) => {
      const r = anneal(['predict', '--model', model, photos, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const rows = (JSON.parse(r.stdout) as { rows: { image: string; probs: number[] }[] }).rows;
      return rows.find((row) => row.image === join(photos, 'b.png'))!.probs;
    };
    const single = anneal(['predict', '--model', black, join(photos, 'b.png'), '--json']);
    expect(single.status, single.stderr).toBe(0);
    const [one] = JSON.parse(single.stdout) as { probs: number[] }[];
    expect(folderProbs(black)).toEqual(one!.probs);
    // The half-transparent green differs on black and on white: so do the predictions.
    expect(folderProbs(MODEL)).not.toEqual(one!.probs);
  });

  it('a folder with no readable image, or a missing one, is one clear error (exit 2) and no CSV', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'x.txt'), 'text');
    const out = join(dir, 'none.csv');
    const r = anneal(['predict', '--model', MODEL, empty, '--csv', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no image in .*empty could be read/);
    const missing = anneal(['predict', '--model', MODEL, join(dir, 'nope'), '--csv', out]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope: no such file or folder/);
    expect(existsSync(out)).toBe(false);
  });
});
