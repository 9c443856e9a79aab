// safetensors (https://github.com/huggingface/safetensors, "Format"): an 8-byte little-endian
// u64 N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?},
// then the byte buffer the offsets index. Validated as the reference implementation does
// (safetensors/src/tensor.rs `validate`), before any tensor is allocated.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ITEM_SIZE, type WeightDType, float32Bytes, numelOf, toFloat32 } from './dtype.js';
import { WeightFileError, formatBytes } from './errors.js';
import type { Budget, Source } from './file.js';
import type { RawTensor } from './types.js';

/** The spec caps the header at 100 MB (MAX_HEADER_SIZE in the reference implementation). */
const MAX_HEADER_BYTES = 100_000_000;

const DTYPES: Readonly<Record<string, WeightDType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

const Entry = z.strictObject({
  dtype: z.string(),
  shape: z.array(z.int().nonnegative()),
  data_offsets: z.tuple([z.int().nonnegative(), z.int().nonnegative()]),
});

interface Planned {
  name: string;
  dtype: WeightDType;
  shape: number[];
  numel: number;
  begin: number;
  end: number;
}

export function readSafetensors(src: Source, budget: Budget): { tensors: RawTensor[] } {
  const bad = (reason: string) => new WeightFileError(src.path, reason);
  if (src.size < 8) throw bad('truncated safetensors file: shorter than its 8-byte header length');
  const n = new DataView(src.read(0, 8).buffer).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw bad(`safetensors header length ${n} is over the format's limit of 100 MB: a damaged file`);
  }
  const headerLen = Number(n);
  if (8 + headerLen > src.size) {
    throw bad(
      `truncated safetensors file: the header needs ${formatBytes(headerLen)} but only ` +
        `${formatBytes(src.size - 8)} follow the header length`,
    );
  }
  const dataStart = 8 + headerLen;
  const dataLen = src.size - dataStart;
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(src.read(8, headerLen, 'header'));
    if (!text.startsWith('{')) throw bad('safetensors header is not a JSON object');
    header = JSON.parse(text);
  } catch (e) {
    if (e instanceof WeightFileError) throw e;
    throw bad(`safetensors header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw bad('safetensors header is not a JSON object');
  }
  const planned: Planned[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const parsed = Entry.safeParse(raw);
    if (!parsed.success) {
      throw bad(`tensor "${name}": invalid header entry (${parsed.error.issues[0]?.message ?? 'wrong shape'})`);
    }
    const { dtype: code, shape, data_offsets: offsets } = parsed.data;
    const dtype = DTYPES[code];
    if (!dtype) {
      throw bad(`tensor "${name}" has dtype ${code}, which is not supported (${Object.keys(DTYPES).join(', ')})`);
    }
    const [begin, end] = offsets;
    const numel = numelOf(shape);
    if (numel === null) throw bad(`tensor "${name}" has an impossible shape [${shape.join(', ')}]`);
    if (end < begin || end > dataLen) {
      throw bad(
        `tensor "${name}": byte range [${begin}, ${end}) lies outside the file's data buffer ` +
          `(${dataLen} bytes after the header): a truncated or damaged file`,
      );
    }
    const need = numel * ITEM_SIZE[dtype];
    if (end - begin !== need) {
      throw bad(
        `tensor "${name}": data_offsets [${begin}, ${end}) hold ${end - begin} bytes but shape ` +
          `[${shape.join(', ')}] of ${code} needs ${need}`,
      );
    }
    planned.push({ name, dtype, shape, numel, begin, end });
  }
  // "The byte buffer needs to be entirely indexed, and cannot contain holes" (spec).
  planned.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const t of planned) {
    if (t.begin !== covered) {
      throw bad(
        `tensor "${t.name}" starts at byte ${t.begin} of the data buffer but the previous one ends at ` +
          `${covered}: tensors must cover the buffer without gaps or overlaps`,
      );
    }
    covered = t.end;
  }
  if (covered !== dataLen) {
    throw bad(`the data buffer has ${dataLen} bytes but the tensors cover only ${covered}`);
  }
  const tensors = planned.map((t) => {
    budget.take(t.numel * 4, `tensor "${t.name}"`);
    const bytes = src.read(dataStart + t.begin, t.end - t.begin, `tensor "${t.name}"`);
    return { name: t.name, dtype: t.dtype, shape: t.shape, data: toFloat32(bytes, t.dtype, t.numel) };
  });
  return { tensors };
}

export interface Float32Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Checks a writer's input: unique names, and data that matches each shape. */
export function checkWriterInput(
  path: string,
  tensors: readonly { name: string; shape: number[]; data: ArrayLike<unknown> }[],
): void {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (!t.name || seen.has(t.name)) throw new WeightFileError(path, `tensor name "${t.name}" is empty or repeated`);
    seen.add(t.name);
    const numel = numelOf(t.shape);
    if (numel !== t.data.length) {
      throw new WeightFileError(
        path,
        `tensor "${t.name}" has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${numel}`,
      );
    }
  }
}

/** Writes float32 tensors as safetensors (F32, offsets in the given order, header 8-aligned). */
export function writeSafetensors(path: string, tensors: readonly Float32Tensor[]): void {
  checkWriterInput(path, tensors);
  if (tensors.some((t) => t.name === '__metadata__')) throw new WeightFileError(path, '"__metadata__" is reserved');
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  // The reference writer pads with spaces so that the buffer starts 8-byte aligned.
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  writeFileSync(path, Buffer.concat([len, headerBytes, ...tensors.map((t) => float32Bytes(t.data))]));
}
