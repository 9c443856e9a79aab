// Shared by the weight-reader tests: the committed fixtures (test/golden/generate_weight_fixtures.py),
// their expected values, a private temporary folder, and a way to catch the one expected error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { WeightFileError, readWeightFile, type WeightFile } from '../../../src-main/engine/weights/index.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/weights/', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: number[];
}
export interface ExpectedFile {
  format: string;
  names: string[];
  tensors: Record<string, ExpectedTensor>;
}
export const expected: Record<string, ExpectedFile> = JSON.parse(
  readFileSync(fixture('expected.json'), 'utf8'),
).fixtures;

/** Every name, dtype, shape and value of `file` equals the generator's record, exactly. */
export function expectMatches(file: WeightFile, want: ExpectedFile): void {
  expect(file.format).toBe(want.format);
  expect(file.names).toEqual(want.names);
  expect([...file.tensors.keys()]).toEqual(want.names);
  for (const name of want.names) {
    const t = file.tensors.get(name)!;
    const e = want.tensors[name]!;
    expect(t.name, name).toBe(name);
    expect(t.dtype, name).toBe(e.dtype);
    expect(t.shape, name).toEqual(e.shape);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data), name).toEqual(e.values);
  }
}

export function tempDir(): { dir: string; file: (name: string, bytes?: Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-weights-'));
  return {
    dir,
    file: (name, bytes) => {
      const path = join(dir, name);
      if (bytes) writeFileSync(path, bytes);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The WeightFileError readWeightFile throws for `path` (fails the test if it reads or throws another). */
export async function refusal(path: string, opts?: { maxBytes?: number }): Promise<WeightFileError> {
  let result: unknown;
  try {
    result = await readWeightFile(path, opts);
  } catch (e) {
    if (e instanceof WeightFileError) {
      expect(e.path).toBe(path);
      expect(e.message).toBe(`${path}: ${e.reason}`);
      return e;
    }
    throw e;
  }
  throw new Error(`read without error: ${JSON.stringify((result as WeightFile).names)}`);
}

export const readBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
