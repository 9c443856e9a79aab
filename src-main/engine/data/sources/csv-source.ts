// A list of labelled files: `path,label` per line (CSV, or TSV), with an optional header, paths
// relative to the list's own folder. The header is recognised by its column names, in either
// order (path/file/filename/image…, label/class/category/target…); without one, the first column
// is the path and the second the label, and further columns are ignored.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { Dataset, Problem, Sample } from '../types.js';
import { chooseDelimiter, parseDelimited } from './csv.js';
import { DataError } from './errors.js';
import { sortProblems, type SourceOptions } from './image-folder.js';
import { compareCodePoints } from './order.js';
import { defaultConcurrency, mapPool } from './pool.js';
import { SNIFF_BYTES, sniffBytes, sniffFile } from './sniff.js';

const PATH_COLUMNS = new Set([
  'path',
  'file',
  'filename',
  'file_name',
  'filepath',
  'file_path',
  'image',
  'image_path',
  'img',
  'img_path',
]);
const LABEL_COLUMNS = new Set(['label', 'class', 'class_name', 'classname', 'category', 'target']);

interface Row {
  where: string;
  path: string;
  label: string;
}

/** Reads a CSV/TSV list of images. Throws DataError when the list itself cannot be read or parsed. */
export async function readCsv(path: string, opts: SourceOptions = {}): Promise<Dataset> {
  const abs = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : `cannot read (${code})`;
    throw new DataError(`image list ${path}: ${why}`);
  }
  // `anneal data inspect photo.jpg` is a natural slip: say so rather than parse pixels as CSV.
  if (sniffBytes(bytes.subarray(0, SNIFF_BYTES)).ok) {
    throw new DataError(`${path} is an image, not a dataset: give the folder of class folders, or a CSV list`);
  }
  if (bytes.includes(0)) throw new DataError(`image list ${path}: not a text file`);
  const text = bytes.toString('utf8');
  const records = parseDelimited(text, chooseDelimiter(text, extname(abs)), `image list ${path}`);
  const base = dirname(abs);
  const problems: Problem[] = [];

  let pathCol = 0;
  let labelCol = 1;
  const head = records[0]?.fields.map((f) => f.value.trim().toLowerCase()) ?? [];
  const hp = head.findIndex((h) => PATH_COLUMNS.has(h));
  const hl = head.findIndex((h) => LABEL_COLUMNS.has(h));
  const hasHeader = hp >= 0 && hl >= 0;
  if (hasHeader) {
    pathCol = hp;
    labelCol = hl;
  }

  const rows: Row[] = [];
  const firstLine = new Map<string, number>();
  for (const rec of hasHeader ? records.slice(1) : records) {
    const where = `${abs}:${rec.line}`;
    const file = rec.fields[pathCol]?.value ?? '';
    const label = rec.fields[labelCol]?.value ?? '';
    if (file === '') {
      problems.push({ path: where, reason: 'no path' });
      continue;
    }
    if (label === '') {
      problems.push({ path: where, reason: 'no label' });
      continue;
    }
    const full = resolve(base, file);
    const seen = firstLine.get(full);
    if (seen !== undefined) {
      problems.push({ path: where, reason: `listed again (first on line ${seen})` });
      continue;
    }
    firstLine.set(full, rec.line);
    rows.push({ where, path: full, label });
  }

  const sniffed = await mapPool(rows, opts.concurrency ?? defaultConcurrency(), (r) => sniffFile(r.path));
  const good: Row[] = [];
  rows.forEach((r, i) => {
    const s = sniffed[i]!;
    if (s.ok) good.push(r);
    else problems.push({ path: r.path, reason: s.reason });
  });

  const allLabels = new Set(rows.map((r) => r.label));
  const classes = [...new Set(good.map((r) => r.label))].sort(compareCodePoints);
  for (const label of [...allLabels].sort(compareCodePoints)) {
    if (!classes.includes(label)) problems.push({ path: abs, reason: `class "${label}" has no images` });
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const samples: Sample[] = good.map((r) => ({ path: r.path, label: index.get(r.label)! }));
  return { root: abs, classes, samples, problems: sortProblems(problems) };
}
