// Learning-rate schedules: the exact contract of shared/docs/schedules.md.
export {
  FineTuneRecipe,
  LrScaling,
  RateValue,
  SCHEDULE_TYPES,
  ScheduleConfig,
  Stage,
  type LeafScheduleConfig,
  type SequentialConfig,
  type WarmupConfig,
  type ScheduleType,
} from './config.js';
export { compileSchedule, type LrSchedule, type ScheduleContext, type ScheduleValue } from './compile.js';
export { assertDepth, ConfigError, fromZod, parseConfig } from './errors.js';
export { exceedsDepth, MAX_CONFIG_DEPTH, suggest as suggestName, unknownFieldReason } from './suggest.js';
export { oneCycle, type OneCycleParams } from './one-cycle.js';
export { plateauInitial, plateauStep, type PlateauState } from './plateau.js';
export { ScheduleFile, fineTuneStages, parseScheduleFile, type PlanStage, type SchedulePlan } from './plan.js';
export {
  compilePlan,
  previewSchedule,
  previewToCsv,
  type CompiledStage,
  type PreviewOptions,
  type SchedulePreview,
} from './preview.js';
export { evenMults, resolveRate, scalingFactor } from './rates.js';
export { parseStageSizes, sizeChanges, stageSizes, withStageSizes, type SizeChange } from './sizes.js';
