// Jobs: training and other TF.js work in child processes, with progress and control.
export { JobInputError, JobManager, type JobListener } from './manager.js';
export type { JobMessage, Task } from './protocol.js';
export {
  currentJobRuntime,
  nodeCandidates,
  resolveJobRuntime,
  type JobRuntime,
  type RuntimeContext,
} from './runtime.js';
