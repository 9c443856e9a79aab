// One checkpoint folder: checkpoint.json (the training state, the weight specs, the optimizer's
// JSON and an index of its buffers), weights.bin (the weights as TF.js lays them out: the specs'
// tensors back to back) and optimizer.bin (the optimizer's Float32 buffers back to back, little-
// endian like weights.bin). Large arrays stay out of the JSON: as text they would be ~3× larger,
// slow to parse, and float32 → decimal → float32 is only exact with care.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { errnoCode, firstIssue, RunStoreError } from './errors.js';
import { writeDurable } from './folders.js';
import { decodeJson, encodeJson } from './json.js';

const Index = z.int().nonnegative();

/** Where training stands once the checkpoint's epoch is done: what a resumed run starts from. */
export const CheckpointState = z.looseObject({
  /** Global index of the epoch this checkpoint closes (counted across stages from 0). */
  epoch: Index,
  /** Index of that epoch's stage in the plan, and of the epoch within the stage. */
  stage: Index,
  stageEpoch: Index,
  /** `step` of the last step record the checkpoint includes. */
  step: Index,
  scheduleState: z.unknown(),
  rng: z.unknown(),
  best: z.object({ metric: z.string(), value: z.number(), epoch: Index }).nullable(),
  /** The image size the epoch trained at (progressive resizing); older checkpoints lack it. */
  imageSize: z.int().positive().optional(),
  /**
   * Present when a stop cut the epoch short: the batches of its order done, its optimizer steps,
   * and its sums so far (train/callbacks.ts EpochCut). A resume finishes that epoch.
   */
  within: z
    .object({
      batches: Index,
      steps: Index,
      lossSum: z.number(),
      correct: z.number().nonnegative(),
      seen: Index,
      seconds: z.number().nonnegative(),
    })
    .optional(),
});
export type CheckpointState = z.infer<typeof CheckpointState>;

/** One tensor of weights.bin, as in a TF.js weights manifest. */
export type WeightSpec = io.WeightsManifestEntry;
const WeightSpecSchema = z.looseObject({
  name: z.string(),
  shape: z.array(Index),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
});

/** A checkpoint as read back. */
export interface CheckpointData {
  weights: { specs: WeightSpec[]; data: ArrayBuffer };
  /** `json` is the optimizer's own state (non-finite numbers survive); `buffers` its large arrays. */
  optimizer: { json: unknown; buffers?: Record<string, Float32Array> };
  state: CheckpointState;
}

/** A checkpoint to write: CheckpointData, with the weights also accepted in TF.js's several-buffers form. */
export interface CheckpointInput {
  weights: { specs: readonly WeightSpec[]; data: ArrayBuffer | readonly ArrayBuffer[] };
  optimizer: { json: unknown; buffers?: Readonly<Record<string, Float32Array>> };
  state: z.input<typeof CheckpointState>;
}

export interface CheckpointInfo {
  /** `epoch-0003` or `best`. */
  name: string;
  dir: string;
  epoch: number;
  stage: number;
  stageEpoch: number;
  step: number;
}

const BufferEntry = z.object({ name: z.string(), offset: Index, length: Index });
const Manifest = z.object({
  format: z.literal('anneal-checkpoint'),
  version: z.literal(1),
  state: CheckpointState,
  weights: z.object({ file: z.literal('weights.bin'), byteLength: Index, specs: z.array(WeightSpecSchema) }),
  optimizer: z.object({
    json: z.unknown(),
    file: z.literal('optimizer.bin').nullable(),
    /** offset in bytes, length in float32 elements. */
    buffers: z.array(BufferEntry),
  }),
});

