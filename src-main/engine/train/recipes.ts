// The regularisation recipes of a run config (docs/training.md, "Label smoothing, MixUp/CutMix,
// EMA"): their fields, defined once here and spread into RunConfig (config.ts). No TF.js: the
// renderer's run preview reads them through engine/browser.ts.
import { z } from 'zod';

const probability = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** One mixing method's Beta(α, α): α > 0 (false, the default, turns it off); a bare number is the α. */
const MixAlpha = z
  .preprocess(
    (v) => (typeof v === 'number' ? { alpha: v } : v),
    // The object first: a wrong value is then "expected object", not "must be one of false".
    z.union([z.strictObject({ alpha: z.number().gt(0, 'must be > 0 (false turns it off)') }), z.literal(false)]),
  )
  .default(false);

export const RecipeFields = {
  /** torch CrossEntropyLoss(label_smoothing=ε): 0 ≤ ε < 1; 0 is plain cross-entropy. */
  labelSmoothing: z.number().min(0, 'must be ≥ 0').lt(1, 'must be < 1').default(0),
  /** MixUp (Zhang et al. 2018), timm Mixup's mixup_alpha. */
  mixup: MixAlpha,
  /** CutMix (Yun et al. 2019), timm Mixup's cutmix_alpha. */
  cutmix: MixAlpha,
  /** Probability that a batch is mixed at all (timm's prob). */
  mixProb: probability.default(1),
  /** With both on: probability that a mixed batch uses CutMix rather than MixUp (timm's switch_prob). */
  switchProb: probability.default(0.5),
  /**
   * An exponential moving average of every weight, BatchNorm statistics included (timm
   * ModelEmaV3); warmup: its get_decay ramp 1 − (1 + step)^(−2/3), capped at decay.
   */
  ema: z
    .preprocess(
      // true: the defaults.
      (v) => (v === true ? {} : v),
      z.union([
        z.strictObject({
          decay: z.number().gt(0, 'must be > 0').lt(1, 'must be < 1').default(0.999),
          warmup: z.boolean().default(true),
        }),
        z.literal(false),
      ]),
    )
    .default(false),
};

const Recipes = z.object(RecipeFields);
export type Recipes = z.infer<typeof Recipes>;
export type MixSettings = Pick<Recipes, 'mixup' | 'cutmix' | 'mixProb' | 'switchProb'>;
export type EmaSettings = Exclude<Recipes['ema'], false>;

/** The recipes of a run config in words (the model card's "recipes" line); "none" without any. */
export function describeRecipes(config: unknown): string {
  const r = Recipes.safeParse(config ?? {});
  if (!r.success) return 'not readable from run.json';
  const v = r.data;
  const parts: string[] = [];
  if (v.labelSmoothing > 0) parts.push(`label smoothing ε ${v.labelSmoothing}`);
  if (v.mixup) parts.push(`MixUp α ${v.mixup.alpha}`);
  if (v.cutmix) parts.push(`CutMix α ${v.cutmix.alpha}`);
  if (v.mixup || v.cutmix) {
    const switching = v.mixup && v.cutmix ? `, CutMix for ${v.switchProb} of them` : '';
    parts.push(`batches mixed with probability ${v.mixProb}${switching}`);
  }
  if (v.ema) parts.push(`EMA of the weights, decay ${v.ema.decay}${v.ema.warmup ? ' (with warmup)' : ''}`);
  return parts.length ? parts.join('; ') : 'none';
}

/** The first problem with a config's recipe fields, as "field: message"; null where they are valid. */
export function recipeIssue(config: unknown): string | null {
  const r = Recipes.safeParse(config ?? {});
  if (r.success) return null;
  const issue = r.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}
