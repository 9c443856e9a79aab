// Training: the loop, its callbacks, the run config.
export { Callback, CallbackList, type BatchLogs, type EpochLogs, type TrainState } from './callbacks.js';
export {
  checkRunConfigFields,
  RunConfig,
  parseRunConfig,
  parseRunSettings,
  resolveBatchSize,
  type ParsedRunConfig,
} from './config.js';
export { correct, crossEntropy } from './loss.js';
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
export {
  bundledModelDir,
  modelRef,
  resumeRun,
  runLrFind,
  startRun,
  type LrFindRunOptions,
  type RunOptions,
  type RunResult,
} from './run.js';
export { Checkpointer, MetricsLogger, type Progress } from './store-callbacks.js';
export { lrFind, type LrFindResult } from './lr-find.js';
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
