// Prediction: the eval transform and top-k over a model dir, a TF.js export or an ONNX export.
export {
  fastLayersClassifier,
  findModel,
  layersClassifier,
  onnxClassifier,
  openClassifier,
  softmaxRows,
  type Classifier,
  type ClassifierMeta,
  type ModelKind,
} from './classifier.js';
export { ImageError, decodeRgb, loadImageForModel, normalize, resizeAndCrop } from './image.js';
export { OnnxClassifier, OnnxModelError, readOnnxInfo } from './onnx.js';
export { classifyImages, predictImages, type Prediction } from './predict.js';
export {
  classifyFolder,
  predictionsCsv,
  topClasses,
  type FolderOptions,
  type FolderPredictions,
  type FolderRow,
} from './folder.js';
export { fastForward, onnxForward, tfjsForward, type Forward, type ForwardEngine } from './forward.js';
export { augmentedView, classifyDecoded, presizeFor } from './views.js';
