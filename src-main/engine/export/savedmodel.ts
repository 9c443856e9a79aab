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
      `savedmodel needs the tensorflow backend (${gpu.name} or ${cpu.name}), and neither is installed ` +
        'here; export to onnx or tfjs instead (`anneal doctor` says how to add the backend)',
      { field: 'format', kind: 'unsupported' },
    );
  }
  // tfjs-node's SavedModel API (tf.node.loadSavedModel) loads and runs SavedModels but has no writer.
  return new ExportError(
    `savedmodel: ${found.name} is installed, but TF.js in Node can load SavedModels, not write them; ` +
      'export to tfjs and convert it with TensorFlow: tensorflowjs_converter --input_format=tfjs_layers_model ' +
      '--output_format=keras_saved_model <out>/model.json <savedmodel dir>',
    { field: 'format', kind: 'unsupported' },
  );
}
