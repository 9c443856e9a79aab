// Hyperparameter sweeps (docs/sweeps.md): a search space over run-config paths, trials drawn from
// it as plain run configs, three ways to run them (this machine, a Slurm job array, a Kubernetes
// Indexed Job), the median stopping rule across trials, and the results ranked.
export { MedianStopping, metricMode, PARAMETER_TYPES, ParameterSpec, parseSweepConfig, SweepConfig } from './config.js';
export {
  checkK8sManifest,
  k8sManifests,
  k8sName,
  k8sValidator,
  writeK8sManifests,
  type K8sManifests,
  type K8sOptions,
} from './k8s.js';
export { runLocal, type LocalEvent, type LocalOptions, type LocalSummary } from './local.js';
export { medianStoppingVerdict, runCurve, siblingRunDirs, type MedianRule, type MedianVerdict } from './median.js';
export {
  bestRunConfig,
  listSweeps,
  sweepResults,
  type SweepListRow,
  type SweepResults,
  type TrialResult,
} from './results.js';
export { drawTrials, gridValues, isLogScale, ladder, sampleParameter, setPath, type TrialParams } from './sample.js';
export { shellQuote, trialCommand } from './shell.js';
export {
  parseSacct,
  parseSqueue,
  sbatchCommand,
  sbatchScript,
  onPath,
  SLURM_FILES,
  slurmStatus,
  submitSbatch,
  writeSbatch,
  type SlurmOptions,
  type SlurmStatus,
  type SlurmTrialStatus,
} from './slurm.js';
export {
  createSweep,
  isFinished,
  readSweepMeta,
  resolveSweepDir,
  SWEEP_FILES,
  SweepError,
  SweepMeta,
  trialConfig,
  trialFile,
  trialRunDir,
  trialRunsDir,
  trialStatus,
  type CreateSweepOptions,
  type TrialStatus,
} from './store.js';
