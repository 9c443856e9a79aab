// Progressive resizing (fastai, "Deep Learning for Coders" ch. 7: train at small images, then at
// larger ones; the fastai recipe is one `fine_tune` per size with the DataLoaders rebuilt): each
// stage of a plan may give its own `imageSize`. Pure functions of the plan, so that the schedule
// preview, the Train screen's plan and training agree on where the size changes.
import { FineTuneRecipe } from './config.js';
import { ConfigError, parseConfig } from './errors.js';
import { fineTuneStages, type SchedulePlan } from './plan.js';

/** The size each stage trains at: its own, else `fallback` (the run's imageSize or the model's). */
export function stageSizes<T extends number | null>(plan: Pick<SchedulePlan, 'stages'>, fallback: T): (number | T)[] {
  return plan.stages.map((s) => s.imageSize ?? fallback);
}

export interface SizeChange {
  /** Index of the stage that starts at this size. */
  stage: number;
  /** First epoch (counted across stages from 0) and first optimizer step at the size. */
  epoch: number;
  step: number;
  /** null: the run's own size (a stage without imageSize, where the caller does not know it). */
  size: number | null;
}

/**
 * Where the image size changes: one entry for the first stage and one for each stage whose size
 * differs from the previous stage's; none when every stage trains at one size.
 */
export function sizeChanges(
  plan: Pick<SchedulePlan, 'stages'>,
  o: { stepsPerEpoch: number; fallback?: number | null; epochs?: number | undefined },
): SizeChange[] {
  const sizes = stageSizes(plan, o.fallback ?? null);
  if (new Set(sizes).size < 2) return [];
  const out: SizeChange[] = [];
  let epoch = 0;
  plan.stages.forEach((s, i) => {
    if (i === 0 || sizes[i] !== sizes[i - 1])
      out.push({ stage: i, epoch, step: epoch * o.stepsPerEpoch, size: sizes[i]! });
    epoch += s.epochs > 0 ? s.epochs : (o.epochs ?? 0);
  });
  return out;
}

/** "128,224" (the --stage-sizes flag, the Schedule screen's field) as whole pixel counts. */
export function parseStageSizes(text: string, field = 'stageSizes'): number[] {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) throw new ConfigError(field, 'needs one image size per stage, e.g. 128,224');
  return parts.map((p, i) => {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 1 || v > 4096) {
      throw new ConfigError(field, `size ${i + 1} ("${p}") is not a whole number of pixels between 1 and 4096`);
    }
    return v;
  });
}

/**
 * A run config with one image size per stage: `stages` get `imageSize`; a `recipe` (fastai
 * fine_tune) is written out as its stages (plan.ts fineTuneStages), each with its size, so that
 * run.json says exactly what trained. A lone `schedule` has a single stage: `imageSize` is the field.
 */
export function withStageSizes(config: Record<string, unknown>, sizes: readonly number[]): Record<string, unknown> {
  const count = (n: number) => {
    if (sizes.length !== n) {
      throw new ConfigError(
        'stageSizes',
        `gives ${sizes.length} size${sizes.length === 1 ? '' : 's'} for ${n} stage${n === 1 ? '' : 's'}: give one per stage`,
      );
    }
  };
  const { recipe, stages, schedule, ...rest } = config;
  if (Array.isArray(stages)) {
    count(stages.length);
    return { ...rest, stages: stages.map((s: unknown, i) => ({ ...(s as object), imageSize: sizes[i] })) };
  }
  if (recipe !== undefined) {
    const expanded = fineTuneStages(parseConfig(FineTuneRecipe, recipe, 'recipe'));
    count(expanded.length);
    return {
      ...rest,
      stages: expanded.map((s, i) => ({
        name: s.name,
        epochs: s.epochs,
        freeze: s.freeze,
        schedule: s.schedule,
        imageSize: sizes[i],
      })),
    };
  }
  if (schedule !== undefined) {
    throw new ConfigError('stageSizes', 'a single schedule is one stage: set imageSize, or give stages or a recipe');
  }
  throw new ConfigError('stageSizes', 'needs stages or a recipe (e.g. --epochs with --freeze-epochs) to size');
}
