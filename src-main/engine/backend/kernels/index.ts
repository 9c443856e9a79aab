// Kernels Anneal adds to TF.js backends (fast CPU training on wasm).
export { registerWasmTrainingKernels } from './register.js';
export { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from './conv-backprop.js';
export { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwise-backprop.js';
export { tileInto, tileWasm } from './tile.js';
export { identityWasm } from './identity.js';
