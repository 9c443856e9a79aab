// A schedule plan: the stages of a run (each a fit with its own time from 0) and the scaling
// that applies to all of them. The fastai `fine_tune` recipe expands into two stages.
import { z } from 'zod';
import { FineTuneRecipe, LrScaling, ScheduleConfig, Stage } from './config.js';
import { ConfigError, parseConfig } from './errors.js';

/**
 * What `anneal schedule --config` (and later a run config) holds: `schedule`, or `stages`, or a
 * `recipe`, with optional `lrScaling` and `batchSize`. Other keys of a whole run config pass.
 */
export const ScheduleFile = z.looseObject({
  schedule: ScheduleConfig.optional(),
  stages: z.array(Stage).min(1, 'needs at least one stage').optional(),
  recipe: FineTuneRecipe.optional(),
  lrScaling: LrScaling.optional(),
  batchSize: z.number().int().positive().optional(),
});
export type ScheduleFile = z.infer<typeof ScheduleFile>;

export interface PlanStage {
  name: string;
  epochs: number;
  freeze: 'backbone' | 'none';
  schedule: ScheduleConfig;
  /** Config path of the stage's schedule, for error messages. */
  path: string;
  /** The stage's own image size (progressive resizing), when it gives one. */
  imageSize?: number | undefined;
}

export interface SchedulePlan {
  stages: PlanStage[];
  lrScaling: LrScaling | undefined;
  batchSize: number | undefined;
}

export function parseScheduleFile(input: unknown): SchedulePlan {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('', 'the config must be a JSON object holding "schedule" (or "stages" or "recipe")');
  }
  const file = parseConfig(ScheduleFile, input);
  const given = (['schedule', 'stages', 'recipe'] as const).filter((k) => file[k] !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(
      given.length ? given.join('/') : 'schedule',
      given.length ? 'give only one of "schedule", "stages" and "recipe"' : 'is required',
    );
  }
  let stages: PlanStage[];
  if (file.schedule) {
    stages = [{ name: 'fit', epochs: 0, freeze: 'none', schedule: file.schedule, path: 'schedule' }];
  } else if (file.stages) {
    stages = file.stages.map((s, i) => ({
      name: s.name ?? `stage ${i + 1}`,
      epochs: s.epochs,
      freeze: s.freeze,
      schedule: s.schedule,
      path: `stages[${i}].schedule`,
      imageSize: s.imageSize,
    }));
  } else {
    stages = fineTuneStages(file.recipe!);
  }
  return { stages, lrScaling: file.lrScaling, batchSize: file.batchSize };
}

/** A one-cycle schedule with the contract's defaults for every field not given. */
const oneCycleWith = (fields: Record<string, unknown>): ScheduleConfig =>
  ScheduleConfig.parse({ type: 'oneCycle', ...fields });

/**
 * fastai `Learner.fine_tune` (fastai/callback/schedule.py):
 *   freeze(); fit_one_cycle(freeze_epochs, slice(base_lr), pct_start=0.99)
 *   base_lr /= 2; unfreeze(); fit_one_cycle(epochs, slice(base_lr/lr_mult, base_lr), pct_start, div)
 * Each fit_one_cycle spans its whole fit, so totalSteps is left to the stage's length.
 */
export function fineTuneStages(recipe: FineTuneRecipe): PlanStage[] {
  const stages: PlanStage[] = [];
  if (recipe.freezeEpochs > 0) {
    stages.push({
      name: 'frozen',
      epochs: recipe.freezeEpochs,
      freeze: 'backbone',
      schedule: oneCycleWith({ maxLr: { slice: [recipe.baseLr] }, pctStart: 0.99 }),
      path: 'recipe',
    });
  }
  const lr = recipe.baseLr / 2;
  stages.push({
    name: 'unfrozen',
    epochs: recipe.epochs,
    freeze: 'none',
    schedule: oneCycleWith({
      maxLr: { slice: [lr / recipe.lrMult, lr] },
      pctStart: recipe.pctStart,
      divFactor: recipe.div,
    }),
    path: 'recipe',
  });
  return stages;
}
