// Duplicate groups: byte-identical copies and near-duplicates (resized, re-encoded) of generated
// pictures are found, across classes too (label conflicts, listed first); distinct pictures are
// not grouped; the split never puts two files of one group on different sides.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_NEAR_DUPLICATES,
  perceptualHash,
  decodeImage,
  findDuplicates,
  hammingDistance,
  inspectDataset,
  mulberry32,
  NearDuplicates,
  readDataset,
  stratifiedSplit,
} from '../../../../src-main/engine/data/sources/index.js';
import { tempDir } from '../../../cli/helpers.js';

/** A picture: a few random ellipses and rectangles on a random gradient, as SVG rendered by sharp. */
function picture(seed: number, size = 96): Promise<Buffer> {
  const r = mulberry32(seed);
  const c = () => `rgb(${Math.floor(r() * 255)},${Math.floor(r() * 255)},${Math.floor(r() * 255)})`;
  const shapes = Array.from({ length: 6 }, () =>
    r() < 0.5
      ? `<ellipse cx="${r() * size}" cy="${r() * size}" rx="${5 + r() * 30}" ry="${5 + r() * 30}" fill="${c()}"/>`
      : `<rect x="${r() * size}" y="${r() * size}" width="${5 + r() * 40}" height="${5 + r() * 40}" fill="${c()}"/>`,
  ).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="${c()}"/><stop offset="1" stop-color="${c()}"/></linearGradient></defs>
    <rect width="${size}" height="${size}" fill="url(#g)"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

let root: string;
const CLASSES = ['cat', 'dog', 'fox'];

beforeAll(async () => {
  root = join(tempDir('anneal-dups-'), 'data');
  for (const c of CLASSES) mkdirSync(join(root, c), { recursive: true });
  // 10 distinct pictures per class.
  for (let k = 0; k < 30; k++) {
    const c = CLASSES[k % 3]!;
    await sharp(await picture(k)).toFile(join(root, c, `p${k}.png`));
  }
  // Byte copies: one within its class, one under another class (a label conflict).
  copyFileSync(join(root, 'cat', 'p0.png'), join(root, 'cat', 'p0-copy.png'));
  copyFileSync(join(root, 'cat', 'p3.png'), join(root, 'dog', 'p3-also.png'));
  // Near-duplicates: resized and re-encoded copies, one of them in another class.
  const p1 = await picture(1);
  await sharp(p1)
    .resize(48, 48)
    .png()
    .toFile(join(root, 'dog', 'p1-small.png'));
  await sharp(p1)
    .resize(192, 192, { kernel: 'lanczos3' })
    .jpeg({ quality: 90 })
    .toFile(join(root, 'dog', 'p1-big.jpg'));
  await sharp(await picture(2))
    .jpeg({ quality: 60 })
    .toFile(join(root, 'cat', 'p2-q60.jpg'));
}, 120_000);

describe('pHash (the threshold of duplicates.ts)', () => {
  it('keeps resized and re-encoded copies within the threshold and distinct pictures 20 or more apart', async () => {
    const hash = async (b: Buffer) => perceptualHash(await decodeImage(new Uint8Array(b)));
    const near: number[] = [];
    const originals: bigint[] = [];
    for (let k = 0; k < 40; k++) {
      const p = await picture(k);
      const base = await hash(p);
      originals.push(base);
      const copies = [
        sharp(p).resize(48, 48).png(),
        sharp(p).resize(32, 32).png(),
        sharp(p).resize(192, 192, { kernel: 'lanczos3' }).jpeg({ quality: 90 }),
        sharp(p).jpeg({ quality: 60 }),
        sharp(p).resize(160, 160).webp({ quality: 70 }),
      ];
      for (const c of copies) near.push(hammingDistance(base, await hash(await c.toBuffer())));
    }
    const far: number[] = [];
    for (let a = 0; a < 40; a++)
      for (let b = a + 1; b < 40; b++) far.push(hammingDistance(originals[a]!, originals[b]!));
    expect(near.filter((d) => d <= DEFAULT_NEAR_DUPLICATES).length).toBeGreaterThanOrEqual(198);
    expect(Math.max(...near)).toBeLessThanOrEqual(8);
    expect(Math.min(...far)).toBeGreaterThanOrEqual(20);
  }, 120_000);
});

describe('inspect', () => {
  it('lists byte-identical and near-duplicate groups, label conflicts first, with every path and class', async () => {
    const r = await inspectDataset(root);
    const short = (p: string) => p.slice(root.length + 1);
    const groups = r.duplicates.map((g) => ({
      kind: g.kind,
      conflict: g.conflict,
      paths: g.paths.map(short),
      classes: g.classes,
    }));
    expect(groups).toEqual([
      { kind: 'near', conflict: true, paths: ['cat/p2-q60.jpg', 'fox/p2.png'], classes: ['cat', 'fox'] },
      { kind: 'exact', conflict: true, paths: ['cat/p3.png', 'dog/p3-also.png'], classes: ['cat', 'dog'] },
      { kind: 'exact', conflict: false, paths: ['cat/p0-copy.png', 'cat/p0.png'], classes: ['cat', 'cat'] },
      {
        kind: 'near',
        conflict: false,
        paths: ['dog/p1-big.jpg', 'dog/p1-small.png', 'dog/p1.png'],
        classes: ['dog', 'dog', 'dog'],
      },
    ]);
    expect(r.labelConflicts).toBe(2);
    expect(r.duplicates[1]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('with near-duplicates off, only byte-identical files group', async () => {
    const r = await inspectDataset(root, { nearDuplicates: false });
    expect(r.duplicates.every((g) => g.kind === 'exact')).toBe(true);
    expect(r.duplicates).toHaveLength(2);
  });

  it('refuses a threshold out of range', () => {
    expect(NearDuplicates.safeParse(17).success).toBe(false);
    expect(NearDuplicates.safeParse(-1).success).toBe(false);
    expect(NearDuplicates.safeParse(2.5).success).toBe(false);
    expect(NearDuplicates.safeParse(false).success).toBe(true);
  });
});

describe('the group-aware split', () => {
  it('puts no copy on both sides, over many seeds, and keeps every class in both', async () => {
    const { dataset } = await readDataset(root);
    const { groups } = await findDuplicates(dataset.samples, dataset.classes);
    expect(groups.length).toBeGreaterThanOrEqual(4);
    for (let seed = 0; seed < 25; seed++) {
      const split = stratifiedSplit(dataset, { seed, valFraction: 0.3, groups: groups.map((g) => g.members) });
      const val = new Set(split.val.map((s) => s.path));
      for (const g of groups) {
        const sides = new Set(g.members.map((i) => val.has(dataset.samples[i]!.path)));
        expect(sides.size).toBe(1);
      }
      expect(split.train.length + split.val.length).toBe(dataset.samples.length);
      for (let c = 0; c < dataset.classes.length; c++) {
        expect(split.val.some((s) => s.label === c)).toBe(true);
        expect(split.train.some((s) => s.label === c)).toBe(true);
      }
    }
  });

  it('without groups is the plain stratified split', async () => {
    const { dataset } = await readDataset(root);
    const plain = stratifiedSplit(dataset, { seed: 3 });
    const grouped = stratifiedSplit(dataset, { seed: 3, groups: [] });
    expect(grouped.val).toEqual(plain.val);
  });
});
