// The sweep config (docs/sweeps.md): a base run config, the parameters to vary over any run-config
// path, how to draw them, and how trials are judged. zod, and every error names its field, e.g.
// `parameters.optimizer.momentum.max: must be < 1`.
import { z } from 'zod';
import { ConfigError, fromZod } from '../schedules/index.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = finite.refine((v) => v > 0, 'must be > 0');
const positiveInt = z.number().int('must be a whole number').positive('must be > 0');

/** log10(value) ~ U(log10 min, log10 max): seed 002's `10 ** uniform(-5, -1)`. */
const LogUniform = z.strictObject({ type: z.literal('logUniform'), min: positive, max: positive });
const Uniform = z.strictObject({ type: z.literal('uniform'), min: finite, max: finite });
/**
 * value = 1 - 10 ** U(log10 min, log10 max), with min and max bounds on 1 - value: seed 002's
 * momentum `1 - 10 ** uniform(-3, -1)` is {min: 1e-3, max: 1e-1}, values in [0.9, 0.999].
 */
const OneMinusLogUniform = z.strictObject({
  type: z.literal('oneMinusLogUniform'),
  min: positive.refine((v) => v < 1, 'must be < 1'),
  max: positive.refine((v) => v <= 1, 'must be <= 1'),
});
const Choice = z.strictObject({
  type: z.literal('choice'),
  values: z.array(z.unknown()).min(1, 'needs at least one value'),
});
/**
 * Explicit values, or the 1-3-10 ladder from min to max (seed 002's coarse grid in ~3x steps:
 * 1e-5, 3e-5, 1e-4, 3e-4, ...), both ends included where they are on the ladder.
 */
const Grid = z.union([
  z.strictObject({ type: z.literal('grid'), values: z.array(z.unknown()).min(1, 'needs at least one value') }),
  z.strictObject({
    type: z.literal('grid'),
    min: positive,
    max: positive,
    ladder: z.literal('1-3-10').default('1-3-10'),
  }),
]);

export const ParameterSpec = z.union([LogUniform, Uniform, OneMinusLogUniform, Choice, Grid]);
export type ParameterSpec = z.infer<typeof ParameterSpec>;
export const PARAMETER_TYPES = ['logUniform', 'uniform', 'oneMinusLogUniform', 'choice', 'grid'] as const;

export const MedianStopping = z.strictObject({
  type: z.literal('median'),
  /** Epochs every trial runs before the rule may stop it (Vizier lets trials report a few steps first). */
  graceEpochs: z.number().int().min(0).default(1),
  /** Sibling trials that must have reached an epoch before the rule judges that epoch. */
  minTrials: positiveInt.default(3),
});

export const SweepConfig = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64), starting with a letter or digit')
    .default('sweep'),
  description: z.string().optional(),
  /** The run config every trial starts from (docs/training.md); parameters overwrite paths in it. */
  base: z.record(z.string(), z.unknown()),
  method: z.enum(['random', 'grid']).default('random'),
  /** random: how many trials; grid: at most the grid's size (default all of it). */
  trials: positiveInt.optional(),
  seed: z.number().int().min(0).default(0),
  parameters: z.record(
    z.string().regex(/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)*$/, 'a dotted run-config path'),
    ParameterSpec,
  ),
  /** The validation metric trials are ranked and stopped on. */
  metric: z.enum(['val_accuracy', 'val_loss']).default('val_accuracy'),
  earlyStopping: z.union([z.literal(false), MedianStopping]).default(false),
  /** Local executor: trials at once (default one per device: 1). */
  concurrency: positiveInt.default(1),
});
export type SweepConfig = z.infer<typeof SweepConfig>;

/** "max" for accuracy, "min" for a loss. */
export const metricMode = (metric: string): 'max' | 'min' => (metric.includes('acc') ? 'max' : 'min');

/** Validates a sweep config; one ConfigError naming the field. */
export function parseSweepConfig(input: unknown): SweepConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('', 'the sweep config must be a JSON object');
  }
  const parsed = SweepConfig.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error, input);
  const config = parsed.data;
  const names = Object.keys(config.parameters);
  if (!names.length) throw new ConfigError('parameters', 'name at least one run-config path to vary');
  for (const [path, spec] of Object.entries(config.parameters)) {
    const field = `parameters.${path}`;
    if ('min' in spec && spec.max < spec.min) throw new ConfigError(`${field}.max`, `must be >= min (${spec.min})`);
    if (config.method === 'grid' && spec.type !== 'grid' && spec.type !== 'choice') {
      throw new ConfigError(`${field}.type`, `method "grid" takes only grid or choice parameters, not ${spec.type}`);
    }
  }
  return config;
}
