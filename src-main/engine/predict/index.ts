// Prediction: the eval transform and top-k over a model dir.
export { ImageError, decodeRgb, loadImageForModel, normalize, resizeAndCrop } from './image.js';
export { predictImages, type Prediction } from './predict.js';
