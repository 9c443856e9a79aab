// safetensors: the writer, and the header checks of the format spec
// (https://github.com/huggingface/safetensors, "Format"), each before anything is allocated.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readWeightFile, writeSafetensors } from '../../../src-main/engine/weights/index.js';
import { refusal, tempDir } from './fixtures.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

/** A safetensors file from a header object and a data buffer; `length` overrides N. */
function safetensors(header: unknown, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const n = new Uint8Array(8);
  new DataView(n.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  return Uint8Array.from([...n, ...json, ...data]);
}
const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

describe('writeSafetensors', () => {
  it('round-trips names, order, shapes and values', async () => {
    const tensors = [
      { name: 'conv1.weight', shape: [2, 1, 1, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -1e8]) },
      { name: 'a.scalar', shape: [], data: Float32Array.from([0.125]) },
      { name: 'empty', shape: [0, 5], data: new Float32Array(0) },
      { name: 'fc.bias', shape: [2], data: Float32Array.from([Infinity, -0]) },
    ];
    const path = tmp.file('written.safetensors');
    writeSafetensors(path, tensors);
    const file = await readWeightFile(path);
    expect(file.format).toBe('safetensors');
    expect(file.names).toEqual(tensors.map((t) => t.name));
    for (const t of tensors) expect(file.tensors.get(t.name)).toEqual({ ...t, dtype: 'float32' });
  });

  it('pads the header so that the buffer starts 8-byte aligned, as the reference writer does', () => {
    const path = tmp.file('aligned.safetensors');
    writeSafetensors(path, [{ name: 'x', shape: [1], data: Float32Array.from([1]) }]);
    const n = Number(readFileSync(path).readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
  });

  it('refuses repeated names and data that does not match the shape', () => {
    const one = { name: 'x', shape: [1], data: new Float32Array(1) };
    expect(() => writeSafetensors(tmp.file('dup.safetensors'), [one, one])).toThrow('"x" is empty or repeated');
    expect(() => writeSafetensors(tmp.file('n.safetensors'), [{ ...one, shape: [2] }])).toThrow('needs 2');
  });
});

describe('a damaged safetensors file is refused with the reason', () => {
  const refuse = async (name: string, bytes: Uint8Array) => (await refusal(tmp.file(name, bytes))).reason;
  const entry = (dtype: string, shape: number[], offsets: [number, number]) => ({
    dtype,
    shape,
    data_offsets: offsets,
  });

  it('a header length of 2^60, before allocating it', async () => {
    const bytes = safetensors({ w: entry('F32', [1], [0, 4]) }, f32(1), 1n << 60n);
    expect(await refuse('huge-header.safetensors', bytes)).toBe(
      "safetensors header length 1152921504606846976 is over the format's limit of 100 MB: a damaged file",
    );
  });
  it('a header longer than the file', async () => {
    const bytes = safetensors({ w: entry('F32', [1], [0, 4]) }, f32(1), 5000n);
    expect(await refuse('long-header.safetensors', bytes)).toMatch(/^truncated safetensors file: the header needs/);
  });
  it('a tensor whose bytes lie outside the file', async () => {
    const bytes = safetensors({ w: entry('F32', [4], [0, 16]) }, f32(1, 2));
    expect(await refuse('outside.safetensors', bytes)).toBe(
      'tensor "w": byte range [0, 16) lies outside the file\'s data buffer (8 bytes after the header): ' +
        'a truncated or damaged file',
    );
  });
  it('a tensor whose size does not match its shape', async () => {
    const bytes = safetensors({ w: entry('F32', [3], [0, 8]) }, f32(1, 2));
    expect(await refuse('size.safetensors', bytes)).toBe(
      'tensor "w": data_offsets [0, 8) hold 8 bytes but shape [3] of F32 needs 12',
    );
  });
  it('overlapping tensors, and a gap', async () => {
    const overlap = safetensors({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, f32(1, 2, 3));
    expect(await refuse('overlap.safetensors', overlap)).toMatch(
      /^tensor "b" starts at byte 4 .* previous one ends at 8/,
    );
    const gap = safetensors({ a: entry('F32', [1], [4, 8]) }, f32(1, 2));
    expect(await refuse('gap.safetensors', gap)).toMatch(/^tensor "a" starts at byte 4/);
  });
  it('bytes left over after the last tensor', async () => {
    const bytes = safetensors({ a: entry('F32', [1], [0, 4]) }, f32(1, 2));
    expect(await refuse('tail.safetensors', bytes)).toBe('the data buffer has 8 bytes but the tensors cover only 4');
  });
  it('a header that is not JSON', async () => {
    expect(await refuse('json.safetensors', safetensors('{"w": {'))).toMatch(
      /^safetensors header is not valid UTF-8 JSON/,
    );
  });
  it('an unsupported dtype', async () => {
    const bytes = safetensors({ w: entry('F8_E4M3', [2], [0, 2]) }, new Uint8Array(2));
    expect(await refuse('f8.safetensors', bytes)).toMatch(/^tensor "w" has dtype F8_E4M3, which is not supported/);
  });
  it('an entry of the wrong form', async () => {
    const bytes = safetensors({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1));
    expect(await refuse('form.safetensors', bytes)).toMatch(/^tensor "w": invalid header entry/);
  });
  it('a shape whose size overflows', async () => {
    const bytes = safetensors({ w: entry('F32', [2 ** 30, 2 ** 30, 2 ** 30], [0, 4]) }, f32(1));
    expect(await refuse('overflow.safetensors', bytes)).toBe(
      'tensor "w" has an impossible shape [1073741824, 1073741824, 1073741824]',
    );
  });
});
