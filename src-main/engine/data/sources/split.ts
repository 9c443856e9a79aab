// A seeded, stratified train/validation split, like scikit-learn's train_test_split(stratify=y)
// but per class: each class's files are shuffled by their own stream (seeded by the run seed and
// the class name), and round(n × valFraction) of them, at least 1 and at most n − 1, go to
// validation. So every class with 2 or more files is in both sets, a class with 1 file is training
// only, and adding a class or a file to one class never moves another class's files.
import type { Dataset, Sample, Split } from '../types.js';
import { DataError } from './errors.js';
import { mulberry32, namedSeed, shuffleInPlace } from './prng.js';

export interface SplitOptions {
  /** Share of each class held out for validation, in (0, 1). Default 0.2. */
  valFraction?: number;
  seed: number;
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
  const byClass = dataset.classes.map(() => [] as number[]);
  dataset.samples.forEach((s, i) => {
    const list = byClass[s.label];
    if (!list)
      throw new DataError(`sample ${s.path} has label ${s.label}, but there are ${dataset.classes.length} classes`);
    list.push(i);
  });
  const inVal = new Uint8Array(dataset.samples.length);
  byClass.forEach((indices, c) => {
    const order = shuffleInPlace([...indices], mulberry32(namedSeed(opts.seed, dataset.classes[c]!)));
    for (const i of order.slice(0, valCount(indices.length, valFraction))) inVal[i] = 1;
  });
  // Both lists keep the dataset's order, so a split reads (and diffs) like the folder.
  const train: Sample[] = [];
  const val: Sample[] = [];
  dataset.samples.forEach((s, i) => (inVal[i] ? val : train).push({ path: s.path, label: s.label }));
  return { train, val, method: 'stratified', seed: opts.seed, valFraction };
}
