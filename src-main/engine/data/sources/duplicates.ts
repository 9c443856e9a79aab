// Duplicate groups: byte-identical files (same SHA-256) and near-duplicates (the same picture
// resized or re-encoded: perceptual hashes within a few bits), joined transitively. Inspect lists
// them; the split keeps each group on one side, so that no picture is in both training and
// validation; a group whose files sit in different classes is a label conflict.
//
// The perceptual hash is pHash (Zauner, "Implementation and Benchmarking of Perceptual Image Hash
// Functions", 2010; as Python's imagehash.phash): the image in grey, area-averaged to 32×32, its
// 2-D DCT-II, and of the 8×8 lowest frequencies one bit each, set where the coefficient is above
// their median: 64 bits. It is computed over the pixels our decoder gives (EXIF orientation and
// the alpha option applied), so it sees what training sees. dHash (9×8 neighbour differences) was
// tried first: on flat clip-art regions its neighbours are near-equal, and resized copies differed
// by up to 14 bits. npm's perceptual-hash packages (sharp-phash, imghash, blockhash-core) each
// decode the file again themselves, which would double inspect's decoding time and ignore the
// alpha option.
//
// Threshold: two images are near-duplicates when their colours are alike (GRID_TOLERANCE) and their
// pHashes differ in at most `nearDuplicates` of 64 bits (default 6; 0 to 16; false: byte-identical files only). Measured on 40 generated
// pictures (drawn as in test/engine/data/sources/duplicates.test.ts): of 200 copies resized to
// 32–192 px or re-encoded as JPEG (quality 60, 90) or WebP, 198 were within 4 bits, 199 within 6,
// all within 8; the 780 pairs of distinct pictures differed by 20 bits or more (median 32). 8 was
// too loose for tiny pictures: the demo's 32 px shapes (a small shape on a dark noisy background)
// then chained circle-0, cross-0 and square-0 into one cross-class group; at 6 they make none.
import { createHash } from 'node:crypto';
import type { RgbImage, Sample } from '../types.js';
import type { Alpha } from './alpha.js';
import { decodeWithFormat, readRegularFile } from './decode.js';
import { DecodeError } from './errors.js';
import { compareCodePoints } from './order.js';
import { defaultConcurrency, mapPool } from './pool.js';
import { DEFAULT_NEAR_DUPLICATES, type NearDuplicates } from './near-duplicates.js';

export { DEFAULT_NEAR_DUPLICATES, MAX_NEAR_DUPLICATES, NearDuplicates } from './near-duplicates.js';

/** What the grouping needs of one image. `phash` and `grid` are null where only bytes were hashed. */
export interface Fingerprint {
  sha256: string;
  phash: bigint | null;
  /** The picture's colours, area-averaged to 8×8 RGB (192 values): the second test of alike(). */
  grid: Uint8Array | null;
}

/**
 * Largest mean absolute difference of two 8×8 colour grids (0–255) for near-duplicates. pHash sees
 * only the grey structure, and of a mostly flat picture only noise: on 20,000 generated pictures
 * (a plain background, a disc and a box; bench/duplicates.ts) pHash alone joined 1,271 groups of
 * different pictures. Resized and re-encoded copies keep their colours (a mean difference of 0–3).
 */
export const GRID_TOLERANCE = 8;

/** The colours of a picture at 8×8 (see Fingerprint.grid). */
export function colourGrid(img: RgbImage): Uint8Array {
  const out = new Uint8Array(8 * 8 * 3);
  for (let y = 0; y < 8; y++) {
    const y0 = Math.floor((y * img.height) / 8);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * img.height) / 8));
    for (let x = 0; x < 8; x++) {
      const x0 = Math.floor((x * img.width) / 8);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * img.width) / 8));
      const sum = [0, 0, 0];
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          for (let c = 0; c < 3; c++) sum[c]! += img.data[(yy * img.width + xx) * 3 + c]!;
        }
      }
      for (let c = 0; c < 3; c++) out[(y * 8 + x) * 3 + c] = Math.round(sum[c]! / ((y1 - y0) * (x1 - x0)));
    }
  }
  return out;
}

