// The augmentation preview of a dataset, as `anneal data preview` and the Dataset screen show it.
// The dataset is read and decoded by engine/data/sources, and each image goes through the data
// pipeline's steps (pipeline/worker.ts): presize to a square (fastai presizing: the shorter side
// to size × 8/7, centre crop), then augment. So the preview shows the pixels training gets.
import { basename, relative, resolve, sep } from 'node:path';
import { resizeAndCrop } from '../../../predict/image.js';
import {
  DataError,
  DecodeError,
  decodeImage,
  defaultConcurrency,
  mapPool,
  readDataset,
  type Alpha,
} from '../../sources/index.js';
import type { RgbImage, Sample } from '../../types.js';
import { augment } from '../augment.js';
import type { AugmentConfig } from '../config.js';
import { deriveSeed, mulberry32 } from '../rng.js';
import { renderPreviewGrid, type GridRow } from './grid.js';
import { mixedRows } from './mixed.js';
import type { MixSettings } from '../../../train/recipes.js';
import { describeAugment, pickPreviewRows } from './rows.js';

export interface DatasetPreviewOptions {
  seed: number;
  rows: number;
  cols: number;
  size: number;
  /** Side of the square each image is first cut to (default: size × 8/7, the data loader's). */
  presize?: number;
  /** What the subheading calls the config (a file name); default "default config". */
  configName?: string;
  /** What transparent pixels become (data/sources/alpha.ts), as training will decode them; default white. */
  alpha?: Alpha;
  /** MixUp/CutMix as a run would mix (run config mixup, cutmix, mixProb, switchProb): extra rows show it. */
  mix?: MixSettings;
}

async function loadSamples(dir: string): Promise<{ root: string; classes: string[]; samples: Sample[] }> {
  const loaded = await readDataset(dir);
  // Augmentation only ever touches training images.
  const samples = loaded.split ? loaded.split.train : loaded.dataset.samples;
  return { root: loaded.dataset.root, classes: loaded.dataset.classes, samples };
}

async function decode(path: string, alpha: Alpha | undefined): Promise<RgbImage | null> {
  try {
    return await decodeImage(path, { alpha });
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
}

/** The grid PNG; a dataset with no usable image is a DataError. */
export async function renderDatasetPreview(
  dir: string,
  config: AugmentConfig,
  o: DatasetPreviewOptions,
): Promise<{ png: Buffer; rows: number; skipped: number }> {
  const { root, classes, samples } = await loadSamples(dir);
  if (samples.length === 0) {
    throw new DataError(`no images found in ${dir} (expected one folder of images per class, or a CSV list)`);
  }
  const presize = o.presize ?? Math.round((o.size * 8) / 7);
  const picks = pickPreviewRows(samples, classes.length, o.rows, deriveSeed(o.seed, 0x7069636b));
  // Every row's own image is reserved up front; a row whose image does not decode takes the next
  // of its class that no row has.
  const taken = new Set(picks.map((p) => p.candidates[0]!.path));
  const bad = new Set<string>();
  const rows = await mapPool(picks, Math.min(defaultConcurrency(), 8), async (pick, r) => {
    for (const [k, s] of pick.candidates.entries()) {
      if (k > 0 && (taken.has(s.path) || bad.has(s.path))) continue;
      taken.add(s.path);
      const image = await decode(s.path, o.alpha);
      if (!image) {
        bad.add(s.path);
        continue;
      }
      const square = await resizeAndCrop(image, presize, config.interpolation);
      const cells = [await resizeAndCrop(square, o.size, config.interpolation)];
      for (let c = 0; c < o.cols; c++)
        cells.push(augment(square, config, o.size, mulberry32(deriveSeed(o.seed, r, c))));
      const title = classes[pick.label] ?? String(pick.label);
      const row: GridRow = { title, subtitle: fileLabel(root, title, s.path), cells };
      return row;
    }
    return null;
  });
  const drawn = rows.filter((r): r is GridRow => r !== null);
  if (drawn.length === 0) throw new DataError(`no image in ${dir} could be decoded`);
  const mixed = o.mix ? mixedRows(drawn, o.mix, o.seed) : { rows: [], note: '' };
  const png = renderPreviewGrid([...drawn, ...mixed.rows], {
    cell: o.size,
    heading: `Augmentation preview: ${basename(resolve(dir))} · seed ${o.seed} · ${o.size} px views of ${presize} px squares`,
    subheading: `${o.configName ?? 'default config'} · ${describeAugment(config)}${mixed.note ? ` · ${mixed.note}` : ''}`,
    columnTitles: ['eval view', ...Array.from({ length: o.cols }, (_, c) => `augmented #${c + 1}`)],
    separateFirst: true,
  });
  return { png, rows: drawn.length, skipped: bad.size };
}

/** The file under its class folder (the row already names the class), or its name. */
function fileLabel(root: string, className: string, path: string): string {
  const rel = relative(root, path).split(sep);
  if (rel[0] === '..' || rel.length < 2) return basename(path);
  // root/<class>/… or root/train/<class>/…: drop the folders the row title already says.
  const at = rel.indexOf(className);
  return rel.slice(at >= 0 && at < rel.length - 1 ? at + 1 : 0).join('/');
}
