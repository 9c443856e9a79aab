// Every way a weight file can be wrong ends in one WeightFileError that names the file and the
// problem: no crash, no hang, no allocation the file's size does not justify.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { WeightFileError, detectWeightFormat, readWeightFile } from '../../../src-main/engine/weights/index.js';
import { expected, fixture, readBytes, refusal, tempDir } from './fixtures.js';
import { dict, op, pickle, tensor } from './pickle.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const NOT_WEIGHTS =
  'not a weight file: expected safetensors, a PyTorch zip archive, Keras HDF5/.keras or a TF.js model.json';
const FILES = Object.keys(expected).filter((f) => !f.startsWith('tfjs'));

/** A deterministic byte stream (xorshift32). */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('not a weight file at all', () => {
  it('a missing file', async () => {
    const path = join(tmp.dir, 'nope.pth');
    expect((await refusal(path)).reason).toBe('no such file');
    await expect(detectWeightFormat(path)).rejects.toThrow(`${path}: no such file`);
  });
  it('a directory without model.json', async () => {
    const dir = join(tmp.dir, 'folder');
    mkdirSync(dir);
    expect((await refusal(dir)).reason).toBe(
      'is a directory: expected a weight file, or a TF.js model folder with model.json',
    );
  });
  it('an empty file', async () => {
    expect((await refusal(tmp.file('empty.safetensors', new Uint8Array(0)))).reason).toBe('is empty (0 bytes)');
  });
  it('a PNG', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...noise(200, 7)]);
    expect((await refusal(tmp.file('image.h5', png))).reason).toBe(NOT_WEIGHTS);
  });
  it('random bytes', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      expect((await refusal(tmp.file(`noise${seed}.safetensors`, noise(3000, seed)))).reason).toBe(NOT_WEIGHTS);
    }
  });
  it('a JSON file that is not a TF.js model', async () => {
    const path = tmp.file('config.json', strToU8('{"lr": 0.1}'));
    expect((await refusal(path)).reason).toBe(`${NOT_WEIGHTS} (a JSON file without "weightsManifest")`);
  });
  it('a zip archive that is neither PyTorch nor Keras', async () => {
    const path = tmp.file('docs.zip', zipSync({ 'readme.txt': strToU8('hello') }));
    expect((await refusal(path)).reason).toMatch(/^not a weight file: .*\(a zip archive with neither/);
  });
});

