// Weight files as plain float32 tensors, without TF.js: safetensors, PyTorch zip checkpoints
// (through a restricted unpickler that never runs code), Keras HDF5 and .keras, TF.js models.
export { detectWeightFormat } from './detect.js';
export type { WeightDType } from './dtype.js';
export { WeightFileError } from './errors.js';
export { readWeightFile } from './read.js';
export { writeSafetensors, type Float32Tensor } from './safetensors.js';
export { writeTorchStateDict, type TorchTensorInput } from './torch-write.js';
export type { RawTensor, ReadOptions, WeightFile, WeightFormat } from './types.js';
