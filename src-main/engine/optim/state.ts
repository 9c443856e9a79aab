// Optimizer state for checkpoints: plain JSON, the counterpart of torch's
// `optimizer.state_dict()["state"]` keyed by variable name instead of index. A slot's values are
// either inline (base64 little-endian float32: small states, and checkpoints written before) or
// a named Float32Array beside the JSON (a checkpoint's optimizer.bin): AdamW on ResNet-18 has
// 94 MB of slots, which as base64 inside JSON cost ~0.5 GB of transient strings per checkpoint.
import { z } from 'zod';
import { ConfigError, parseConfig } from '../schedules/errors.js';
import { OPTIMIZER_TYPES } from './types.js';

/** torch's state keys per optimizer (state[p][...] in torch/optim/{sgd,adam,adamw,rmsprop}.py). */
export const SLOT_NAMES = {
  sgd: ['momentum_buffer'],
  adam: ['exp_avg', 'exp_avg_sq'],
  adamw: ['exp_avg', 'exp_avg_sq'],
  rmsprop: ['square_avg', 'momentum_buffer'],
} as const;
export type SlotName = (typeof SLOT_NAMES)[keyof typeof SLOT_NAMES][number];

const EncodedTensor = z.union([
  z.strictObject({
    shape: z.array(z.number().int().nonnegative()),
    /** Little-endian float32, base64. */
    data: z.string(),
  }),
  z.strictObject({
    shape: z.array(z.number().int().nonnegative()),
    /** The name of a Float32Array among the buffers given with the state. */
    buffer: z.string().min(1),
  }),
]);
export type EncodedTensor = z.infer<typeof EncodedTensor>;

/** Checkpoint buffers hold the optimizer's slots under these names (`optim/<parameter>/<slot>`), beside the EMA's `ema/…`. */
export const OPTIMIZER_BUFFER_PREFIX = 'optim/';

/** The buffers a state's `buffer` slots name (a checkpoint's optimizer.bin, read back). */
export type StateBuffers = Readonly<Record<string, Float32Array>>;

const ParamState = z.strictObject({
  /** Updates this parameter has had (torch `state['step']`; Adam's bias correction uses it). */
  step: z.number().int().nonnegative(),
  slots: z.record(z.string(), EncodedTensor),
});
export type ParamState = z.infer<typeof ParamState>;

export const OptimizerState = z.strictObject({
  format: z.literal('anneal.optim.v1'),
  type: z.enum(OPTIMIZER_TYPES),
  /** Calls of step() so far. */
  steps: z.number().int().nonnegative(),
  /** Only parameters that have been updated at least once have state (torch's lazy state). */
  params: z.record(z.string(), ParamState),
});
export type OptimizerState = z.infer<typeof OptimizerState>;

export function parseOptimizerState(input: unknown, prefix = ''): OptimizerState {
  return parseConfig(OptimizerState, input, prefix);
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeFloat32(shape: readonly number[], values: Float32Array): { shape: number[]; data: string } {
  let bytes: Uint8Array;
  if (littleEndian) {
    bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  } else {
    const view = new DataView(new ArrayBuffer(values.length * 4));
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    bytes = new Uint8Array(view.buffer);
  }
  return { shape: [...shape], data: Buffer.from(bytes).toString('base64') };
}

/**
 * Decodes (or looks up in `buffers`) and checks the length against the shape; `where` names the
 * field in the error.
 */
export function decodeFloat32(t: EncodedTensor, where: string, buffers: StateBuffers = {}): Float32Array {
  const size = t.shape.reduce((a, b) => a * b, 1);
  if ('buffer' in t) {
    const b = Object.hasOwn(buffers, t.buffer) ? buffers[t.buffer] : undefined;
    if (!b)
      throw new ConfigError(where, `names the buffer ${JSON.stringify(t.buffer)}, which the checkpoint does not hold`);
    if (b.length !== size) {
      throw new ConfigError(where, `${b.length} values for shape [${t.shape.join(', ')}], expected ${size}`);
    }
    return b;
  }
  const bytes = Buffer.from(t.data, 'base64');
  if (bytes.length !== size * 4) {
    throw new ConfigError(where, `${bytes.length} bytes for shape [${t.shape.join(', ')}], expected ${size * 4}`);
  }
  const out = new Float32Array(size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < size; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
