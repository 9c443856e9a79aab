// `anneal data preview`: a grid of augmented training views, to see what the model will be shown
// before spending hours training on it (a crop that cuts the subject away, a jitter that turns
// the classes' telltale colour, a flip that makes no sense for text). One row per source image,
// labelled with its class; the first column is the eval transform, the rest augmentations of it.
import { basename, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  DEFAULT_AUGMENT,
  augment,
  deriveSeed,
  mulberry32,
  parseAugmentConfig,
  type AugmentConfig,
} from '../../engine/data/augment/index.js';
import {
  describeAugment,
  gridSize,
  pickPreviewRows,
  renderPreviewGrid,
  type GridRow,
} from '../../engine/data/augment/preview/index.js';
import {
  DataError,
  DecodeError,
  decodeImage,
  defaultConcurrency,
  mapPool,
  readDataset,
} from '../../engine/data/sources/index.js';
import type { RgbImage, Sample } from '../../engine/data/types.js';
import { ConfigError, resizeAndCrop } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { readJsonFile, writeFileAtomic } from '../io.js';
import { positiveInt, type Io } from '../options.js';

interface PreviewOptions {
  augment?: string;
  seed: number;
  rows: number;
  cols: number;
  size: number;
  presize?: number;
  out: string;
}

/** Bounds that keep the PNG within what Skia (and an image viewer) handles comfortably. */
const MAX_SIDE = 16384;
const MAX_SIZE = 1024;

export function registerDataPreview(data: Command, io: Io): void {
  data
    .command('preview')
    .description('draw a grid of augmented training images: one row per image, one column per random view')
    .argument('<dir>', 'the dataset: an ImageFolder (one folder per class), train/ + val/ folders, or a CSV list')
    .option(
      '--augment <config.json>',
      'augmentation config, or a run config with an "augment" field (default: the defaults)',
    )
    .option('--seed <n>', 'seed of the choice of images and of every augmentation', wholeNumber('--seed'), 0)
    .option('--rows <n>', 'source images, spread over the classes', positiveInt('--rows'), 6)
    .option('--cols <n>', 'augmented views of each image (after the eval view)', positiveInt('--cols'), 6)
    .option('--size <px>', 'output side of every view, as in training', positiveInt('--size'), 224)
    .option(
      '--presize <px>',
      'side of the square each image is first cut to, as in training (default: size × 8/7)',
      positiveInt('--presize'),
    )
    .requiredOption('--out <grid.png>', 'where to write the PNG')
    .action(async (dir: string, o: PreviewOptions) => {
      const config = o.augment ? readAugmentConfig(o.augment) : DEFAULT_AUGMENT;
      checkSize(o);
      const written = await preview(dir, config, o);
      io.stderr(
        `anneal: wrote ${o.out} (${written.rows} rows × ${o.cols} views, seed ${o.seed})` +
          (written.skipped ? `; skipped ${written.skipped} file(s) that cannot be decoded` : '') +
          '\n',
      );
    });
}

function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${flag} must be a whole number >= 0`);
    }
    return n;
  };
}

/** The file holds an augmentation config, or a run config whose "augment" field is one. */
function readAugmentConfig(path: string): AugmentConfig {
  const json = readJsonFile(path, 'augment config');
  const wrapped = typeof json === 'object' && json !== null && !Array.isArray(json) && 'augment' in json;
  try {
    return wrapped ? parseAugmentConfig((json as { augment: unknown }).augment, 'augment') : parseAugmentConfig(json);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`invalid augment config ${path}: ${e.message}`);
    throw e;
  }
}

function checkSize(o: PreviewOptions): void {
  if (o.size > MAX_SIZE) throw new UsageError(`--size must be at most ${MAX_SIZE} pixels`);
  if (o.presize !== undefined && o.presize < o.size)
    throw new UsageError(`--presize must be at least --size (${o.size})`);
  const { width, gridHeight } = gridSize(o.rows, o.cols + 1, { cell: o.size, separateFirst: true }, 240);
  if (width > MAX_SIDE || gridHeight > MAX_SIDE) {
    throw new UsageError(
      `the grid would be ${width}×${gridHeight} pixels (at most ${MAX_SIDE} a side): use fewer --rows or --cols, or a smaller --size`,
    );
  }
}

// The dataset is read and decoded by engine/data/sources, and each image goes through the data
// pipeline's steps (pipeline/worker.ts): presize to a square (fastai presizing: the shorter side
// to size × 8/7, centre crop), then augment. So the preview shows the pixels training gets.
async function loadSamples(dir: string): Promise<{ root: string; classes: string[]; samples: Sample[] }> {
  try {
    const loaded = await readDataset(dir);
    // Augmentation only ever touches training images.
    const samples = loaded.split ? loaded.split.train : loaded.dataset.samples;
    return { root: loaded.dataset.root, classes: loaded.dataset.classes, samples };
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(e.message);
    throw e;
  }
}

async function decode(path: string): Promise<RgbImage | null> {
  try {
    return await decodeImage(path);
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
}

async function preview(
  dir: string,
  config: AugmentConfig,
  o: PreviewOptions,
): Promise<{ rows: number; skipped: number }> {
  const { root, classes, samples } = await loadSamples(dir);
  if (samples.length === 0) {
    throw new UsageError(`no images found in ${dir} (expected one folder of images per class, or a CSV list)`);
  }
  // The data loader's default presize (pipeline/loader.ts).
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
      const image = await decode(s.path);
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
  if (drawn.length === 0) throw new UsageError(`no image in ${dir} could be decoded`);
  const png = renderPreviewGrid(drawn, {
    cell: o.size,
    heading: `Augmentation preview: ${basename(resolve(dir))} · seed ${o.seed} · ${o.size} px views of ${presize} px squares`,
    subheading: `${o.augment ? basename(o.augment) : 'default config'} · ${describeAugment(config)}`,
    columnTitles: ['eval view', ...Array.from({ length: o.cols }, (_, c) => `augmented #${c + 1}`)],
    separateFirst: true,
  });
  writeFileAtomic(o.out, png);
  return { rows: drawn.length, skipped: bad.size };
}

/** The file under its class folder (the row already names the class), or its name. */
function fileLabel(root: string, className: string, path: string): string {
  const rel = relative(root, path).split(sep);
  if (rel[0] === '..' || rel.length < 2) return basename(path);
  // root/<class>/… or root/train/<class>/…: drop the folders the row title already says.
  const at = rel.indexOf(className);
  return rel.slice(at >= 0 && at < rel.length - 1 ? at + 1 : 0).join('/');
}
