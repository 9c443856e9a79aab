// A TF.js layers model as an ONNX model (opset 13, IR 7: ONNX 1.8, which every current runtime
// reads). With the default input the graph starts from raw RGB pixels, 0–255, [N, H, W, 3], and
// does the model's normalisation itself, so an exported model cannot be fed differently from the
// way Anneal feeds it. Outputs: "logits" and "probs" (softmax), both [N, classes]; N is dynamic.
import type * as tfl from '@tensorflow/tfjs-layers';
import { ExportError } from '../errors.js';
import { ONNX_NAMES, type ExportInfo } from '../metadata.js';
import { attr, Graph, type Value } from './graph.js';
import { LAYER_CONVERTERS } from './layers.js';
import { encodeModel } from './proto.js';

export const OPSET = 13;
const IR_VERSION = 7;

type Dim = number | 'N';

function valueInfo(name: string, dims: readonly Dim[]): Record<string, unknown> {
  return {
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: { dim: dims.map((d) => (d === 'N' ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  };
}

/** The input and, for raw pixels, the normalisation: (p / scale − mean) / std, then NHWC → NCHW. */
function inputStage(g: Graph, info: ExportInfo): { input: Record<string, unknown>; x: Value } {
  const S = info.inputSize;
  const shape = [null, S, S, 3];
  if (info.input === 'normalised-nchw') {
    g.reserve(ONNX_NAMES.normalised);
    return {
      input: valueInfo(ONNX_NAMES.normalised, ['N', 3, S, S]),
      x: { name: ONNX_NAMES.normalised, layout: 'nchw', shape },
    };
  }
  if (info.input !== 'rgb255-nhwc') throw new ExportError(`ONNX export: input ${info.input} is not written`);
  g.reserve(ONNX_NAMES.image);
  const p = info.preprocessing;
  let x: string = ONNX_NAMES.image;
  if (p.channels === 'BGR') {
    x = g.op('Gather', [x, g.int64s('preprocess.bgr_order', [2, 1, 0])], 'preprocess.bgr', [attr.int('axis', 3)]);
  }
  x = g.op('Div', [x, g.floats('preprocess.scale', [], Float32Array.of(p.scale))], 'preprocess.scaled');
  x = g.op('Sub', [x, g.floats('preprocess.mean', [3], Float32Array.from(p.mean))], 'preprocess.centred');
  x = g.op('Div', [x, g.floats('preprocess.std', [3], Float32Array.from(p.std))], 'preprocess.normalised');
  x = g.op('Transpose', [x], 'preprocess.nchw', [attr.ints('perm', [0, 3, 1, 2])]);
  return { input: valueInfo(ONNX_NAMES.image, ['N', S, S, 3]), x: { name: x, layout: 'nchw', shape } };
}

/** Every layer after the input, in an order where each layer's inputs are already converted. */
function convertLayers(g: Graph, model: tfl.LayersModel, start: Value): Map<number, Value> {
  const values = new Map<number, Value>([[model.inputs[0]!.id, start]]);
  const pending = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  while (pending.length) {
    const ready = pending.findIndex((l) => l.inboundNodes.some((n) => n.inputTensors.every((t) => values.has(t.id))));
    if (ready < 0) throw new ExportError(`${pending[0]!.name}: its inputs are never computed`);
    const [layer] = pending.splice(ready, 1);
    const nodes = layer!.inboundNodes.filter((n) => n.inputTensors.every((t) => values.has(t.id)));
    if (nodes.length > 1) throw new ExportError(`${layer!.name}: a layer applied more than once is not exported`);
    const node = nodes[0]!;
    const converter = LAYER_CONVERTERS[layer!.getClassName()];
    if (!converter) {
      throw new ExportError(
        `${layer!.name}: ${layer!.getClassName()} layers have no ONNX export (supported: ${Object.keys(LAYER_CONVERTERS).join(', ')})`,
      );
    }
    const inputs = node.inputTensors.map((t) => values.get(t.id)!);
    const config = layer!.getConfig() as Record<string, unknown>;
    values.set(node.outputTensors[0]!.id, converter(g, layer!, inputs, config));
  }
  return values;
}

/** The ONNX ModelProto bytes of `model`, which must take one [N, S, S, 3] image and output [N, classes] logits. */
export function toOnnx(model: tfl.LayersModel, info: ExportInfo, producerVersion: string): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new ExportError(
      `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; one of each is exported`,
    );
  const inShape = model.inputs[0]!.shape;
  const S = info.inputSize;
  if (inShape.length !== 4 || inShape[1] !== S || inShape[2] !== S || inShape[3] !== 3)
    throw new ExportError(`the model takes [${inShape.map((d) => d ?? 'N')}]; expected [N, ${S}, ${S}, 3]`);
  const classes = info.labels.length;
  const outShape = model.outputs[0]!.shape;
  if (outShape.length !== 2 || outShape[1] !== classes)
    throw new ExportError(`the model outputs [${outShape.map((d) => d ?? 'N')}]; expected [N, ${classes}] logits`);

  const g = new Graph();
  // The graph's own names first: a layer called "logits" then gets "logits_2", not the output's name.
  g.reserve(ONNX_NAMES.logits);
  g.reserve(ONNX_NAMES.probs);
  const { input, x } = inputStage(g, info);
  const values = convertLayers(g, model, x);
  const last = values.get(model.outputs[0]!.id);
  if (!last || last.layout !== 'plain') throw new ExportError('the model output is not a [N, classes] tensor');
  g.nodes.push({ opType: 'Identity', name: ONNX_NAMES.logits, input: [last.name], output: [ONNX_NAMES.logits] });
  g.nodes.push({
    opType: 'Softmax',
    name: ONNX_NAMES.probs,
    input: [ONNX_NAMES.logits],
    output: [ONNX_NAMES.probs],
    attribute: [attr.int('axis', 1)],
  });
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'Anneal',
    producerVersion,
    modelVersion: 1,
    docString:
      info.input === 'rgb255-nhwc'
        ? `${info.arch}: input "image" float32 [N, ${S}, ${S}, 3], RGB 0-255 (resized so the shorter side is ${S}, centre-cropped); normalisation is inside the graph. Outputs "logits" and "probs" [N, ${classes}]; class names in metadata "labels".`
        : `${info.arch}: input "input" float32 [N, 3, ${S}, ${S}], normalised (see metadata "anneal"). Outputs "logits" and "probs" [N, ${classes}].`,
    graph: {
      name: info.arch,
      node: g.nodes,
      initializer: g.initializers,
      input: [input],
      output: [valueInfo(ONNX_NAMES.logits, ['N', classes]), valueInfo(ONNX_NAMES.probs, ['N', classes])],
    },
    metadataProps: [
      { key: 'anneal', value: JSON.stringify(info) },
      { key: 'labels', value: JSON.stringify(info.labels) },
    ],
  });
}

