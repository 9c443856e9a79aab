// --format savedmodel. A TensorFlow SavedModel can only come from TensorFlow itself; in Node that
// is the tensorflow backend (tfjs-node-gpu or tfjs-node and its libtensorflow). Without it the
// export is refused with the reason and the alternatives.
import { detectTfjsNode } from '../runtime/index.js';
import { ExportError } from './errors.js';

export function savedModelUnavailable(): ExportError {
  const gpu = detectTfjsNode(true);
  const cpu = detectTfjsNode(false);
  const found = [gpu, cpu].find((c) => c.available);
  if (!found) {
    return new ExportError(
      `--format savedmodel needs the tensorflow backend (${gpu.name} or ${cpu.name}), and neither is installed ` +
        'here; export --format onnx or --format tfjs instead (`anneal doctor` says how to add the backend)',
    );
  }
  // tfjs-node's SavedModel API (tf.node.loadSavedModel) loads and runs SavedModels but has no writer.
  return new ExportError(
    `--format savedmodel: ${found.name} is installed, but TF.js in Node can load SavedModels, not write them; ` +
      'export --format tfjs and convert it with TensorFlow: tensorflowjs_converter --input_format=tfjs_layers_model ' +
      '--output_format=keras_saved_model <out>/model.json <savedmodel dir>',
  );
}
