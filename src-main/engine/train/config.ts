// The run config: one JSON that says everything about a training run (docs/training.md). Flags of
// `anneal train` cover the common case and override it. Errors name the field.
import { z } from 'zod';
import { AugmentConfig } from '../data/augment/index.js';
import { BalanceConfig } from '../data/balance/index.js';
import { Alpha, DEFAULT_ALPHA } from '../data/sources/alpha.js';
import { DEFAULT_NEAR_DUPLICATES, NearDuplicates } from '../data/sources/duplicates.js';
import { OptimizerConfig } from '../optim/index.js';
import { RecipeFields } from './recipes.js';
import {
  ConfigError,
  parseConfig,
  parseScheduleFile,
  unknownFieldReason,
  type SchedulePlan,
} from '../schedules/index.js';

const positiveInt = z.number().int('must be a whole number').positive('must be > 0');

export const RunConfig = z.looseObject({
  /** Dataset: an image folder, pre-split train/val folders, or a CSV/TSV list. */
  data: z.string().optional(),
  valSplit: z.number().gt(0).lt(1).default(0.2),
  /** What transparent pixels become: "white" (default), "black", "#rrggbb", "drop" (PIL/torchvision). */
  alpha: Alpha.default(DEFAULT_ALPHA),
  /** Near-duplicates for the split: pHash bits of 64 that may differ (0–16), or false (byte-identical only). */
  nearDuplicates: NearDuplicates.default(DEFAULT_NEAR_DUPLICATES),
  /** Architecture id (trains from its bundled or random weights) or a model dir (pretrained). */
  model: z.string().optional(),
  /** false: start an architecture from random weights even where Anneal ships pretrained ones. */
  pretrained: z.boolean().default(true),
  /** Bounded: each decoded image is size² × 3 floats; 4096 px is 200 MB an image. */
  imageSize: positiveInt.max(4096, 'must be at most 4096 pixels').optional(),
  /** Images per batch; "auto": 32, or fewer (down to 8) so a small dataset still gets ~20 steps an epoch. */
  batchSize: z.union([positiveInt, z.literal('auto')]).default('auto'),
  seed: z.number().int().default(0),
  backend: z.string().optional(),
  /** CPU threads for the wasm backend (default: ANNEAL_THREADS, else the physical cores); --threads wins. */
  threads: positiveInt.optional(),
  optimizer: OptimizerConfig.default(OptimizerConfig.parse({})),
  augment: z.union([z.literal(false), AugmentConfig]).default(AugmentConfig.parse({})),
  balance: BalanceConfig.default(BalanceConfig.parse({})),
  earlyStopping: z
    .union([
      z.literal(false),
      z.strictObject({
        monitor: z.string().default('val_loss'),
        patience: positiveInt.default(5),
        minDelta: z.number().min(0).default(0),
        /** Keras restore_best_weights: end with the best checkpoint's weights, not the last epoch's. */
        restoreBest: z.boolean().default(true),
      }),
    ])
    .default(false),
  /** Stop when the loss exceeds this many times its best (or is not finite). */
  divergenceFactor: z.number().gt(1).default(4),
  /** Clip the global gradient norm (torch clip_grad_norm_); null: no clipping. */
  gradClip: z.number().positive().nullable().default(null),
  /** Micro-batches per optimizer step (effective batch = batchSize × accumulate). */
  accumulate: positiveInt.default(1),
  /** Log the update-to-weight ratio per layer group every N steps (0: never). */
  updateRatioEvery: z.number().int().min(0).default(50),
  /** Data-loading worker threads (default: cores, at most 4). */
  workers: positiveInt.optional(),
  /**
   * Frozen stages: run the frozen backbone once per image view and train the head on the stored
   * features. views: augmented views kept per image (epoch e of the stage uses view e mod views);
   * augment false: one view through the eval transform (Keras' "fast feature extraction").
   */
  featureCache: z
    .union([z.literal(false), z.strictObject({ views: positiveInt.default(1), augment: z.boolean().default(true) })])
    .default(false),
  /**
   * A sweep trial's median stopping rule (Golovin et al. 2017; docs/sweeps.md): after each epoch,
   * stop when the best `metric` so far is worse than the median of the sibling trials' running
   * averages, read from their metrics.jsonl under `runs` (the sweep's runs/ folder).
   */
  medianStopping: z
    .union([
      z.literal(false),
      z.strictObject({
        runs: z.string().min(1),
        metric: z.enum(['val_accuracy', 'val_loss']).default('val_accuracy'),
        graceEpochs: z.number().int().min(0).default(1),
        minTrials: positiveInt.default(3),
      }),
    ])
    .default(false),
  /** Keep every epoch's checkpoint (seed 000 did) or only the last N, besides the best. */
  keepCheckpoints: z.union([z.literal('all'), positiveInt]).default('all'),
  /** labelSmoothing, mixup, cutmix, mixProb, switchProb, ema (recipes.ts). */
  ...RecipeFields,
});
export type RunConfig = z.infer<typeof RunConfig>;

export interface ParsedRunConfig {
  config: RunConfig;
  plan: SchedulePlan;
}

/** Validates everything in a run config but its schedule (stages, recipe), which the caller may not need. */
export function parseRunSettings(input: unknown): RunConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('', 'the run config must be a JSON object');
  }
  const parsed = parseConfig(RunConfig, input);
  checkRunConfigFields(input);
  return parsed;
}

/** The top-level fields a run config may have: the run's own and the schedule part's. */
const RUN_CONFIG_FIELDS = [
  ...Object.keys(RunConfig.shape),
  'schedule',
  'stages',
  'recipe',
  'lrScaling',
  'name',
  'description',
];

/**
 * Refuses a top-level field no run config has, with a did-you-mean. RunConfig is loose only so
 * that the schedule part can sit beside the rest; a typo is still refused. `anneal schedule` asks
 * this alone, as it reads the schedule part of a run config and leaves the rest to `train`.
 */
export function checkRunConfigFields(input: object): void {
  const unknown = Object.keys(input).filter((k) => !RUN_CONFIG_FIELDS.includes(k));
  if (unknown.length) {
    const reason = unknownFieldReason([unknown[0]!], RUN_CONFIG_FIELDS).replace(
      /^unknown field "[^"]*"/,
      'unknown field',
    );
    throw new ConfigError(unknown[0]!, reason);
  }
}

/** Validates a whole run config; the schedule part follows schedules.md (plan.ts). */
export function parseRunConfig(input: unknown): ParsedRunConfig {
  return { config: parseRunSettings(input), plan: parseScheduleFile(input) };
}

// In a module of its own (no imports) so that the renderer's run preview can use it too.
export { resolveBatchSize } from './batch-size.js';
