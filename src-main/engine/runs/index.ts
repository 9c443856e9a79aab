// The run store: runs/<id>/ as plain files (run.json, split.json, metrics.jsonl, events.jsonl,
// checkpoints/) that a person can read and copy, and that a crash cannot leave half-written.
export {
  CheckpointState,
  readCheckpointInfo,
  type CheckpointData,
  type CheckpointInfo,
  type CheckpointInput,
  type WeightSpec,
} from './checkpoint.js';
export { RunStoreError } from './errors.js';
export { cutLabel, cutSteps, partialLabel, type EpochCutSteps } from './partial.js';
export { higherIsBetter } from './metric.js';
export { acquireRunLock, holderAlive, processStartTicks, RUN_LOCK, RunLock, type LockHolder } from './lock.js';
export { listRuns, runStatus, summarizeRun, type ListRunsOptions, type RunStatus, type RunSummary } from './list.js';
export { BEST_CHECKPOINT, EPOCH_DIR, RUN_FILES } from './layout.js';
export {
  makeRunId,
  manifestHash,
  readRunMeta,
  RunMeta,
  SplitFile,
  type ManifestFile,
  type NewRunMeta,
} from './meta.js';
export {
  EpochRecord,
  RUN_EVENT_TYPES,
  RunEvent,
  StepRecord,
  type EpochInput,
  type RunEventType,
  type StepInput,
} from './records.js';
export { RunStore, type RunMetrics, type SplitInput, type WriteCheckpointOptions } from './store.js';