describe('truncated files', () => {
  it('a safetensors file cut in half', async () => {
    const bytes = readBytes(fixture('safetensors_all_dtypes.safetensors'));
    const e = await refusal(tmp.file('half.safetensors', bytes.slice(0, bytes.length >> 1)));
    expect(e.reason).toMatch(/^truncated safetensors file/);
  });
  it('a PyTorch archive cut in half', async () => {
    const bytes = readBytes(fixture('torch_tiny_convnet.pth'));
    const e = await refusal(tmp.file('half.pth', bytes.slice(0, bytes.length >> 1)));
    expect(e.reason).toBe('truncated or damaged zip archive: no end-of-central-directory record');
  });
  it('a .keras archive cut in half', async () => {
    const bytes = readBytes(fixture('keras3_model.keras'));
    const e = await refusal(tmp.file('half.keras', bytes.slice(0, bytes.length >> 1)));
    expect(e.reason).toBe('truncated or damaged zip archive: no end-of-central-directory record');
  });
  it('an HDF5 file cut in half', async () => {
    const bytes = readBytes(fixture('keras_full_model.h5'));
    const e = await refusal(tmp.file('half.h5', bytes.slice(0, bytes.length >> 1)));
    expect(e.reason).toMatch(/^truncated HDF5 file \(truncated file: eof = 11368/);
  });
  it.each(FILES)('%s cut anywhere', async (name) => {
    const bytes = readBytes(fixture(name));
    const cuts = [1, 7, 8, 9, 30, 64, 100, 511, 600, 2048, bytes.length / 3, bytes.length - 22, bytes.length - 1];
    for (const cut of cuts.map(Math.floor).filter((c) => c < bytes.length)) {
      const e = await refusal(tmp.file(`cut-${cut}-${name.replace('/', '_')}`, bytes.slice(0, cut)));
      expect(e).toBeInstanceOf(WeightFileError);
    }
  });
});

describe('damaged bytes never escape as another error', () => {
  // HDF5 files are left out: the HDF5 library itself calls abort() on some damaged metadata
  // (caught as a WeightFileError, but it prints to stderr).
  it.each(FILES.filter((f) => !f.endsWith('.h5')))('%s with bytes overwritten', async (name) => {
    const bytes = readBytes(fixture(name));
    const rand = noise(4 * 60, 99);
    for (let trial = 0; trial < 60; trial++) {
      const b = bytes.slice();
      for (let k = 0; k < 2; k++) {
        const at = (rand[trial * 4 + k * 2]! * 256 + rand[trial * 4 + k * 2 + 1]!) % b.length;
        b[at] = b[at]! ^ 0x5a;
      }
      const path = tmp.file(`flip-${trial}-${name}`, b);
      await readWeightFile(path).catch((e: unknown) => expect(e).toBeInstanceOf(WeightFileError));
    }
  });
});

describe('sizes are checked before anything is allocated', () => {
  /** A deflated torch archive whose storage is 100000 zero bytes (a few hundred compressed). */
  const zeros = () =>
    zipSync({
      'archive/data.pkl': [pickle(dict([[op.str('w'), tensor('0', 25000, 0, [25000], [1])]])), { level: 6 }],
      'archive/data/0': [new Uint8Array(100_000), { level: 9 }],
      'archive/version': strToU8('3\n'),
    });

  it('a zip entry claiming more than deflate can produce', async () => {
    const bytes = zeros();
    // Patch data/0's uncompressed size in the central directory to 0xfffffff0 (4 GB).
    const v = new DataView(bytes.buffer);
    const name = strToU8('archive/data/0');
    for (let at = 0; at < bytes.length - 46; at++) {
      if (v.getUint32(at, true) === 0x02014b50 && name.every((c, i) => bytes[at + 46 + i] === c)) {
        v.setUint32(at + 24, 0xfffffff0, true);
      }
    }
    const e = await refusal(tmp.file('bomb.pth', bytes));
    expect(e.reason).toMatch(/^zip entry archive\/data\/0: claims 4\.0 GB from \d+ bytes of deflate data/);
  });
  it('a zip entry that would inflate past maxBytes', async () => {
    const bytes = zeros();
    expect(bytes.length).toBeLessThan(2000);
    const e = await refusal(tmp.file('zeros.pth', bytes), { maxBytes: 50_000 });
    expect(e.reason).toBe(
      'zip entry archive/data/0 needs 97.7 KB, more than the limit of 48.8 KB (ANNEAL_MAX_WEIGHT_BYTES raises it)',
    );
  });
  it('a file larger than maxBytes, before reading it', async () => {
    const e = await refusal(fixture('torch_tiny_convnet.pth'), { maxBytes: 1000 });
    expect(e.reason).toBe('is 3.4 KB, more than the limit of 1000 bytes (ANNEAL_MAX_WEIGHT_BYTES raises it)');
  });
  it('a TF.js model larger than maxBytes', async () => {
    const e = await refusal(fixture('tfjs_model'), { maxBytes: 1200 });
    expect(e.reason).toBe('is 1.3 KB, more than the limit of 1.2 KB (ANNEAL_MAX_WEIGHT_BYTES raises it)');
  });
  it('the default limit reads ordinary files', async () => {
    expect((await readWeightFile(fixture('torch_half.pth'))).names).toHaveLength(10);
  });
});

describe('files that are not what they seem', () => {
  it('a PyTorch-looking zip without data.pkl', async () => {
    const path = tmp.file(
      'nopkl.pth',
      zipSync({ 'archive/data/0': new Uint8Array(4), 'archive/data.pkl.bak': new Uint8Array(1) }),
    );
    expect((await refusal(path)).reason).toMatch(/^not a weight file/);
  });
  it('model.json in a folder, read through the folder, with a shard that is a directory', async () => {
    const dir = join(tmp.dir, 'tfjs-dir-shard');
    mkdirSync(join(dir, 'a.bin'), { recursive: true });
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['a.bin'], weights: [] }] }));
    expect((await refusal(dir)).reason).toBe('weight shard "a.bin" listed in model.json is missing');
  });
});
