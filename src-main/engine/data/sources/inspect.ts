// `anneal data inspect`: decode every file once, with the decoder training uses, and summarise.
// Streaming: at most `concurrency` files are in memory at a time, and per good image only its
// size, format, SHA-256 and pHash are kept, so 100k images cost a few MB.
import { createHash } from 'node:crypto';
import type { Problem } from '../types.js';
import { z } from 'zod';
import { fromZod } from '../../schedules/errors.js';
import { Alpha, DEFAULT_ALPHA, isNearlyUniform } from './alpha.js';
import {
  DEFAULT_NEAR_DUPLICATES,
  pictureFingerprint,
  describeGroups,
  groupFingerprints,
  type DuplicateGroup,
  type Fingerprint,
  NearDuplicates,
} from './duplicates.js';
import { readDataset, type DatasetLayout, type LoadedDataset } from './dataset.js';
import { decodeWithFormat, readRegularFile } from './decode.js';
import { DecodeError } from './errors.js';
import { sortProblems, type SourceOptions } from './image-folder.js';
import { compareCodePoints } from './order.js';
import { defaultConcurrency, mapPool } from './pool.js';
import { IMAGE_FORMATS, type ImageFormat } from './sniff.js';

export interface SizeStats {
  min: number;
  max: number;
  mean: number;
  median: number;
}

export interface InspectReport {
  layout: DatasetLayout;
  /** The folder or list file, absolute. */
  root: string;
  /** Good images per class, in class-index order. */
  classes: { name: string; count: number }[];
  /** Good images. */
  total: number;
  /** Every file or folder that cannot be used, with why, sorted by path. */
  problems: Problem[];
  /** Sizes as the model sees them (after EXIF orientation); null with no good image. */
  imageSize: { width: SizeStats; height: SizeStats } | null;
  /**
   * Duplicate groups of good images: byte-identical (same SHA-256) or, unless nearDuplicates is
   * false, near-duplicates (pHash within nearDuplicates bits); label conflicts (a group in two or
   * more classes) first, each with every path and its class.
   */
  duplicates: DuplicateGroup[];
  /** The pHash threshold used (bits of 64), or false: byte-identical only. */
  nearDuplicates: NearDuplicates;
  /** Groups whose files sit in different classes. */
  labelConflicts: number;
  /**
   * Images with any pixel not fully opaque; how many of them are nearly uniform (no content left)
   * after the alpha option; and up to 20 of those, so a person can look.
   */
  transparency: { alpha: Alpha; images: number; nearlyUniform: number; uniformExamples: string[] };
  /** Largest over smallest class count (classes with no good image left out); null with none. */
  imbalance: { ratio: number; largest: string; smallest: string } | null;
  /** Good images by format, detected from content. */
  formats: Partial<Record<ImageFormat, number>>;
  /** Good images in each part of a pre-split layout; null otherwise. */
  split: { train: number; val: number } | null;
}

export interface InspectOptions extends SourceOptions {
  /** What transparent pixels become (alpha.ts); default white. */
  alpha?: Alpha;
  /** pHash bits of 64 for near-duplicates (default 6), or false for byte-identical only. */
  nearDuplicates?: NearDuplicates;
  /** Called after each file is decoded (or fails). */
  onProgress?: (done: number, total: number) => void;
}

type Outcome =
  | {
      ok: true;
      width: number;
      height: number;
      format: ImageFormat;
      print: Fingerprint;
      transparent: boolean;
      uniform: boolean;
    }
  | { ok: false; reason: string };

async function check(path: string, alpha: Alpha, near: NearDuplicates): Promise<Outcome> {
  try {
    const bytes = await readRegularFile(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { image, format, transparent, stored } = await decodeWithFormat(bytes, { alpha });
    // The stored size: a huge image is decoded shrunk, but the report is about the file.
    return {
      ok: true,
      width: stored.width,
      height: stored.height,
      format,
      print: near === false ? { sha256, phash: null, grid: null } : pictureFingerprint(sha256, image),
      transparent: transparent > 0,
      uniform: transparent > 0 && isNearlyUniform(image.data),
    };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, reason: e.reason };
    return { ok: false, reason: `cannot decode (${e instanceof Error ? e.message : String(e)})` };
  }
}