export const CHECKPOINT_JSON = 'checkpoint.json';
const BYTES: Partial<Record<WeightSpec['dtype'], number>> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** weights.bin's size the specs imply, or null where they cannot say (strings, quantized weights). */
function expectedBytes(specs: readonly WeightSpec[]): number | null {
  let total = 0;
  for (const s of specs) {
    const size = BYTES[s.dtype];
    if (size === undefined || s.quantization) return null;
    total += s.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

export function parseState(state: unknown, what: string): CheckpointState {
  const parsed = CheckpointState.safeParse(state);
  if (!parsed.success) throw new RunStoreError(`${what}: state.${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** Writes the checkpoint's files into the (empty, temporary) folder `dir`; checkpoint.json last. */
export async function writeCheckpointFiles(dir: string, data: CheckpointInput, state: CheckpointState): Promise<void> {
  const parts = Array.isArray(data.weights.data) ? data.weights.data : [data.weights.data as ArrayBuffer];
  const weights = parts.map((b) => new Uint8Array(b));
  const byteLength = weights.reduce((n, b) => n + b.byteLength, 0);
  const expected = expectedBytes(data.weights.specs);
  if (expected !== null && expected !== byteLength) {
    throw new RunStoreError(`checkpoint: the weight specs describe ${expected} bytes but the data has ${byteLength}`);
  }
  const index: z.infer<typeof BufferEntry>[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, buf] of Object.entries(data.optimizer.buffers ?? {})) {
    if (!(buf instanceof Float32Array))
      throw new RunStoreError(`checkpoint: optimizer buffer "${name}" is not a Float32Array`);
    index.push({ name, offset, length: buf.length });
    chunks.push(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    offset += buf.byteLength;
  }
  const manifest: z.input<typeof Manifest> = {
    format: 'anneal-checkpoint',
    version: 1,
    state,
    weights: { file: 'weights.bin', byteLength, specs: data.weights.specs.map((s) => ({ ...s })) },
    optimizer: { json: data.optimizer.json, file: index.length ? 'optimizer.bin' : null, buffers: index },
  };
  const text = `${encodeJson(manifest, 'checkpoint', 2)}\n`;
  await writeDurable(join(dir, 'weights.bin'), weights);
  if (index.length) await writeDurable(join(dir, 'optimizer.bin'), chunks);
  await writeDurable(join(dir, CHECKPOINT_JSON), [Buffer.from(text, 'utf8')]);
}

function readManifest(dir: string): z.infer<typeof Manifest> {
  const path = join(dir, CHECKPOINT_JSON);
  if (!existsSync(path)) throw new RunStoreError(`${dir} is not a checkpoint (no ${CHECKPOINT_JSON})`);
  let raw: unknown;
  try {
    raw = decodeJson(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RunStoreError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw new RunStoreError(`${path}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

export function readCheckpointInfo(dir: string, name: string): CheckpointInfo {
  const { epoch, stage, stageEpoch, step } = readManifest(dir).state;
  return { name, dir, epoch, stage, stageEpoch, step };
}

async function readBin(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new RunStoreError(`cannot read ${path}: ${errnoCode(e)}`);
  }
}

export async function readCheckpointFiles(dir: string): Promise<CheckpointData> {
  const m = readManifest(dir);
  const w = await readBin(join(dir, m.weights.file));
  if (w.byteLength !== m.weights.byteLength) {
    throw new RunStoreError(
      `${join(dir, m.weights.file)} has ${w.byteLength} bytes; ${CHECKPOINT_JSON} says ${m.weights.byteLength}`,
    );
  }
  // A Buffer may be a view into a larger pool: hand out an ArrayBuffer of exactly the weights.
  const whole = w.byteOffset === 0 && w.byteLength === w.buffer.byteLength;
  const data = (whole ? w.buffer : w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength)) as ArrayBuffer;
  const out: CheckpointData = {
    weights: { specs: m.weights.specs as WeightSpec[], data },
    optimizer: { json: m.optimizer.json },
    state: m.state,
  };
  if (m.optimizer.file) {
    const path = join(dir, m.optimizer.file);
    const bin = await readBin(path);
    const buffers: Record<string, Float32Array> = {};
    for (const { name, offset, length } of m.optimizer.buffers) {
      const end = offset + length * 4;
      if (end > bin.byteLength)
        throw new RunStoreError(`${path} is too short for buffer "${name}" (needs ${end} bytes)`);
      const f = new Float32Array(length); // a copy, so that it is 4-byte aligned whatever the offset
      new Uint8Array(f.buffer).set(bin.subarray(offset, end));
      buffers[name] = f;
    }
    out.optimizer.buffers = buffers;
  }
  return out;
}
