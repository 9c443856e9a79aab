// Renderer state: `.svelte.ts` classes with private $state and getters, each with its own test.
export { AugmentForm } from './augment-form.svelte.js';
export { AppState, SCREENS, type ScreenId } from './app.svelte.js';
export { DatasetState, IMBALANCE_WARNING } from './dataset.svelte.js';
export { LabelIssuesState, type IssueRow, type OnMoved } from './label-issues.svelte.js';
export { clipDivergentTail, FLAT_DROP, LrFindState, SUGGESTION_HELP, type Suggestion } from './lr-find.svelte.js';
export {
  augmentOf,
  DEFAULT_COLUMNS,
  imageSizeOf,
  FINAL_COLUMNS,
  rateOf,
  recipeOf,
  RUN_COLUMNS,
  runPartial,
  RunsTable,
  type CompareMetric,
  type RunColumn,
} from './runs.svelte.js';
export { DEFAULT_SCHEDULE, ScheduleEditor, type ScheduleEditorInit } from './schedule-editor.svelte.js';
export { BatchScaling, ScheduleForm, type ScheduleMode } from './schedule-form.svelte.js';
export { normalise, SweepsState, type Axis, type ParallelLine } from './sweeps.svelte.js';
export { Task } from './task.svelte.js';
export { TrainSession } from './train.svelte.js';
export { ProgressMeter } from './progress.svelte.js';
export { WorkspaceSync } from './workspace.svelte.js';
export { configDiff, RunDetailState, type ConfigChange } from './run-detail.svelte.js';
export { EvalState, type CellImage } from './evaluate.svelte.js';
export { PredictState, type FolderSort } from './predict.svelte.js';
export { STAGE_HELP, sizesInWords, stageHelp, stagesOf, stepsPlan, trainImages, type StagePlan } from './run-plan.js';
export { RecipeForm } from './recipe-form.svelte.js';
