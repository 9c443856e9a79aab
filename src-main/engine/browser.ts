// The engine's browser-safe surface: what the renderer and the contract may import as values
// (pure TypeScript and zod, nothing from Node or TF.js). Everything else goes through index.ts.
export * from './schedules/index.js';
export { PALETTE } from './plot/palette.js';
export { higherIsBetter } from './runs/metric.js';
export { cutLabel, partialLabel, type EpochCutSteps } from './runs/partial.js';
export { ControlCommand } from './train/control-command.js';
export { Alpha } from './data/sources/alpha.js';
export { NearDuplicates } from './data/sources/near-duplicates.js';
export { InputError } from './errors.js';
export { smoothLosses } from './train/lr-find-math.js';
export type { Progress } from './train/store-callbacks.js';
export { resolveBatchSize } from './train/batch-size.js';
export { imageSizeAdvice } from './models/advice.js';
export { describeRecipes, recipeIssue, RecipeFields, type MixSettings } from './train/recipes.js';
export { describeTta } from './tta/describe.js';
export { TtaConfig } from './tta/config.js';
export { LabelIssuesSettings } from './label-issues/settings.js';