/** The forward graph's input and output names (backend/forward.ts). */
export const FORWARD_NAMES = { input: 'x', output: 'y' } as const;

/**
 * `model` as an in-memory ONNX graph for onnxruntime to run forward-only work on (predict, eval,
 * the frozen stage's features): input "x" normalised [N, S, S, 3] as TF.js takes it, output "y"
 * whatever 2-D tensor the model gives ([N, classes] logits, or [N, C] pooled features). No
 * preprocessing, no softmax, no metadata: the numbers are the TF.js model's.
 */
export function toOnnxForward(model: tfl.LayersModel, inputSize: number): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new ExportError(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  const outShape = model.outputs[0]!.shape;
  if (outShape.length !== 2 || outShape[1] == null)
    throw new ExportError(`the model outputs [${outShape.map((d) => d ?? 'N')}]; expected [N, C]`);
  const S = inputSize;
  const g = new Graph();
  g.reserve(FORWARD_NAMES.input);
  g.reserve(FORWARD_NAMES.output);
  const nchw = g.op('Transpose', [FORWARD_NAMES.input], 'input.nchw', [attr.ints('perm', [0, 3, 1, 2])]);
  const values = convertLayers(g, model, { name: nchw, layout: 'nchw', shape: [null, S, S, 3] });
  const last = values.get(model.outputs[0]!.id);
  if (!last || last.layout !== 'plain') throw new ExportError('the model output is not a [N, C] tensor');
  g.nodes.push({ opType: 'Identity', name: FORWARD_NAMES.output, input: [last.name], output: [FORWARD_NAMES.output] });
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'Anneal',
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(FORWARD_NAMES.input, ['N', S, S, 3])],
      output: [valueInfo(FORWARD_NAMES.output, ['N', outShape[1]])],
    },
  });
}
