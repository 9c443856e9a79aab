// The local store of pretrained weights.
export { pullWeights, weightsUrl, type PullProgress } from './pull.js';
export {
  StoreError,
  addWeights,
  annealHome,
  findWeights,
  identify,
  readRegistry,
  sha256File,
  weightsDir,
  type StoreEntry,
} from './weights-store.js';
export { listModels, type ModelRow } from './models-list.js';