const InspectSettings = z.strictObject({
  alpha: Alpha.optional(),
  nearDuplicates: NearDuplicates.optional(),
});

/** The inspect options a person gives (alpha, nearDuplicates), checked: a ConfigError names the field. */
export function parseInspectOptions(input: {
  alpha?: unknown;
  nearDuplicates?: unknown;
}): z.infer<typeof InspectSettings> {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = InspectSettings.safeParse(given);
  if (!parsed.success) throw fromZod(parsed.error, given);
  return parsed.data;
}

/** numpy's mean and median (the middle pair averaged), min and max. */
export function sizeStats(values: Uint32Array): SizeStats {
  const sorted = values.slice().sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mid = n >> 1;
  const median = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, max: sorted[n - 1]!, mean: Math.round((sum / n) * 100) / 100, median };
}

/** Reads a dataset (any layout, or one already read) and decodes every file. */
export async function inspectDataset(
  source: string | LoadedDataset,
  opts: InspectOptions = {},
): Promise<InspectReport> {
  const loaded = typeof source === 'string' ? await readDataset(source, opts) : source;
  const { dataset } = loaded;
  const n = dataset.samples.length;
  const widths = new Uint32Array(n);
  const heights = new Uint32Array(n);
  const counts = dataset.classes.map(() => 0);
  const formats = new Map<ImageFormat, number>();
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const near = opts.nearDuplicates ?? DEFAULT_NEAR_DUPLICATES;
  const prints: (Fingerprint | null)[] = new Array<Fingerprint | null>(n).fill(null);
  let transparentImages = 0;
  const uniform: string[] = [];
  const problems: Problem[] = [...dataset.problems];
  const good = new Set<string>();
  let done = 0;
  let total = 0;

  await mapPool(dataset.samples, opts.concurrency ?? defaultConcurrency(), async (s, index) => {
    const r = await check(s.path, alpha, near);
    if (r.ok) {
      good.add(s.path);
      widths[total] = r.width;
      heights[total] = r.height;
      total++;
      counts[s.label]!++;
      formats.set(r.format, (formats.get(r.format) ?? 0) + 1);
      prints[index] = r.print;
      if (r.transparent) transparentImages++;
      if (r.uniform) uniform.push(s.path);
    } else {
      problems.push({ path: s.path, reason: r.reason });
    }
    opts.onProgress?.(++done, n);
  });

  const classes = dataset.classes.map((name, i) => ({ name, count: counts[i]! }));
  for (const c of classes) {
    if (c.count === 0) problems.push({ path: dataset.root, reason: `class "${c.name}" has no image that decodes` });
  }
  const present = classes.filter((c) => c.count > 0);
  let imbalance: InspectReport['imbalance'] = null;
  if (present.length > 0) {
    // First of equals wins, so ties name the class that sorts first.
    const largest = present.reduce((a, b) => (b.count > a.count ? b : a));
    const smallest = present.reduce((a, b) => (b.count < a.count ? b : a));
    imbalance = {
      ratio: Math.round((largest.count / smallest.count) * 100) / 100,
      largest: largest.name,
      smallest: smallest.name,
    };
  }
  const duplicates = describeGroups(groupFingerprints(prints, near), dataset.samples, dataset.classes, prints);
  const split = loaded.split && {
    train: loaded.split.train.filter((s) => good.has(s.path)).length,
    val: loaded.split.val.filter((s) => good.has(s.path)).length,
  };
  return {
    layout: loaded.layout,
    root: dataset.root,
    classes,
    total,
    problems: sortProblems(problems),
    imageSize: total
      ? { width: sizeStats(widths.subarray(0, total)), height: sizeStats(heights.subarray(0, total)) }
      : null,
    duplicates,
    nearDuplicates: near,
    labelConflicts: duplicates.filter((g) => g.conflict).length,
    transparency: {
      alpha,
      images: transparentImages,
      nearlyUniform: uniform.length,
      uniformExamples: uniform.sort(compareCodePoints).slice(0, 20),
    },
    imbalance,
    formats: Object.fromEntries(IMAGE_FORMATS.filter((f) => formats.has(f)).map((f) => [f, formats.get(f)!])),
    split,
  };
}
