// `anneal explain`: Grad-CAM for image files (the eval transform, as predict sees them), and the
// files it writes: an overlay PNG and the raw heatmap (.npy) per image. A file that does not
// decode among several is listed and the rest go on; a path that does not exist, an unknown class
// or an --out that cannot be written is refused before any work, so nothing is half-written.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { walkFiles } from '../data/sources/walk.js';
import type { RgbImage } from '../data/types.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../fs/index.js';
import type { ModelMeta } from '../model-dir/index.js';
import { decodeRgb, ImageError, normalize, resizeAndCrop } from '../predict/image.js';
import { gradCam } from './gradcam.js';
import { npyBytes, overlayPng } from './overlay.js';

export interface Explanation {
  path: string;
  /** The explained class: the predicted one, or the one asked for. */
  classIndex: number;
  label: string;
  /** The model's probability of the explained class. */
  prob: number;
  predicted: string;
  /** The image as the model sees it (input size, centre-cropped). */
  view: RgbImage;
  /** inputSize × inputSize in [0, 1], row-major. */
  heatmap: Float32Array;
  /** The last stage's side, before upsampling (7 for ResNet at 224 px). */
  camSize: [number, number];
}

export interface ExplainOptions {
  /** A class name of the model to explain instead of each image's prediction. */
  className?: string;
  /**
   * Per image (aligned with the paths): the class to explain, e.g. what a test-time-augmented
   * evaluation predicted; undefined entries fall back to `className`, then the prediction.
   */
  classNames?: readonly (string | undefined)[];
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The index of a class name, or an InputError listing the model's classes. */
export function classIndexOf(meta: Pick<ModelMeta, 'labels'>, name: string): number {
  const i = meta.labels.indexOf(name);
  if (i < 0)
    throw new InputError(`"${name}" is not one of the model's classes (${meta.labels.join(', ')})`, {
      field: 'class',
      kind: 'not-found',
    });
  return i;
}

/**
 * The image files of `inputs` (a folder: every file under it, as predict lists it), refusing a
 * path that does not exist before anything is computed.
 */
export async function listImages(
  inputs: readonly string[],
): Promise<{ files: string[]; problems: { path: string; reason: string }[] }> {
  if (inputs.length === 0) throw new InputError('no image given', { field: 'image', kind: 'missing' });
  for (const p of inputs) if (!existsSync(p)) throw new ImageError(p, 'no such file');
  const files: string[] = [];
  const problems: { path: string; reason: string }[] = [];
  for (const p of inputs) {
    if (!statSync(p).isDirectory()) {
      files.push(p);
      continue;
    }
    const walked = await walkFiles(p);
    files.push(...walked.files);
    problems.push(...walked.problems.map((q) => ({ path: q.path, reason: q.reason })));
  }
  return { files, problems };
}

/**
 * Makes sure files can be written in `out`: it is a writable folder, or its nearest existing
 * parent is (then `create` makes it; a check alone leaves nothing behind).
 */
export function checkOutDir(out: string, create = false): void {
  const refuse = (why: string) => new InputError(`cannot write to ${out}: ${why}`, { field: 'out', kind: 'invalid' });
  let probe = resolve(out);
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    if (!statSync(probe).isDirectory())
      throw refuse(`${probe === resolve(out) ? 'it' : probe} is a file, not a folder`);
    accessSync(probe, constants.W_OK);
    if (create) mkdirSync(out, { recursive: true });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw refuse((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
}

/** Grad-CAM of each image that decodes; the others are listed with their reason. */
export async function explainImages(
  model: tfl.LayersModel,
  meta: Pick<ModelMeta, 'labels' | 'inputSize' | 'preprocessing'>,
  paths: readonly string[],
  o: ExplainOptions = {},
): Promise<{ explanations: Explanation[]; skipped: { path: string; reason: string }[] }> {
  const fallback = o.className === undefined ? undefined : classIndexOf(meta, o.className);
  const chosen = paths.map((_, i) => {
    const name = o.classNames?.[i];
    return name === undefined ? fallback : classIndexOf(meta, name);
  });
  const S = meta.inputSize;
  const batch = o.batchSize ?? 8;
  const explanations: Explanation[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (let start = 0; start < paths.length; start += batch) {
    const good: { path: string; view: RgbImage; chosen: number | undefined }[] = [];
    for (const [k, path] of paths.slice(start, start + batch).entries()) {
      try {
        const decoded = await decodeRgb(path, meta.preprocessing.alpha);
        const view = await resizeAndCrop(decoded, S, meta.preprocessing.interpolation);
        good.push({ path, view, chosen: chosen[start + k] });
      } catch (e) {
        if (!(e instanceof ImageError)) throw e;
        skipped.push({ path, reason: e.reason });
      }
    }
    if (good.length) {
      const x = new Float32Array(good.length * S * S * 3);
      good.forEach((g, i) => x.set(normalize(g.view, meta.preprocessing), i * S * S * 3));
      const cams = await gradCam(
        model,
        x,
        good.length,
        S,
        good.map((g) => g.chosen),
      );
      cams.forEach((c, i) =>
        explanations.push({
          path: good[i]!.path,
          classIndex: c.classIndex,
          label: meta.labels[c.classIndex]!,
          prob: c.probs[c.classIndex]!,
          predicted: meta.labels[c.predicted]!,
          view: good[i]!.view,
          heatmap: c.heatmap,
          camSize: [c.cam.height, c.cam.width],
        }),
      );
    }
    o.onProgress?.(Math.min(paths.length, start + batch), paths.length);
  }
  return { explanations, skipped };
}

/** Distinct file stems for the images (two cat.jpg from different folders: cat, cat-2). */
function stems(paths: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((p) => {
    const stem = basename(p, extname(p));
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    return n === 1 ? stem : `${stem}-${n}`;
  });
}

/** Writes `<stem>.gradcam.png` (the overlay) and `<stem>.heatmap.npy` per explanation; returns the files. */
export async function writeExplanations(explanations: readonly Explanation[], out: string): Promise<string[]> {
  checkOutDir(out, true);
  const files: string[] = [];
  const names = stems(explanations.map((e) => e.path));
  for (const [i, e] of explanations.entries()) {
    const png = join(out, `${names[i]}.gradcam.png`);
    const npy = join(out, `${names[i]}.heatmap.npy`);
    writeFileAtomic(png, await overlayPng(e.view, e.heatmap));
    writeFileAtomic(npy, npyBytes(e.heatmap, [e.view.height, e.view.width]));
    files.push(png, npy);
  }
  return files;
}
