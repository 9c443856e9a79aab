// Exporting a trained model: ONNX (preprocessing inside the graph, checked in onnxruntime) and
// TF.js layers models, each with labels.json, preprocessing.json and an HTML model card.
export { describeFiles, escapeHtml, MODEL_CARD_FILE, modelCardHtml, type CardInput } from './card.js';
export { ExportError } from './errors.js';
export {
  cleanedNote,
  exportModel,
  exportSummary,
  ONNX_MODEL_FILE,
  type ExportOptions,
  type ExportResult,
} from './export.js';
export {
  EXPORT_FORMATS,
  ExportInfo,
  INPUT_KINDS,
  ONNX_NAMES,
  preprocessingDocument,
  type ExportFormat,
  type InputKind,
} from './metadata.js';
export { FORWARD_NAMES, OPSET, toOnnx, toOnnxForward } from './onnx/convert.js';
export { decodeModel, encodeModel } from './onnx/proto.js';
export { transpose } from './onnx/layers.js';
export { savedModelUnavailable } from './savedmodel.js';
export { openExportSource, type ExportSource } from './source.js';
export { SHARD_BYTES, TFJS_MODEL_FILE, writeTfjsModel } from './tfjs.js';
export { relL2, testImages, verifyOnnx, verifyTfjs, VERIFY_TOLERANCE, type Verification } from './verify.js';
