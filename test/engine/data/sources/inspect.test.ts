// inspectDataset on a folder mixing every good format with every kind of bad file: exactly the bad
// ones reported, the rest counted, sized, hashed and grouped.
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  inspectDataset,
  readDataset,
  sizeStats,
  type InspectReport,
} from '../../../../src-main/engine/data/sources/index.js';
import { mixedDataset, tempDir, write, type MixedDataset } from './fixtures.js';

let mixed: MixedDataset;
let report: InspectReport;
beforeAll(async () => {
  mixed = await mixedDataset();
  report = await inspectDataset(mixed.root);
});

const rel = (p: string) => p.slice(mixed.root.length + 1);

describe('inspectDataset on a mixed folder', () => {
  it('reports exactly the bad files and folders, with their reasons', () => {
    expect(Object.fromEntries(report.problems.map((p) => [rel(p.path), p.reason]))).toEqual(mixed.problems);
    expect(report.problems).toHaveLength(Object.keys(mixed.problems).length);
  });

  it('counts every good image per class (a PNG named .jpg is good; hidden files are not counted)', () => {
    expect(report.layout).toBe('image-folder');
    expect(report.root).toBe(mixed.root);
    expect(report.classes).toEqual(Object.entries(mixed.counts).map(([name, count]) => ({ name, count })));
    expect(report.total).toBe(Object.values(mixed.counts).reduce((a, b) => a + b, 0));
  });

  it('formats come from content', () => {
    expect(report.formats).toEqual({ jpeg: 5, png: 11, webp: 1, gif: 2, bmp: 3, tiff: 1 });
    expect(Object.values(report.formats).reduce((a, b) => a + b, 0)).toBe(report.total);
  });

  it('finds byte-identical images, across classes and names', async () => {
    const bytesOnly = await inspectDataset(mixed.root, { nearDuplicates: false });
    expect(bytesOnly.duplicates).toHaveLength(1);
    expect(bytesOnly.duplicates[0]!.paths.map(rel)).toEqual(mixed.duplicate);
    expect(bytesOnly.duplicates[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The same picture saved in several formats is a near-duplicate of them: one group holds all.
    const group = report.duplicates.find((d) => d.paths.map(rel).includes(mixed.duplicate[0]!))!;
    expect(group.paths.map(rel)).toEqual(expect.arrayContaining(mixed.duplicate));
  });

  it('size statistics are over good images, after EXIF orientation', () => {
    expect(report.imageSize!.width.max).toBe(80);
    expect(report.imageSize!.height.max).toBe(64); // exif6.jpg: stored 64×48, seen 48×64
    expect(report.imageSize!.width.min).toBe(20);
  });

  it('imbalance: largest over smallest class', () => {
    expect(report.imbalance).toEqual({ ratio: 9, largest: 'formats', smallest: 'bad' });
    expect(report.split).toBeNull();
  });

  it('gives the same report one file at a time, and reports progress for every file', async () => {
    const seen: number[] = [];
    const again = await inspectDataset(mixed.root, {
      concurrency: 1,
      onProgress: (done, total) => seen.push(done, total),
    });
    expect(again).toEqual(report);
    const files = report.total + 2; // + cut.jpg and cut.png, which sniff as images and fail to decode
    expect(seen.filter((_, i) => i % 2 === 0)).toEqual(Array.from({ length: files }, (_, i) => i + 1));
    expect(new Set(seen.filter((_, i) => i % 2 === 1))).toEqual(new Set([files]));
  });
});

describe('inspectDataset: other layouts and edge cases', () => {
  it('a pre-split dataset counts each part', async () => {
    const root = tempDir();
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    const jpg = await sharp({ create: { width: 8, height: 6, channels: 3, background: 'black' } })
      .jpeg()
      .toBuffer();
    write(join(root, 'train', 'a', '1.png'), png);
    write(join(root, 'train', 'a', '2.jpg'), jpg);
    write(join(root, 'train', 'b', '3.jpg'), jpg.subarray(0, jpg.length >> 1));
    write(join(root, 'val', 'a', '4.png'), png);
    write(join(root, 'val', 'b', '5.png'), png);
    const r = await inspectDataset(await readDataset(root));
    expect(r.layout).toBe('split-folders');
    expect(r.split).toEqual({ train: 2, val: 2 });
    expect(r.classes).toEqual([
      { name: 'a', count: 3 },
      { name: 'b', count: 1 },
    ]);
    expect(r.problems.map((p) => [p.path.slice(root.length + 1), p.reason])).toEqual([
      ['train/b/3.jpg', 'truncated JPEG'],
    ]);
    expect(r.duplicates[0]!.paths).toHaveLength(3);
  });

  it('a class whose every file fails to decode is reported, and left out of the imbalance', async () => {
    const root = tempDir();
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    write(join(root, 'good', '1.png'), png);
    write(join(root, 'bad', '1.png'), png.subarray(0, 30));
    const r = await inspectDataset(root);
    expect(r.classes).toEqual([
      { name: 'bad', count: 0 },
      { name: 'good', count: 1 },
    ]);
    expect(r.problems.map((p) => p.reason)).toEqual(['class "bad" has no image that decodes', 'truncated PNG']);
    expect(r.imbalance).toEqual({ ratio: 1, largest: 'good', smallest: 'good' });
  });

  it('an empty dataset has no sizes and no imbalance', async () => {
    const r = await inspectDataset(tempDir());
    expect(r).toMatchObject({ total: 0, classes: [], imageSize: null, imbalance: null, duplicates: [], formats: {} });
  });

  it('sizeStats: numpy mean and median', () => {
    expect(sizeStats(Uint32Array.from([4, 1, 3, 2]))).toEqual({ min: 1, max: 4, mean: 2.5, median: 2.5 });
    expect(sizeStats(Uint32Array.from([10, 1, 7]))).toEqual({ min: 1, max: 10, mean: 6, median: 7 });
  });
});