/** The fingerprint of decoded pixels, for near-duplicate grouping. */
export function pictureFingerprint(sha256: string, img: RgbImage): Fingerprint {
  return { sha256, phash: perceptualHash(img), grid: colourGrid(img) };
}

/** Set bits of a 32-bit integer (Hacker's Delight, 5-1). */
function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Near-duplicates: pHashes (as 32-bit halves) within `near` bits, and colours alike (GRID_TOLERANCE). */
function alike(a: Fingerprint, b: Fingerprint, halves: Uint32Array, i: number, j: number, near: number): boolean {
  const bits = popcount32(halves[2 * i]! ^ halves[2 * j]!) + popcount32(halves[2 * i + 1]! ^ halves[2 * j + 1]!);
  if (bits > near) return false;
  let diff = 0;
  for (let k = 0; k < a.grid!.length; k++) diff += Math.abs(a.grid![k]! - b.grid![k]!);
  return diff / a.grid!.length <= GRID_TOLERANCE;
}

/** Grey (ITU-R BT.601 luma, as PIL's convert('L')) area-averaged to w×h. */
function greyGrid(img: RgbImage, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * img.height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * img.height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * img.width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * img.width) / w));
      let sum = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * img.width + xx) * 3;
          sum += 0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!;
        }
      }
      out[y * w + x] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

const N = 32;
/** DCT-II basis, cos(π(2x + 1)u / 2N) for u < 8, x < N. */
const BASIS = Array.from({ length: 8 }, (_, u) =>
  Float64Array.from({ length: N }, (_, x) => Math.cos((Math.PI * (2 * x + 1) * u) / (2 * N))),
);

/**
 * pHash of decoded pixels (see the top of this file): grey 32×32, the 8×8 lowest frequencies of
 * its 2-D DCT-II, one bit per coefficient above their median.
 */
export function perceptualHash(img: RgbImage): bigint {
  const g = greyGrid(img, N, N);
  // Separable: rows first (N×8), then columns (8×8).
  const rows = new Float64Array(N * 8);
  for (let y = 0; y < N; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += g[y * N + x]! * BASIS[u]![x]!;
      rows[y * 8 + u] = s;
    }
  }
  const coeffs = new Float64Array(64);
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += rows[y * 8 + u]! * BASIS[v]![y]!;
      coeffs[v * 8 + u] = s;
    }
  }
  const sorted = Float64Array.from(coeffs).sort();
  const median = (sorted[31]! + sorted[32]!) / 2;
  let hash = 0n;
  for (const c of coeffs) hash = (hash << 1n) | (c > median ? 1n : 0n);
  return hash;
}

export function hammingDistance(a: bigint, b: bigint): number {
  let v = a ^ b;
  let n = 0;
  while (v) {
    v &= v - 1n;
    n++;
  }
  return n;
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** One group of two or more images, as indices into the fingerprinted list. */
export interface IndexGroup {
  /** exact: all byte-identical; near: at least one pair only perceptually alike. */
  kind: 'exact' | 'near';
  members: number[];
}

/**
 * Groups fingerprints: same SHA-256, or near-duplicates (alike()), transitively. Near pairs are
 * found by pigeonhole (Manku et al., "Detecting near-duplicates for web crawling", WWW 2007): split
 * the 64 bits into near + 1 blocks; two hashes within `near` bits agree exactly on at least one
 * block, so only hashes sharing a block value are compared.
 */
export function groupFingerprints(prints: readonly (Fingerprint | null)[], near: NearDuplicates): IndexGroup[] {
  const uf = new UnionFind(prints.length);
  const bySha = new Map<string, number>();
  prints.forEach((p, i) => {
    if (!p) return;
    const first = bySha.get(p.sha256);
    if (first === undefined) bySha.set(p.sha256, i);
    else uf.union(first, i);
  });
  if (near !== false) {
    const hashed = prints.flatMap((p, i) => (p && p.phash !== null ? [i] : []));
    // The hot loop compares numbers, not BigInts.
    const halves = new Uint32Array(prints.length * 2);
    for (const i of hashed) {
      halves[2 * i] = Number(prints[i]!.phash! >> 32n);
      halves[2 * i + 1] = Number(prints[i]!.phash! & 0xffffffffn);
    }
    const blocks = near + 1;
    const bounds = Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * 64) / blocks));
    for (let b = 0; b < blocks; b++) {
      const shift = BigInt(bounds[b]!);
      const mask = (1n << BigInt(bounds[b + 1]! - bounds[b]!)) - 1n;
      const buckets = new Map<bigint, number[]>();
      for (const i of hashed) {
        const key = (prints[i]!.phash! >> shift) & mask;
        const list = buckets.get(key);
        if (list) list.push(i);
        else buckets.set(key, [i]);
      }
      for (const list of buckets.values()) {
        for (let x = 0; x < list.length; x++) {
          for (let y = x + 1; y < list.length; y++) {
            const i = list[x]!;
            const j = list[y]!;
            if (uf.find(i) === uf.find(j)) continue;
            if (alike(prints[i]!, prints[j]!, halves, i, j, near)) uf.union(i, j);
          }
        }
      }
    }
  }
  const groups = new Map<number, number[]>();
  prints.forEach((p, i) => {
    if (!p) return;
    const root = uf.find(i);
    const list = groups.get(root);
    if (list) list.push(i);
    else groups.set(root, [i]);
  });
  return [...groups.values()]
    .filter((m) => m.length > 1)
    .map((members) => {
      const sha = prints[members[0]!]!.sha256;
      const exact = members.every((i) => prints[i]!.sha256 === sha);
      return { kind: exact ? 'exact' : 'near', members } as IndexGroup;
    });
}

