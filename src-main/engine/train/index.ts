// Training: the loop, its callbacks, the run config.
export {
  Callback,
  CallbackList,
  type BatchLogs,
  type EpochLogs,
  type StopKind,
  type StopReason,
  type TrainerHandle,
  type TrainState,
} from './callbacks.js';
export {
  checkRunConfigFields,
  RunConfig,
  parseRunConfig,
  parseRunSettings,
  resolveBatchSize,
  type ParsedRunConfig,
} from './config.js';
export { correct, crossEntropy, softCrossEntropy, softTargets, type SoftTargets } from './loss.js';
export {
  describeRecipes,
  recipeIssue,
  RecipeFields,
  type EmaSettings,
  type MixSettings,
  type Recipes,
} from './recipes.js';
export { beta, cutmixBox, cutmixBoxAt, drawMix, mixOn, mixPixels, mixRng, type MixDraw } from './mix.js';
export { EMA_MODEL_DIR, EMA_PREFIX, emaDecay, setEmaWeights, WeightEma } from './ema.js';
export { BatchRecipe, mixImages, mixRecord, type MixRecord } from './batch-recipe.js';
export { LearningRateScheduler } from './schedule-callback.js';
export { DivergenceGuard, EarlyStopping, type EarlyStoppingOptions } from './stopping.js';
export {
  Trainer,
  clipByGlobalNorm,
  type FeatureCacheOptions,
  type FitResult,
  type ResumePoint,
  type TrainerOptions,
} from './trainer.js';
export { FeatureCache, backboneOf, headOf } from './feature-cache.js';
export { getModelWeights, setModelWeights, type WeightsBlob } from './weights.js';
export { loadModel } from './model-source.js';
export { resumeRun, startRun, type RunOptions, type RunResult } from './run.js';
export { shouldRestoreBest } from './execute.js';
export { runLrFind, type LrFindRunOptions } from './lr-find-run.js';
export { resumePoint, storedSplit } from './resume.js';
export { Checkpointer, MetricsLogger, type Progress } from './store-callbacks.js';
export { lrFind, type LrFindResult, type LrFindStep } from './lr-find.js';
export {
  lrAt,
  smoothLosses,
  suggest,
  trimForSuggestions,
  valleyIndex,
  type LrFindOptions,
  type Suggestions,
} from './lr-find-math.js';
export { CONTROL_FILE, ControlCommand, RunControl, sendControl } from './control.js';
export { planSizes, ProgressiveResize, type ResizableTrainer, type StageData } from './progressive.js';
export {
  chooseStepEngine,
  plannedTrainEngine,
  requestedTrainEngine,
  tfjsGrads,
  TRAIN_ENGINE_CHOICES,
  type ImageBatch,
  type StepEngine,
  type TrainEngineChoice,
  type TrainEngineName,
} from './step-engine.js';
