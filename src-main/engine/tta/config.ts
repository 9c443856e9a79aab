// Test-time augmentation settings, defined once (zod): what `anneal eval --tta`, `anneal predict
// --tta`, `anneal export --tta`, the Evaluate and Predict toggles and the model card all take.
// Defaults are fastai's `Learner.tta` (fastai/learner.py, `tta`: n=4, beta=0.25, use_max=False).
import { z } from 'zod';
import { parseConfig } from '../schedules/index.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const TtaConfig = z.strictObject({
  /** Augmented views per image, besides the plain one (fastai's n). 0: the plain view alone. */
  n: z.number().int('must be a whole number').min(0, 'must be >= 0').max(64, 'must be <= 64').default(4),
  /**
   * Weight of the plain view: torch.lerp(mean of the augmented views, plain, beta) (fastai's
   * beta). 1: the plain prediction alone; 0: the augmented views alone.
   */
  beta: finite.refine((v) => v >= 0 && v <= 1, 'must be between 0 and 1').default(0.25),
  /** fastai's use_max: the element-wise maximum of every view's probabilities, beta unused. */
  useMax: z.boolean().default(false),
  /** Seed of the augmented views: view v of image i draws from deriveSeed(seed, v, i). */
  seed: z.number().int('must be a whole number').min(0, 'must be >= 0').default(0),
});
export type TtaConfig = z.infer<typeof TtaConfig>;
export type TtaConfigInput = z.input<typeof TtaConfig>;

/** fastai's defaults, parsed. */
export const DEFAULT_TTA: TtaConfig = TtaConfig.parse({});

/** Validates TTA settings; a refusal is a ConfigError naming the field, e.g. `tta.beta: must be between 0 and 1`. */
export function parseTtaConfig(input: unknown, prefix = 'tta'): TtaConfig {
  return parseConfig(TtaConfig, input ?? {}, prefix);
}
