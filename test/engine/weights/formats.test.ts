// Every committed fixture, read with exact values (test/fixtures/weights/expected.json was written
// by test/golden/generate_weight_fixtures.py from real torch.save files, Keras-layout HDF5, …).
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { detectWeightFormat, readWeightFile } from '../../../src-main/engine/weights/index.js';
import { expectMatches, expected, fixture, tempDir } from './fixtures.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const sha256 = (...paths: string[]): string => {
  const h = createHash('sha256');
  for (const p of paths) h.update(readFileSync(p));
  return h.digest('hex');
};

describe('every fixture reads with exact names, dtypes, shapes and values', () => {
  it.each(Object.keys(expected))('%s', async (name) => {
    const file = await readWeightFile(fixture(name));
    expectMatches(file, expected[name]!);
    expect(file.path).toBe(fixture(name));
    if (!name.startsWith('tfjs')) expect(file.sha256).toBe(sha256(fixture(name)));
  });
});

describe('detectWeightFormat looks at the content, not the name', () => {
  it.each(Object.keys(expected))('%s', async (name) => {
    expect(await detectWeightFormat(fixture(name))).toBe(expected[name]!.format);
    if (name.startsWith('tfjs')) return;
    const renamed = tmp.file(`${name.replace(/[/.]/g, '_')}.model.bin`);
    copyFileSync(fixture(name), renamed);
    expect(await detectWeightFormat(renamed)).toBe(expected[name]!.format);
    expectMatches(await readWeightFile(renamed), expected[name]!);
  });
});

describe('TF.js', () => {
  it('reads the folder as well as its model.json', async () => {
    const dir = await readWeightFile(fixture('tfjs_model'));
    expectMatches(dir, expected['tfjs_model/model.json']!);
    expect(dir.format).toBe('tfjs-layers');
  });
  it('hashes model.json and its shards in manifest order', async () => {
    const file = await readWeightFile(fixture('tfjs_model/model.json'));
    const shards = ['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin'].map((f) =>
      fixture(`tfjs_model/${f}`),
    );
    expect(file.sha256).toBe(sha256(...shards));
  });
});

describe('safetensors', () => {
  it('keeps every dtype, a scalar and an empty tensor', async () => {
    const file = await readWeightFile(fixture('safetensors_all_dtypes.safetensors'));
    expect(file.tensors.get('i64')!.data[2]).toBe(2 ** 40);
    expect(file.tensors.get('bool')!.dtype).toBe('bool');
    expect(file.tensors.get('scalar')!.shape).toEqual([]);
    expect(file.tensors.get('empty')!.shape).toEqual([0, 3]);
    expect(file.tensors.get('empty')!.data.length).toBe(0);
  });
});
