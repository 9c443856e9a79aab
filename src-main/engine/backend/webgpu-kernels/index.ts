// Kernels Anneal adds to the webgpu backend (training on a GPU without tfjs's serial loops).
export { registerWebGpuTrainingKernels } from './register.js';
export { conv2dBackpropFilterGpu, conv2dBackpropInputGpu } from './conv-backprop.js';
export { depthwiseBackpropFilterGpu } from './depthwise-backprop.js';
export { batchNormTraining, fusedBatchNormAvailable, movingAverages } from './batch-norm.js';
export { planGemm, type GemmPlan } from './gemm.js';
export { countGpuWork, type GpuWorkCounts } from './counters.js';
export { deviceDropout, deviceDropoutAvailable } from './dropout.js';
