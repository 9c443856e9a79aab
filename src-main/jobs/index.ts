// Jobs: training and other TF.js work in child processes, with progress and control.
export {
  DEFAULT_JOB_LIMITS,
  jobClass,
  JobInputError,
  JobManager,
  type JobClass,
  type JobLimits,
  type JobListener,
  type JobManagerOptions,
} from './manager.js';
export type { JobMessage, Task } from './protocol.js';
export {
  currentJobRuntime,
  nodeCandidates,
  resolveJobRuntime,
  type JobRuntime,
  type RuntimeContext,
} from './runtime.js';
export { testStepPacing, testStepPause, TEST_STEP_ENV } from './hold.js';
