// The preview's choices (images spread over classes, seeded), its summary line, and the grid PNG.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUGMENT,
  NO_AUGMENT,
  deriveSeed,
  parseAugmentConfig,
} from '../../../../src-main/engine/data/augment/index.js';
import {
  describeAugment,
  gridSize,
  pickPreviewRows,
  renderPreviewGrid,
} from '../../../../src-main/engine/data/augment/preview/index.js';
import type { Sample } from '../../../../src-main/engine/data/types.js';
import { pattern } from './reference.js';

// 3 classes: 10, 2 and 1 samples; class 3 has none.
const samples: Sample[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ path: `a/${i}.jpg`, label: 0 })),
  { path: 'b/0.jpg', label: 1 },
  { path: 'b/1.jpg', label: 1 },
  { path: 'c/0.jpg', label: 2 },
];

describe('pickPreviewRows', () => {
  it('with as many rows as classes, shows every class with samples once, in class order', () => {
    const rows = pickPreviewRows(samples, 4, 3, 0);
    expect(rows.map((r) => r.label)).toEqual([0, 1, 2]);
    for (const r of rows) expect(r.candidates.every((s) => s.label === r.label)).toBe(true);
    expect(rows[0]!.candidates).toHaveLength(10);
  });

  it('with fewer rows, picks distinct classes by seed; with more, deals further rows to classes with images left', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const labels = pickPreviewRows(samples, 4, 2, seed).map((r) => r.label);
      expect(new Set(labels).size).toBe(2);
      seen.add(labels.join());
    }
    expect(seen.size).toBe(3);
    // c has one image and b two: the 7 rows are a ×4, b ×2, c ×1, every first image distinct.
    const many = pickPreviewRows(samples, 4, 7, 1);
    expect(many.map((r) => r.label)).toEqual([0, 0, 0, 0, 1, 1, 2]);
    expect(new Set(many.map((r) => r.candidates[0]!.path)).size).toBe(7);
    // Rows run out with the images.
    expect(pickPreviewRows(samples, 4, 50, 1)).toHaveLength(13);
  });

  it('is the same for the same seed and differs across seeds', () => {
    expect(pickPreviewRows(samples, 4, 3, 5)).toEqual(pickPreviewRows(samples, 4, 3, 5));
    const firsts = new Set(
      Array.from({ length: 10 }, (_, s) => pickPreviewRows(samples, 4, 3, deriveSeed(s))[0]!.candidates[0]!.path),
    );
    expect(firsts.size).toBeGreaterThan(3);
  });

  it('returns nothing for an empty dataset', () => {
    expect(pickPreviewRows([], 2, 3, 0)).toEqual([]);
  });
});

describe('describeAugment', () => {
  it('summarises what is on', () => {
    expect(describeAugment(DEFAULT_AUGMENT)).toBe(
      'random crop: area 0.35–1, ratio 0.75–1.33 · h-flip 50% · jitter brightness 0.8–1.2, contrast 0.8–1.2, saturation 0.8–1.2 · bilinear',
    );
    expect(describeAugment(NO_AUGMENT)).toBe('centre crop · bilinear');
    expect(
      describeAugment(
        parseAugmentConfig({ rotate: 10, vflip: 0.25, colorJitter: { hue: [-0.1, 0.2], brightness: 0 } }),
      ),
    ).toBe(
      'random crop: area 0.35–1, ratio 0.75–1.33 · h-flip 50% · v-flip 25% · rotate ±10° · jitter contrast 0.8–1.2, saturation 0.8–1.2, hue -0.1–0.2 · bilinear',
    );
  });
});

describe('renderPreviewGrid', () => {
  it('draws a PNG of the size gridSize promises, with white margins', async () => {
    const rows = [
      { title: 'cat', subtitle: 'cat_001.jpg', cells: [pattern(40, 40), pattern(40, 40, 1), pattern(40, 40, 2)] },
      { title: 'a very long class name indeed, longer than the gutter', cells: [pattern(40, 40, 3)] },
    ];
    const png = renderPreviewGrid(rows, {
      cell: 40,
      heading: 'Preview',
      subheading: 'x · y',
      columnTitles: ['eval', '#1', '#2'],
      separateFirst: true,
    });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info.format).toBe('raw');
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    const { width } = gridSize(2, 3, { cell: 40, separateFirst: true }, 240);
    // The gutter fits the longest title, up to 240 px.
    expect(info.width).toBe(width);
    expect(info.height).toBeGreaterThan(2 * 40);
    expect([data[0], data[1], data[2]]).toEqual([255, 255, 255]);
  });
});
