// Training augmentation on decoded RGB (torchvision semantics, seeded) and the eval transform it
// falls back to. Pure CPU and synchronous, for the data pipeline's worker threads. The preview
// grid behind `anneal data preview` is in ./preview (it loads Skia, which workers do not need).
export { applyAugmentParams, augment, augmentWithSeed, sampleAugmentParams, type AugmentParams } from './augment.js';
export {
  BRIGHTNESS,
  CONTRAST,
  HUE,
  SATURATION,
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  colorJitterInPlace,
  type JitterParams,
} from './color.js';
export {
  AugmentConfig,
  ColorJitterConfig,
  DEFAULT_AUGMENT,
  NO_AUGMENT,
  RandomResizedCropConfig,
  parseAugmentConfig,
  type AugmentConfigInput,
} from './config.js';
export { randomResizedCropParams, roundHalfEven, type CropParams } from './crop.js';
export { hflip, rotate, vflip } from './geometry.js';
export { evalBox, evalTransform, resampleBox, resizedCrop, type Box, type Interpolation } from './resample.js';
export { deriveSeed, mulberry32, permutation, randint, shuffleInPlace, uniform, type Rng } from './rng.js';
