// The project's model dir: a TF.js layers model plus anneal.json; and which model a path means.
export {
  ModelDirError,
  checkDestination,
  isModelDir,
  loadLayersModelFile,
  loadModelDir,
  modelDirParams,
  readModelMeta,
  saveModelDir,
  topologyInputSize,
  withInputSize,
} from './io.js';
export { ModelMeta } from './meta.js';
export {
  bundledModelDir,
  loadModelSource,
  modelRef,
  openModelSource,
  runModelMeta,
  type ModelSource,
  type ModelSourceOptions,
} from './source.js';
