// How training copes with class imbalance: weights in the loss, and/or which samples an epoch draws.
import { z } from 'zod';
import { assertDepth, ConfigError, fromZod } from '../../schedules/index.js';

export const CLASS_WEIGHTS = ['none', 'inverse', 'effective'] as const;
export const SAMPLERS = ['shuffle', 'balanced'] as const;

/** Cui et al. 2019 use β ∈ {0.9, 0.99, 0.999, 0.9999}; 0.9999 is their usual choice for long tails. */
export const DEFAULT_BETA = 0.9999;

export const BalanceConfig = z
  .strictObject({
    /**
     * "none": every class weighs 1. "inverse": n_samples / (n_classes · count), scikit-learn's
     * class_weight="balanced". "effective": (1 - β) / (1 - β^count), normalised to sum to
     * n_classes (Cui et al. 2019).
     */
    classWeights: z.enum(CLASS_WEIGHTS).default('none'),
    /** β of "effective": 0 weighs every class alike, values near 1 approach "inverse". */
    beta: z
      .number()
      .refine(Number.isFinite, 'must be a finite number')
      .refine((v) => v >= 0 && v < 1, 'must be >= 0 and < 1')
      .optional(),
    /** "shuffle": each sample once per epoch. "balanced": N draws, each class equally likely. */
    sampler: z.enum(SAMPLERS).default('shuffle'),
  })
  .superRefine((c, ctx) => {
    if (c.beta !== undefined && c.classWeights !== 'effective') {
      ctx.addIssue({
        code: 'custom',
        path: ['beta'],
        message: `is only used with "classWeights": "effective" (got ${JSON.stringify(c.classWeights)})`,
      });
    }
  });
export type BalanceConfig = z.infer<typeof BalanceConfig>;

export const DEFAULT_BALANCE: BalanceConfig = BalanceConfig.parse({});

/** Validates a balance config; a refusal is a ConfigError naming the field, e.g. `beta: must be >= 0 and < 1`. */
export function parseBalanceConfig(input: unknown, prefix = ''): BalanceConfig {
  assertDepth(input, prefix);
  const r = BalanceConfig.safeParse(input);
  if (r.success) return r.data;
  const e = fromZod(r.error, input, prefix, BalanceConfig);
  if (e.field === prefix && /^expected /.test(e.reason)) {
    throw new ConfigError(prefix, 'expected a JSON object such as {"classWeights": "inverse", "sampler": "shuffle"}');
  }
  throw e;
}
