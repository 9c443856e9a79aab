// A training step (forward, loss, backward) as an onnxruntime graph generated from a tfjs-layers
// model: onnxruntime's multi-threaded CPU kernels, on the TF.js model's own weights.
export { toOnnxTrain, TRAIN_NAMES, type TrainGraphInfo, type TrainGraphSpec } from './build.js';
export { filterGradMethod, type FilterGradMethod } from './conv-grad.js';
export { UnsupportedLayer } from './layers.js';
export { OrtTrainStep, type OrtTrainStepOptions, type StepBatch, type StepOutput } from './step.js';
