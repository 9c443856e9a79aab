// torchvision's ImageFolder layout: root/<class>/…/<image>. Classes are the sub-folders that hold
// at least one image, sorted by code point and numbered in that order (find_classes); samples are
// in make_dataset's order. Unlike ImageFolder, which keeps files by extension and only fails when
// it opens one mid-epoch, every file is sniffed now, and whatever cannot be used is a Problem.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Dataset, Problem, Sample } from '../types.js';
import { DataError } from './errors.js';
import { compareCodePoints } from './order.js';
import { defaultConcurrency, mapPool } from './pool.js';
import { sniffFile } from './sniff.js';
import { entryKind, isHidden, walkFiles } from './walk.js';

export interface SourceOptions {
  /** Files read at once (default: two per core). */
  concurrency?: number;
}

/** The top level of a dataset folder: its sub-folders and anything else found there. */
export interface TopLevel {
  dirs: string[];
  /** Non-hidden entries that are not folders. */
  others: { path: string; reason?: string }[];
}

/** Checks that `root` is a readable folder and lists it. Throws DataError otherwise. */
export async function readTopLevel(root: string, what = 'dataset folder'): Promise<TopLevel> {
  let st;
  try {
    st = await stat(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(`${what} ${root}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code})`}`);
  }
  if (!st.isDirectory()) throw new DataError(`${what} ${root}: not a folder`);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    throw new DataError(`${what} ${root}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const top: TopLevel = { dirs: [], others: [] };
  for (const ent of entries) {
    if (isHidden(ent.name)) continue;
    const p = join(root, ent.name);
    const k = await entryKind(ent, p);
    if (k.kind === 'dir') top.dirs.push(ent.name);
    else top.others.push({ path: p, reason: k.kind === 'bad' ? k.reason : undefined });
  }
  top.dirs.sort(compareCodePoints);
  return top;
}

export interface ClassScan {
  classes: string[];
  samples: Sample[];
  problems: Problem[];
}

/** The class folders `names` under `root`: walked, sniffed, numbered. */
export async function scanClassFolders(
  root: string,
  names: readonly string[],
  opts: SourceOptions,
): Promise<ClassScan> {
  const problems: Problem[] = [];
  const perClass: { name: string; files: string[] }[] = [];
  for (const name of [...names].sort(compareCodePoints)) {
    const walked = await walkFiles(join(root, name));
    problems.push(...walked.problems);
    perClass.push({ name, files: walked.files });
  }
  const all = perClass.flatMap((c, ci) => c.files.map((path) => ({ path, ci })));
  const sniffed = await mapPool(all, opts.concurrency ?? defaultConcurrency(), (f) => sniffFile(f.path));
  const good = perClass.map(() => [] as string[]);
  all.forEach((f, i) => {
    const s = sniffed[i]!;
    if (s.ok) good[f.ci]!.push(f.path);
    else problems.push({ path: f.path, reason: s.reason });
  });
  const classes: string[] = [];
  const samples: Sample[] = [];
  perClass.forEach((c, ci) => {
    const files = good[ci]!;
    if (files.length === 0) {
      problems.push({ path: join(root, c.name), reason: 'class folder with no images' });
      return;
    }
    const label = classes.push(c.name) - 1;
    for (const path of files) samples.push({ path, label });
  });
  return { classes, samples, problems };
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => compareCodePoints(a.path, b.path) || compareCodePoints(a.reason, b.reason));
}

/** Reads root/<class>/… (torchvision ImageFolder). Throws DataError when root is not a readable folder. */
export async function readImageFolder(root: string, opts: SourceOptions = {}): Promise<Dataset> {
  const abs = resolve(root);
  const top = await readTopLevel(abs);
  const scan = await scanClassFolders(abs, top.dirs, opts);
  const outside = top.others.map((o) => ({ path: o.path, reason: o.reason ?? 'not inside a class folder' }));
  return {
    root: abs,
    classes: scan.classes,
    samples: scan.samples,
    problems: sortProblems([...scan.problems, ...outside]),
  };
}
