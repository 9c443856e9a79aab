// Prediction over a whole folder (`anneal predict --model M DIR --csv out.csv`, the Predict
// screen's folder mode): every file under it, recursively, a few at a time. A file that is not an
// image, or does not decode, is listed with its reason and the rest go on: one bad file in a
// folder of thousands must not cost the other predictions.
import { stat } from 'node:fs/promises';
import { walkFiles } from '../data/sources/walk.js';
import type { RgbImage } from '../data/types.js';
import type { TtaRun } from '../tta/index.js';
import type { Classifier } from './classifier.js';
import { decodeRgb, ImageError } from './image.js';
import { classifyDecoded } from './views.js';

export interface FolderRow {
  image: string;
  top: { label: string; prob: number }[];
  /** Softmax over every class, in the model's label order. */
  probs: number[];
}

export interface FolderPredictions {
  labels: string[];
  rows: FolderRow[];
  skipped: { path: string; reason: string }[];
}

export interface FolderOptions {
  topK?: number;
  batchSize?: number;
  /** After each batch: files done (predicted or skipped) of all found. */
  onProgress?: (done: number, total: number) => void;
  /** Test-time augmentation (predict/views.ts); view seeds number the files in walk order. */
  tta?: TtaRun;
}

/** The k most probable classes, highest first (ties: the lower class index first). */
export function topClasses(probs: readonly number[], labels: readonly string[], k: number) {
  return probs
    .map((prob, j) => ({ prob, j }))
    .sort((a, b) => b.prob - a.prob || a.j - b.j)
    .slice(0, Math.min(k, labels.length))
    .map(({ prob, j }) => ({ label: labels[j]!, prob }));
}

/** Lists the files of `dir` (or takes the one file given) and predicts each that decodes. */
export async function classifyFolder(
  classifier: Classifier,
  dir: string,
  o: FolderOptions = {},
): Promise<FolderPredictions> {
  const { labels } = classifier.meta;
  const isDir = await stat(dir).then(
    (st) => st.isDirectory(),
    () => {
      throw new ImageError(dir, 'no such file or folder');
    },
  );
  const walked = isDir ? await walkFiles(dir) : { files: [dir], problems: [] };
  const skipped = walked.problems.map((p) => ({ path: p.path, reason: p.reason }));
  const rows: FolderRow[] = [];
  const batch = o.batchSize ?? 16;
  const C = labels.length;
  const total = walked.files.length;
  for (let start = 0; start < total; start += batch) {
    const good: { path: string; pixels: RgbImage; index: number }[] = [];
    for (const [k, path] of walked.files.slice(start, start + batch).entries()) {
      try {
        good.push({ path, pixels: await decodeRgb(path, classifier.meta.preprocessing.alpha), index: start + k });
      } catch (e) {
        if (!(e instanceof ImageError)) throw e;
        skipped.push({ path, reason: e.reason });
      }
    }
    if (good.length) {
      const { probs } = await classifyDecoded(
        classifier,
        good.map((g) => g.pixels),
        good.map((g) => g.index),
        o.tta,
      );
      const all = Array.from(probs);
      good.forEach((g, i) => {
        const p = all.slice(i * C, (i + 1) * C);
        rows.push({ image: g.path, top: topClasses(p, labels, o.topK ?? 5), probs: p });
      });
    }
    o.onProgress?.(Math.min(total, start + batch), total);
  }
  return { labels: [...labels], rows, skipped };
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
const field = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * One row per file: `image, error, top1, p1, …, topK, pK`, then the probability of every class
 * (`p:<class>`). A file that could not be read has its reason in `error` and nothing else.
 * Probabilities are written exactly (shortest round-trip decimal), for programs to read.
 */
export function predictionsCsv(r: FolderPredictions, k: number): string {
  const kk = Math.min(k, r.labels.length);
  const header = ['image', 'error'];
  for (let i = 1; i <= kk; i++) header.push(`top${i}`, `p${i}`);
  header.push(...r.labels.map((l) => `p:${l}`));
  const lines = [header.map(field).join(',')];
  const width = header.length;
  for (const row of r.rows) {
    const cells = [row.image, ''];
    for (let i = 0; i < kk; i++) cells.push(row.top[i]?.label ?? '', row.top[i] ? String(row.top[i]!.prob) : '');
    cells.push(...row.probs.map(String));
    lines.push(cells.map(field).join(','));
  }
  for (const s of r.skipped) {
    lines.push([s.path, s.reason, ...Array<string>(width - 2).fill('')].map(field).join(','));
  }
  return `${lines.join('\n')}\n`;
}
