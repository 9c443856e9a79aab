// One entry point for every dataset layout: a CSV/TSV list, a pre-split root (train/ and val/,
// each an ImageFolder, as torchvision's ImageNet layout and Kaggle exports ship), or a single
// ImageFolder to be split by stratifiedSplit.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Dataset, Problem, Sample, Split } from '../types.js';
import { readCsv } from './csv-source.js';
import { DataError } from './errors.js';
import { readImageFolder, readTopLevel, scanClassFolders, sortProblems, type SourceOptions } from './image-folder.js';
import { compareCodePoints } from './order.js';

export type DatasetLayout = 'image-folder' | 'split-folders' | 'csv';

export interface LoadedDataset {
  layout: DatasetLayout;
  dataset: Dataset;
  /** The split the layout itself defines (split-folders); null when one must be made. */
  split: Split | null;
}

const TRAIN = 'train';
const VAL_NAMES = ['val', 'valid', 'validation'];
/** A test split may sit beside them; it is reported as unused, never mixed into training. */
const TEST_NAMES = ['test', 'testing'];

/** The validation folder's name when `dirs` (a root's sub-folders) are a pre-split layout. */
export function splitFolderNames(dirs: readonly string[]): { train: string; val: string; test: string[] } | null {
  if (!dirs.includes(TRAIN)) return null;
  const vals = dirs.filter((d) => VAL_NAMES.includes(d));
  if (vals.length !== 1) return null;
  const rest = dirs.filter((d) => d !== TRAIN && d !== vals[0]);
  if (!rest.every((d) => TEST_NAMES.includes(d))) return null;
  return { train: TRAIN, val: vals[0]!, test: rest };
}

/**
 * root/train/<class>/… and root/val/<class>/… (or valid/, validation/). Classes are the union of
 * both, sorted; a class only in val is kept (its score shows the model never saw it) and reported.
 */
export async function readSplitFolders(root: string, opts: SourceOptions = {}): Promise<LoadedDataset> {
  const abs = resolve(root);
  const top = await readTopLevel(abs);
  const names = splitFolderNames(top.dirs);
  if (!names) {
    throw new DataError(`dataset folder ${root}: expected train/ and val/ (or valid/, validation/) folders`);
  }
  const trainTop = await readTopLevel(join(abs, names.train), 'training folder');
  const valTop = await readTopLevel(join(abs, names.val), 'validation folder');
  const train = await scanClassFolders(join(abs, names.train), trainTop.dirs, opts);
  const val = await scanClassFolders(join(abs, names.val), valTop.dirs, opts);

  const classes = [...new Set([...train.classes, ...val.classes])].sort(compareCodePoints);
  const index = new Map(classes.map((c, i) => [c, i]));
  const relabel = (scan: typeof train): Sample[] =>
    scan.samples.map((s) => ({ path: s.path, label: index.get(scan.classes[s.label]!)! }));
  const trainSamples = relabel(train);
  const valSamples = relabel(val);

  const problems: Problem[] = [...train.problems, ...val.problems];
  for (const c of val.classes) {
    if (!train.classes.includes(c))
      problems.push({ path: join(abs, names.val, c), reason: `class not in ${names.train}/` });
  }
  for (const [dir, t] of [
    [names.train, trainTop],
    [names.val, valTop],
  ] as const) {
    for (const o of t.others)
      problems.push({ path: o.path, reason: o.reason ?? `not inside a class folder of ${dir}/` });
  }
  for (const o of top.others)
    problems.push({ path: o.path, reason: o.reason ?? `not inside ${names.train}/ or ${names.val}/` });
  for (const t of names.test) problems.push({ path: join(abs, t), reason: 'test split: not used for training' });

  return {
    layout: 'split-folders',
    dataset: { root: abs, classes, samples: [...trainSamples, ...valSamples], problems: sortProblems(problems) },
    split: { train: trainSamples, val: valSamples, method: 'folders', seed: null, valFraction: null },
  };
}

/** Reads a dataset of any layout: a file is a CSV/TSV list; a folder is pre-split or an ImageFolder. */
export async function readDataset(pathOrCsv: string, opts: SourceOptions = {}): Promise<LoadedDataset> {
  const abs = resolve(pathOrCsv);
  let isFile = false;
  try {
    isFile = (await stat(abs)).isFile();
  } catch {
    // readTopLevel reports the missing or unreadable root.
  }
  if (isFile) return { layout: 'csv', dataset: await readCsv(pathOrCsv, opts), split: null };
  const top = await readTopLevel(abs);
  if (splitFolderNames(top.dirs)) return readSplitFolders(pathOrCsv, opts);
  return { layout: 'image-folder', dataset: await readImageFolder(pathOrCsv, opts), split: null };
}
