// The model zoo: catalog, builders with torchvision-compatible layer names, layer groups.
export { FreezableBatchNormalization } from './batch-norm.js';
export { buildModel, headDenseName, type BuiltModel, type ModelOptions } from './build.js';
export {
  ArchSpec,
  IMAGENET_PREPROCESSING,
  getArch,
  loadCatalog,
  modelsDir,
  type CatalogWeights,
  type Preprocessing,
} from './catalog.js';
export { efficientNetStages, makeDivisible, type MBConvStage } from './efficientnet.js';
export { freezeBackbone, layerGroups, setTrainable, unfreezeAll, type LayerGroup } from './groups.js';
export { replaceHead } from './head.js';
export { BUNDLED_MODEL_NOTE, imageSizeAdvice } from './advice.js';
export { minInputSize } from './min-size.js';
