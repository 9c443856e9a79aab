// Issue 15 items 7 and 8: small files cannot make a reader work or allocate without bound. The
// unpickler's work is bounded, messages describe values with a bounded repr, and declared sizes
// are checked against the file and the documented limits before anything is allocated.
import { zipSync } from 'fflate';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/engine/errors.js';
import { readWeightFile } from '../../../src-main/engine/weights/index.js';
import type { PyDict } from '../../../src-main/engine/weights/unpickler.js';
import { PICKLE_LIMITS, pyRepr, unpickle, type PyValue } from '../../../src-main/engine/weights/unpickler.js';
import { torchHooks } from '../../../src-main/engine/weights/torch-pickle.js';
import { fixture, refusal, tempDir } from './fixtures.js';
import { dict, f32, op, pickle, tensor, torchArchive } from './pickle.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const EMPTY_LIST = 0x5d;
const BINPUT = 0x71;
const BINGET = 0x68;
const LIST = 0x6c;
const SETITEM = 0x73;
const MEMOIZE = 0x94;

/** A dict whose one key is a list of two lists of two lists … (depth levels), every level shared. */
function sharedKeyPickle(depth: number): Uint8Array {
  const body: number[] = [...op.emptyDict, EMPTY_LIST, BINPUT, 0, ...op.pop];
  for (let i = 0; i < depth; i++) body.push(...op.mark, BINGET, 0, BINGET, 0, LIST, BINPUT, 0, ...op.pop);
  body.push(BINGET, 0, ...op.none, SETITEM);
  return pickle(body);
}

describe('the unpickler’s work is bounded (item 7)', () => {
  it('a 2^60-leaf key in a tiny .pth is described in a few characters, not walked', async () => {
    const bytes = torchArchive(sharedKeyPickle(60));
    expect(bytes.length).toBeLessThan(2000);
    const e = await refusal(tmp.file('shared.pth', bytes));
    expect(e.reason).toMatch(/^no state_dict in this file.*\(top-level keys: \[\[\[\[…\], \[…\]\], .*\]\)$/);
    expect(e.reason.length).toBeLessThan(200);
  });

  it('pyRepr stops after a few levels, items and characters', () => {
    const root = unpickle(sharedKeyPickle(200), torchHooks) as PyDict;
    const key = [...root.map.keys()][0] as PyValue;
    expect(pyRepr(key).length).toBeLessThanOrEqual(61);
    expect(pyRepr('x'.repeat(10_000)).length).toBeLessThanOrEqual(61);
  });

  it('refuses more memo entries than any state_dict has', () => {
    const body = [...op.none, ...new Array<number>(PICKLE_LIMITS.memo + 1).fill(MEMOIZE)];
    expect(() => unpickle(pickle(body), torchHooks)).toThrow(/more than 1000000 memo entries/);
  });
});

describe('declared sizes are checked before allocating (item 8)', () => {
  afterEach(() => {
    delete process.env.ANNEAL_MAX_TENSOR_BYTES;
    delete process.env.ANNEAL_MAX_WEIGHT_BYTES;
  });

  it('a stride-0 tensor of 20000×20000 from one stored float is refused', async () => {
    const pkl = pickle(dict([[op.str('w'), tensor('0', 1, 0, [20000, 20000], [0, 0])]]));
    const bytes = torchArchive(pkl, { '0': f32(1) });
    expect(bytes.length).toBeLessThan(1000);
    const e = await refusal(tmp.file('stride0.pth', bytes));
    expect(e.reason).toMatch(/tensor "w" declares 400000000 elements \(1\.5 GB\) from 1 in storage 0: .* refused/);
  });

  it('a small expand()ed view is still read (torch saves them)', async () => {
    const pkl = pickle(dict([[op.str('w'), tensor('0', 2, 0, [3, 2], [0, 1])]]));
    const file = await readWeightFile(tmp.file('expand.pth', torchArchive(pkl, { '0': f32(1, 2) })));
    expect([...file.tensors.get('w')!.data]).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('a deflate stream claiming far more than weights compress to is refused before inflating', async () => {
    const n = 8 * 1024 * 1024; // 32 MB of zeros deflate to ~32 KB
    const pkl = pickle(dict([[op.str('w'), tensor('0', n, 0, [n], [1])]]));
    const bytes = zipSync(
      { 'archive/data.pkl': [pkl, { level: 0 }], 'archive/data/0': [new Uint8Array(n * 4), { level: 9 }] },
      {},
    );
    expect(bytes.length).toBeLessThan(100_000);
    const e = await refusal(tmp.file('bomb.pth', bytes));
    expect(e.reason).toMatch(/^zip entry archive\/data\/0: claims 32\.0 MB from .* more than 100:1/);
  });

  it('ANNEAL_MAX_TENSOR_BYTES is the limit for one tensor, named in the refusal', async () => {
    process.env.ANNEAL_MAX_TENSOR_BYTES = '256';
    const e = await refusal(fixture('torch_tiny_convnet.pth'));
    expect(e.reason).toMatch(
      /needs .*, more than the limit of 256 bytes for one tensor \(ANNEAL_MAX_TENSOR_BYTES raises it\)/,
    );
    expect(e.kind).toBe('too-large');
    process.env.ANNEAL_MAX_TENSOR_BYTES = '1M';
    expect((await readWeightFile(fixture('torch_tiny_convnet.pth'))).names.length).toBeGreaterThan(0);
  });

  it('ANNEAL_MAX_WEIGHT_BYTES bounds the whole file; a malformed setting is the user’s mistake', async () => {
    process.env.ANNEAL_MAX_WEIGHT_BYTES = '1000';
    const e = await refusal(fixture('torch_tiny_convnet.pth'));
    expect(e.reason).toBe('is 3.4 KB, more than the limit of 1000 bytes (ANNEAL_MAX_WEIGHT_BYTES raises it)');
    process.env.ANNEAL_MAX_WEIGHT_BYTES = 'lots';
    await expect(readWeightFile(fixture('torch_tiny_convnet.pth'))).rejects.toThrow(InputError);
    await expect(readWeightFile(fixture('torch_tiny_convnet.pth'))).rejects.toThrow(
      /ANNEAL_MAX_WEIGHT_BYTES=lots: expected a number of bytes/,
    );
  });
});