/** A duplicate group for people: its files (sorted), their classes, and the shared SHA-256 if exact. */
export interface DuplicateGroup {
  kind: 'exact' | 'near';
  /** Byte-identical groups only. */
  sha256: string | null;
  paths: string[];
  /** The class of each path, in the same order. */
  classes: string[];
  /** The group's files are in two or more classes: the same picture labelled two ways. */
  conflict: boolean;
}

/** Groups as DuplicateGroups, label conflicts first, then by first path. */
export function describeGroups(
  groups: readonly IndexGroup[],
  samples: readonly Sample[],
  classNames: readonly string[],
  prints: readonly (Fingerprint | null)[],
): DuplicateGroup[] {
  return groups
    .map((g) => {
      const members = [...g.members].sort((a, b) => compareCodePoints(samples[a]!.path, samples[b]!.path));
      const classes = members.map((i) => classNames[samples[i]!.label]!);
      return {
        kind: g.kind,
        sha256: g.kind === 'exact' ? prints[members[0]!]!.sha256 : null,
        paths: members.map((i) => samples[i]!.path),
        classes,
        conflict: new Set(classes).size > 1,
      };
    })
    .sort((a, b) => Number(b.conflict) - Number(a.conflict) || compareCodePoints(a.paths[0]!, b.paths[0]!));
}

/** SHA-256 of the bytes and, unless `near` is false, pHash of the decoded pixels; null if unreadable. */
export async function fingerprintFile(
  path: string,
  o: { alpha?: Alpha; near: NearDuplicates },
): Promise<Fingerprint | null> {
  try {
    const bytes = await readRegularFile(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (o.near === false) return { sha256, phash: null, grid: null };
    const { image } = await decodeWithFormat(bytes, { alpha: o.alpha });
    return pictureFingerprint(sha256, image);
  } catch (e) {
    // Unreadable files are the loader's to report; they belong to no group.
    if (e instanceof DecodeError) return null;
    throw e;
  }
}

/** Duplicate groups of a list of samples, as index groups (for the split) and for people. */
export async function findDuplicates(
  samples: readonly Sample[],
  classNames: readonly string[],
  o: { alpha?: Alpha; near?: NearDuplicates; concurrency?: number } = {},
): Promise<{ groups: IndexGroup[]; described: DuplicateGroup[] }> {
  const near = o.near ?? DEFAULT_NEAR_DUPLICATES;
  const prints = await mapPool(samples, o.concurrency ?? defaultConcurrency(), (s) =>
    fingerprintFile(s.path, { alpha: o.alpha, near }),
  );
  const groups = groupFingerprints(prints, near);
  return { groups, described: describeGroups(groups, samples, classNames, prints) };
}
