// `anneal train` and `anneal resume`: the training run, with a progress bar on a terminal.
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { relative } from 'node:path';
import {
  BUNDLED_MODEL_NOTE,
  bundledModelDir,
  isModelDir,
  partialLabel,
  readModelMeta,
  resumeRun,
  parseStageSizes,
  startRun,
  summarizeRun,
  withStageSizes,
  type Progress,
  type RunResult,
} from '../../engine/index.js';
import { testStepPacing } from '../../jobs/index.js';
import { UsageError } from '../errors.js';
import { formatDuration } from '../format/index.js';
import { printable } from '../escape.js';
import { readJsonFile } from '../io.js';
import { nonNegativeInt, positiveInt, positiveNumber, type Io } from '../options.js';
import { addRecipeOptions, mergeRecipeFlags, type RecipeFlags } from './train-recipes.js';

export interface RunFlags {
  data?: string;
  model?: string;
  config?: string;
  batchSize?: number;
  imageSize?: number;
  alpha?: string;
  nearDuplicates?: number | false | string;
  seed?: number;
  backend?: string;
}

interface TrainFlags extends RunFlags, RecipeFlags {
  epochs?: number;
  stageSizes?: string;
  featureCache?: number | true;
  featureCacheAugment?: boolean;
  freezeEpochs?: number;
  lr?: number;
  batchSize?: number;
  imageSize?: number;
  alpha?: string;
  nearDuplicates?: number | false | string;
  seed?: number;
  backend?: string;
  out: string;
  json?: boolean;
}

function suggestedLr(model: string): number | undefined {
  const dir = isModelDir(model) ? model : bundledModelDir(model);
  if (!dir) return undefined;
  try {
    return readModelMeta(dir).fineTuneLr;
  } catch {
    return undefined;
  }
}

/** --config's JSON with the flags every run command shares on top (a flag wins). */
export function mergeRunFlags(flags: RunFlags): Record<string, unknown> {
  const base = flags.config ? readJsonFile(flags.config, 'config') : {};
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    throw new UsageError(`config ${flags.config}: expected a JSON object`);
  }
  const config: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  const set = (key: string, v: unknown) => {
    if (v !== undefined) config[key] = v;
  };
  set('data', flags.data);
  set('model', flags.model);
  set('batchSize', flags.batchSize);
  set('imageSize', flags.imageSize);
  set('seed', flags.seed);
  set('backend', flags.backend);
  set('alpha', flags.alpha);
  set('nearDuplicates', flags.nearDuplicates);
  return config;
}

/** The run config of `anneal train`: the shared flags, then the schedule from --epochs. */
export function mergeTrainConfig(flags: TrainFlags): Record<string, unknown> {
  const config = mergeRunFlags(flags);
  mergeRecipeFlags(config, flags);
  if (flags.featureCache !== undefined) {
    const views = flags.featureCache === true ? 1 : flags.featureCache;
    config.featureCache = { views, augment: flags.featureCacheAugment !== false };
  } else if (flags.featureCacheAugment === false) {
    throw new UsageError('--no-feature-cache-augment goes with --feature-cache');
  }
  const hasSchedule = ['schedule', 'stages', 'recipe'].some((k) => config[k] !== undefined);
  if (flags.epochs !== undefined) {
    if (hasSchedule) throw new UsageError('--epochs conflicts with the schedule in --config: give one or the other');
    // fastai fine_tune: K frozen epochs, then N unfrozen. Without --lr, a model that says which
    // base rate it fine-tunes well at (anneal.json fineTuneLr) gets it; else fastai's 2e-3.
    const lr = flags.lr ?? suggestedLr(typeof config.model === 'string' ? config.model : 'resnet_micro');
    config.recipe = {
      type: 'fineTune',
      epochs: flags.epochs,
      freezeEpochs: flags.freezeEpochs ?? 1,
      ...(lr !== undefined ? { baseLr: lr } : {}),
    };
  } else if (!hasSchedule) {
    throw new UsageError('give --epochs (with --freeze-epochs), or a schedule, stages or recipe in --config');
  }
  // Progressive resizing: one size per stage (the recipe's frozen and unfrozen stages, or --config's).
  return flags.stageSizes === undefined ? config : withStageSizes(config, parseStageSizes(flags.stageSizes));
}

/** The stage's name for the progress bar, with the image size it trains at. */
const stageLabel = (p: Progress): string => `${printable(p.stageName)}${p.imageSize ? ` ${p.imageSize} px` : ''}`;

