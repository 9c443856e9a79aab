// The project's model dir: a TF.js layers model plus anneal.json.
export {
  ModelDirError,
  checkDestination,
  isModelDir,
  loadLayersModelFile,
  loadModelDir,
  readModelMeta,
  saveModelDir,
} from './io.js';
export { ModelMeta } from './meta.js';
