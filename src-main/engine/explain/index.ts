// Interpretation: Grad-CAM heatmaps of a model's last convolutional stage, their overlays on the
// image as the model sees it, and `anneal explain`'s files.
export { gradCam, minMaxNormalise, upsampleBilinear, type CamResult } from './gradcam.js';
export {
  checkOutDir,
  classIndexOf,
  explainImages,
  listImages,
  writeExplanations,
  type ExplainOptions,
  type Explanation,
} from './explain.js';
export { jet, npyBytes, overlayPng, parseNpy } from './overlay.js';