function reporter(io: Io, json: boolean, tty: boolean) {
  let bar: SingleBar | null = null;
  let epoch = -1;
  const line = (p: Progress) => {
    const e = p.epochLogs!;
    const val = e.val_loss !== undefined ? ` val_loss ${round(e.val_loss)} val_acc ${round(e.val_accuracy)}` : '';
    // Runs with ema: the averaged weights' validation too (docs/recipes.md).
    const ema =
      e.ema_val_loss !== undefined
        ? ` ema_val_loss ${round(e.ema_val_loss)} ema_val_acc ${round(e.ema_val_accuracy)}`
        : '';
    const cut = p.partial ? ' (cut short by the stop: not a full epoch)' : '';
    const size = p.imageSize ? `, ${p.imageSize} px` : '';
    return `epoch ${p.epoch + 1}/${p.epochs} (${p.stageName}${size}) loss ${round(e.loss)} acc ${round(e.accuracy)}${val}${ema} ${formatDuration(e.seconds)}${cut}`;
  };
  return (p: Progress) => {
    if (json) {
      if (p.kind === 'epoch') io.stdout(`${JSON.stringify({ epoch: p.epoch, stage: p.stageName, ...p.epochLogs })}\n`);
      return;
    }
    if (!tty) {
      if (p.kind === 'epoch') io.stdout(`${line(p)}\n`);
      return;
    }
    if (p.epoch !== epoch) {
      bar?.stop();
      epoch = p.epoch;
      bar = new SingleBar({
        format: `epoch ${p.epoch + 1}/${p.epochs} {stage} [{bar}] {value}/{total} | loss {loss} | {ips} img/s | ETA {eta}s`,
        stream: process.stderr,
        hideCursor: true,
      });
      bar.start(p.stepsPerEpoch, 0, { stage: stageLabel(p), loss: '-', ips: '-' });
    }
    if (p.kind === 'step') {
      bar?.update(Math.min(p.epochStep, p.stepsPerEpoch), {
        loss: p.loss.toFixed(4),
        ips: p.imagesPerSecond.toFixed(1),
        stage: stageLabel(p),
      });
    } else {
      bar?.update(p.stepsPerEpoch);
      bar?.stop();
      bar = null;
      io.stderr(`${line(p)}\n`);
    }
  };
}

const round = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : String(Number(v.toFixed(digits)));

/** The shell-safe form of a path for a command line to copy (quoted only when it needs it). */
const arg = (p: string): string => (/^[\w./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

/**
 * The run's headline for people (rounded: final and best validation numbers with their epochs,
 * wall time) and the commands that come next, for this run. `--json` has the exact numbers.
 */
export function runHeadline(r: RunResult, wallSeconds: number): string {
  const s = summarizeRun(r.runDir);
  const dir = relative(process.cwd(), r.runDir) || '.';
  const run = arg(dir.startsWith('..') ? r.runDir : dir);
  const fin = s.final;
  const best = s.best;
  // Numbers from an epoch a stop cut short cover part of its data: said on the same line.
  const cut = partialLabel(fin);
  const lines = [
    `run ${run}: ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}${cut ? ' (the last one partial)' : ''} on ${r.backend.name} in ${formatDuration(wallSeconds)}`,
    `  training steps: ${r.trainEngine}`,
    cut
      ? `  final (${cut}): val_accuracy ${round(fin?.val_accuracy)}  val_loss ${round(fin?.val_loss)}`
      : `  final (epoch ${fin ? fin.epoch + 1 : '-'}): val_accuracy ${round(fin?.val_accuracy)}  val_loss ${round(fin?.val_loss)}`,
    `  best  (epoch ${best ? best.epoch + 1 : '-'}): val_accuracy ${round(best?.val_accuracy)}  val_loss ${round(best?.val_loss)}`,
    'next:',
    // A person's stop leaves the run resumable: resuming finishes the cut epoch, then the rest.
    ...(r.stopKind === 'requested' ? [`  anneal resume ${run}`] : []),
    `  anneal eval ${run}`,
    `  anneal export ${run} --format onnx --out ${arg(`exports/${s.id}`)}`,
    `  anneal predict --model ${run}/model <images or folder> --csv predictions.csv`,
  ];
  return `${lines.join('\n')}\n`;
}

function finish(io: Io, r: RunResult, json: boolean, wallSeconds: number): void {
  const summary = {
    runDir: r.runDir,
    final: {
      val_accuracy: r.final.val_accuracy,
      val_loss: r.final.val_loss,
      // A stop cut the last epoch short: how far it got (the numbers cover that part of its data).
      ...(r.final.partial ? { partial: r.final.partial } : {}),
    },
    best: r.best,
    seconds: wallSeconds,
  };
  if (r.skipped.length) {
    io.stderr(`anneal: skipped ${r.skipped.length} file${r.skipped.length === 1 ? '' : 's'} that could not be used:\n`);
    for (const s of r.skipped) io.stderr(`  ${s.path}: ${s.reason}\n`);
  }
  if (r.stopped) io.stderr(`anneal: stopped: ${r.stopped}\n`);
  if (json) {
    io.stdout(`${JSON.stringify(summary)}\n`);
  } else {
    io.stdout(runHeadline(r, wallSeconds));
  }
}

/** Ctrl+C stops after the current batch (the run is checkpointed); a second one quits at once. */
function interruptible(): { attach(stop: (reason: string) => void): void; detach(): void } {
  let stop: ((reason: string) => void) | null = null;
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) process.exit(130);
    stop?.('interrupted (Ctrl+C)');
  };
  process.on('SIGINT', handler);
  return {
    attach: (s) => (stop = s),
    detach: () => process.off('SIGINT', handler),
  };
}

