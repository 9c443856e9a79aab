// `anneal data preview`: a grid of augmented training views, to see what the model will be shown
// before spending hours training on it (a crop that cuts the subject away, a jitter that turns
// the classes' telltale colour, a flip that makes no sense for text). One row per source image,
// labelled with its class; the first column is the eval transform, the rest augmentations of it.
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  Alpha,
  type AugmentConfig,
  ConfigError,
  DataError,
  DEFAULT_ALPHA,
  DEFAULT_AUGMENT,
  gridSize,
  parseAugmentConfig,
  renderDatasetPreview,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { readJsonFile, writeFileAtomic } from '../io.js';
import { positiveInt, type Io } from '../options.js';
import { addMixOptions, mixPreviewSettings } from './train-recipes.js';

interface PreviewOptions {
  augment?: string;
  seed: number;
  rows: number;
  cols: number;
  size: number;
  presize?: number;
  alpha?: string;
  out: string;
  mixup?: number;
  cutmix?: number;
  mixProb?: number;
  switchProb?: number;
}

/** Bounds that keep the PNG within what Skia (and an image viewer) handles comfortably. */
const MAX_SIDE = 16384;
const MAX_SIZE = 1024;

export function registerDataPreview(data: Command, io: Io): void {
  addMixOptions(data.command('preview'))
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
    .option('--alpha <mode>', 'transparent pixels: white (default), black, #rrggbb, or drop (as PIL/torchvision)')
    .requiredOption('--out <grid.png>', 'where to write the PNG')
    .action(async (dir: string, o: PreviewOptions) => {
      const config = o.augment ? readAugmentConfig(o.augment) : DEFAULT_AUGMENT;
      const alpha = Alpha.safeParse(o.alpha ?? DEFAULT_ALPHA);
      if (!alpha.success) throw new UsageError(`alpha: ${alpha.error.issues[0]!.message}`);
      o.alpha = alpha.data;
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
  // MixUp/CutMix add as many rows again.
  const rows = o.rows * (o.mixup !== undefined || o.cutmix !== undefined ? 2 : 1);
  const { width, gridHeight } = gridSize(rows, o.cols + 1, { cell: o.size, separateFirst: true }, 240);
  if (width > MAX_SIDE || gridHeight > MAX_SIDE) {
    throw new UsageError(
      `the grid would be ${width}×${gridHeight} pixels (at most ${MAX_SIDE} a side): use fewer --rows or --cols, or a smaller --size`,
    );
  }
}

async function preview(
  dir: string,
  config: AugmentConfig,
  o: PreviewOptions,
): Promise<{ rows: number; skipped: number }> {
  try {
    const r = await renderDatasetPreview(dir, config, {
      seed: o.seed,
      rows: o.rows,
      cols: o.cols,
      size: o.size,
      presize: o.presize,
      configName: o.augment ? basename(o.augment) : undefined,
      alpha: o.alpha,
      mix: mixPreviewSettings(o),
    });
    writeFileAtomic(o.out, r.png);
    return { rows: r.rows, skipped: r.skipped };
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(e.message);
    throw e;
  }
}
