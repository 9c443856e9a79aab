// The run config: one JSON that says everything about a training run (docs/training.md). Flags of
// `anneal train` cover the common case and override it. Errors name the field.
import { z } from 'zod';
import { AugmentConfig } from '../data/augment/index.js';
import { BalanceConfig } from '../data/balance/index.js';
import { OptimizerConfig } from '../optim/index.js';
import { ConfigError, fromZod, parseScheduleFile, type SchedulePlan } from '../schedules/index.js';

const positiveInt = z.number().int('must be a whole number').positive('must be > 0');

export const RunConfig = z.looseObject({
  /** Dataset: an image folder, pre-split train/val folders, or a CSV/TSV list. */
  data: z.string().optional(),
  valSplit: z.number().gt(0).lt(1).default(0.2),
  /** Architecture id (trains from its bundled or random weights) or a model dir (pretrained). */
  model: z.string().optional(),
  /** false: start an architecture from random weights even where Anneal ships pretrained ones. */
  pretrained: z.boolean().default(true),
  imageSize: positiveInt.optional(),
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
  /** Keep every epoch's checkpoint (seed 000 did) or only the last N, besides the best. */
  keepCheckpoints: z.union([z.literal('all'), positiveInt]).default('all'),
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
  const parsed = RunConfig.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error, input);
  // Loose only so that the schedule part can sit beside the rest; a typo is still refused.
  const known = new Set([
    ...Object.keys(RunConfig.shape),
    'schedule',
    'stages',
    'recipe',
    'lrScaling',
    'name',
    'description',
  ]);
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length) throw new ConfigError(unknown[0]!, `unknown field (known: ${[...known].join(', ')})`);
  return parsed.data;
}

/** Validates a whole run config; the schedule part follows schedules.md (plan.ts). */
export function parseRunConfig(input: unknown): ParsedRunConfig {
  return { config: parseRunSettings(input), plan: parseScheduleFile(input) };
}

/** "auto": a power of two from 8 to 32 giving about 20 optimizer steps per epoch. */
export function resolveBatchSize(batchSize: number | 'auto', trainImages: number): number {
  if (batchSize !== 'auto') return batchSize;
  const target = Math.max(8, Math.min(32, Math.floor(trainImages / 20)));
  return 2 ** Math.floor(Math.log2(target));
}