/** The flags every command that runs a model on a dataset takes (train, lr-find). */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'image folder (one subfolder per class), train/ + val/ folders, or a CSV list')
    .option('--model <id|dir>', 'architecture id (resnet_micro, resnet50, …) or a model dir from anneal import')
    .option('--config <file>', 'run config JSON (docs/training.md); flags override it')
    .option('--batch-size <n>', 'images per batch (default: auto)', positiveInt('--batch-size'))
    .option('--image-size <n>', 'input size in pixels', positiveInt('--image-size'))
    .option('--seed <n>', 'seed of the split, shuffling and augmentation', nonNegativeInt('--seed'))
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu (default: the fastest that can do the work)')
    .option('--alpha <mode>', 'transparent pixels: white (default), black, #rrggbb, or drop (as PIL/torchvision)')
    .option(
      '--near-duplicates <bits|off>',
      'split: images whose pHashes differ in at most this many of 64 bits stay together (default 6; off: identical files only)',
      nearDuplicatesFlag,
    );
}

/** --near-duplicates: a number of bits, or off; range checked by the run config (field nearDuplicates). */
export function nearDuplicatesFlag(v: string): number | false | string {
  if (v === 'off' || v === 'false') return false;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

export function registerTrain(program: Command, io: Io): void {
  addRecipeOptions(
    addRunOptions(
      program
        .command('train')
        .description(
          'fine-tune a model on an image folder (fastai fine_tune with --epochs/--freeze-epochs, or a run config)',
        ),
    ),
  )
    .option('--epochs <n>', 'epochs with every layer training (after the frozen ones)', positiveInt('--epochs'))
    .option('--freeze-epochs <k>', 'epochs training only the head first (default 1)', nonNegativeInt('--freeze-epochs'))
    .option('--lr <rate>', 'base learning rate of the fine_tune recipe (default 2e-3)', positiveNumber('--lr'))
    .option(
      '--stage-sizes <px,px>',
      'progressive resizing: the image size of each stage, e.g. 128,224 (frozen, then unfrozen); the model is saved at the last',
    )
    .option(
      '--feature-cache [views]',
      'frozen epochs train the head on cached backbone features, keeping [views] augmented views per image (default 1)',
      positiveInt('--feature-cache'),
    )
    .option(
      '--no-feature-cache-augment',
      'cache features of un-augmented images (one view; Keras fast feature extraction)',
    )
    .option('--out <dir>', 'folder that holds the runs', 'runs')
    .option('--json', 'print JSON; the last line is {"runDir", "final": {"val_accuracy", "val_loss"}}')
    .action(async (flags: TrainFlags) => {
      const config = mergeTrainConfig(flags);
      const sig = interruptible();
      const t0 = performance.now();
      try {
        const r = await startRun(config, {
          out: flags.out,
          callbacks: testStepPacing(),
          onProgress: reporter(io, Boolean(flags.json), Boolean(process.stderr.isTTY)),
          onTrainer: (t) => sig.attach((reason) => t.requestStop(reason)),
          onNotice: (message) => io.stderr(`anneal: warning: ${message}\n`),
        });
        finish(io, r, Boolean(flags.json), (performance.now() - t0) / 1000);
        if (r.duplicates.groups) {
          io.stderr(
            `anneal: the split kept ${r.duplicates.groups} duplicate group${r.duplicates.groups === 1 ? '' : 's'} ` +
              `(${r.duplicates.images} files) each on one side (split.json duplicateGroups)\n`,
          );
        }
        const model = typeof config.model === 'string' ? config.model : 'resnet_micro';
        if (model === 'resnet_micro' && config.pretrained !== false) io.stderr(`anneal: note: ${BUNDLED_MODEL_NOTE}\n`);
      } finally {
        sig.detach();
      }
    });

  program
    .command('resume')
    .description('continue a killed or stopped run from its last checkpoint; every epoch is recorded once')
    .argument('<runDir>', 'the run folder (runs/<id>)')
    .option('--json', 'print JSON; the last line is {"runDir", "final": {...}}')
    .action(async (runDir: string, flags: { json?: boolean }) => {
      const sig = interruptible();
      const t0 = performance.now();
      try {
        const r = await resumeRun(runDir, {
          callbacks: testStepPacing(),
          onProgress: reporter(io, Boolean(flags.json), Boolean(process.stderr.isTTY)),
          onTrainer: (t) => sig.attach((reason) => t.requestStop(reason)),
        });
        finish(io, r, Boolean(flags.json), (performance.now() - t0) / 1000);
      } finally {
        sig.detach();
      }
    });
}
