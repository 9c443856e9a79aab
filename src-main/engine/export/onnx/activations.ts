// Keras/TF.js activations as ONNX opset-13 operators, each exactly the function TF.js computes
// (tfjs-layers src/activations.ts; selu's constants are tfjs-core's SELU_SCALE and SELU_SCALEALPHA).
import { ExportError } from '../errors.js';
import { attr, type Graph, type Value } from './graph.js';

// tfjs-core selu_util.ts writes them with more digits than a double holds; these are the same doubles.
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.7580993408473768 / SELU_SCALE;

/** The activation names this exporter writes (tfjs-layers' serialised names). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'swish',
  'tanh',
  'softmax',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'hardSigmoid',
] as const;

/** Applies `activation` to `x`; `where` names the layer in errors. */
export function activation(g: Graph, x: Value, activation: string, name: string, where: string): Value {
  const out = (op: string, inputs: string[], attributes = [] as ReturnType<typeof attr.int>[]) => ({
    ...x,
    name: g.op(op, inputs, name, attributes),
  });
  // The channel axis, where softmax works: last in TF.js, 1 once a 4-D value is NCHW.
  const channelAxis = x.layout === 'nchw' ? 1 : x.shape.length - 1;
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return out('Relu', [x.name]);
    case 'relu6':
      return out('Clip', [
        x.name,
        g.floats(`${name}.min`, [], Float32Array.of(0)),
        g.floats(`${name}.max`, [], Float32Array.of(6)),
      ]);
    case 'sigmoid':
      return out('Sigmoid', [x.name]);
    case 'swish': {
      // x · sigmoid(x): opset 13 has no Swish operator.
      const s = g.op('Sigmoid', [x.name], `${name}.sigmoid`);
      return out('Mul', [x.name, s]);
    }
    case 'tanh':
      return out('Tanh', [x.name]);
    case 'softmax':
      return out('Softmax', [x.name], [attr.int('axis', channelAxis)]);
    case 'elu':
      return out('Elu', [x.name], [attr.float('alpha', 1)]);
    case 'selu':
      return out('Selu', [x.name], [attr.float('alpha', SELU_ALPHA), attr.float('gamma', SELU_SCALE)]);
    case 'softplus':
      return out('Softplus', [x.name]);
    case 'softsign':
      return out('Softsign', [x.name]);
    case 'hardSigmoid':
      // tfjs-layers: clip(0.2 x + 0.5, 0, 1), ONNX HardSigmoid's own defaults.
      return out('HardSigmoid', [x.name], [attr.float('alpha', 0.2), attr.float('beta', 0.5)]);
    default:
      throw new ExportError(
        `${where}: activation "${activation}" has no ONNX export (supported: ${ACTIVATIONS.join(', ')})`,
      );
  }
}
