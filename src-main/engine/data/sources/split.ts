// A seeded, stratified train/validation split, like scikit-learn's train_test_split(stratify=y)
// but per class: each class's files are shuffled by their own stream (seeded by the run seed and
// the class name), and round(n × valFraction) of them, at least 1 and at most n − 1, go to
// validation. So every class with 2 or more files is in both sets, a class with 1 file is training
// only, and adding a class or a file to one class never moves another class's files.
//
// Group-aware (scikit-learn's StratifiedGroupKFold has the same aim): with duplicate groups
// (duplicates.ts), each group moves as one unit, counted in the class of its first file, so no
// picture is in both sets. A class's units are shuffled the same way and go to validation while
// they fit in its quota; with no groups this is exactly the split above.
import type { Dataset, Sample, Split } from '../types.js';
import { DataError } from './errors.js';
import { mulberry32, namedSeed, shuffleInPlace } from './prng.js';

export interface SplitOptions {
  /** Share of each class held out for validation, in (0, 1). Default 0.2. */
  valFraction?: number;
  seed: number;
  /** Sample indices that must stay on one side together (duplicate groups), two or more each. */
  groups?: readonly (readonly number[])[];
}

/** How many of a class's n files go to validation. */
export function valCount(n: number, valFraction: number): number {
  if (n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * valFraction)));
}

export function stratifiedSplit(dataset: Pick<Dataset, 'classes' | 'samples'>, opts: SplitOptions): Split {
  const valFraction = opts.valFraction ?? 0.2;
  if (!(valFraction > 0 && valFraction < 1))
    throw new DataError(`valFraction must be between 0 and 1, got ${valFraction}`);
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) {
    throw new DataError(`seed must be a whole number >= 0, got ${opts.seed}`);
  }
  const n = dataset.samples.length;
  // Units: a group, or a file in no group; each counted in the class of its first file.
  const unitOf = new Int32Array(n).fill(-1);
  const units: number[][] = [];
  for (const g of opts.groups ?? []) {
    const members = [...g].sort((a, b) => a - b);
    for (const i of members) unitOf[i] = units.length;
    units.push(members);
  }
  const byClass = dataset.classes.map(() => [] as number[]);
  dataset.samples.forEach((s) => {
    if (!byClass[s.label])
      throw new DataError(`sample ${s.path} has label ${s.label}, but there are ${dataset.classes.length} classes`);
  });
  const classCount = dataset.classes.map(() => 0);
  dataset.samples.forEach((s, i) => {
    if (unitOf[i] === -1) {
      unitOf[i] = units.length;
      units.push([i]);
    }
    const u = unitOf[i]!;
    // A unit joins its class's list at its first file, so units keep the dataset's order.
    if (units[u]![0] === i) {
      byClass[s.label]!.push(u);
      classCount[s.label]! += units[u]!.length;
    }
  });
  const inVal = new Uint8Array(n);
  byClass.forEach((list, c) => {
    const order = shuffleInPlace([...list], mulberry32(namedSeed(opts.seed, dataset.classes[c]!)));
    const quota = valCount(classCount[c]!, valFraction);
    let taken = 0;
    let left = classCount[c]!;
    for (const u of order) {
      const size = units[u]!.length;
      // Fits the quota, and leaves the class something to train on.
      if (taken + size > quota || left - size <= 0) continue;
      for (const i of units[u]!) inVal[i] = 1;
      taken += size;
      left -= size;
      if (taken === quota) break;
    }
  });
  // Both lists keep the dataset's order, so a split reads (and diffs) like the folder.
  const train: Sample[] = [];
  const val: Sample[] = [];
  dataset.samples.forEach((s, i) => (inVal[i] ? val : train).push({ path: s.path, label: s.label }));
  return { train, val, method: 'stratified', seed: opts.seed, valFraction };
}
