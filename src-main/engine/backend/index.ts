// TF.js backends: detection with reasons, selection for a workload, activation.
export { detectBackend, detectBackends, initBackend } from './detect.js';
export { installBoundedBackprop, uninstallBoundedBackprop } from './gradients.js';
export { BackendError, canRun, selectBackend } from './select.js';
export {
  MAX_WASM_THREADS,
  ThreadsError,
  parseThreads,
  physicalCores,
  physicalCoresFromCpuinfo,
  requestThreads,
  resolveThreads,
  threadPlan,
  type ThreadPlan,
  type ThreadSource,
} from './threads.js';
export { BACKEND_NAMES, TRAINING_KERNELS, type BackendInfo, type BackendName, type Workload } from './types.js';
export { backendWasNamed, useBackend } from './use.js';
export { restartWasm, startWasm, wasmThreads, type WasmThreads } from './wasm.js';
