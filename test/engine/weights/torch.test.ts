// PyTorch zip archives: real torch.save fixtures (views, shared storages, checkpoints, float16),
// the state_dict search, byte order, deflated entries, and the writer.
import { existsSync, readFileSync } from 'node:fs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { readWeightFile, writeTorchStateDict } from '../../../src-main/engine/weights/index.js';
import { expectMatches, expected, fixture, readBytes, refusal, tempDir } from './fixtures.js';
import { dict, f32, op, pickle, tensor, torchArchive } from './pickle.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('real torch.save files', () => {
  it('materialises views through their offset and strides', async () => {
    const file = await readWeightFile(fixture('torch_views.pth'));
    const get = (n: string) => file.tensors.get(n)!;
    // transposed = base.t() of a 3x5 base: element [i][j] is base[j][i].
    const t = get('transposed');
    expect(t.shape).toEqual([5, 3]);
    const base = expected['torch_views.pth']!.tensors.transposed!.values;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) expect(t.data[i * 3 + j]).toBe(base[i * 3 + j]);
    expect(get('expanded').data.slice(0, 3)).toEqual(get('expanded').data.slice(3));
    expect(get('param').shape).toEqual([2, 2]);
    expect(get('scalar').data).toEqual(Float32Array.from([2.5]));
  });

  it('gives tensors that share a storage their own arrays, with the shared elements equal', async () => {
    const file = await readWeightFile(fixture('torch_views.pth'));
    const a = file.tensors.get('shared_a')!.data; // flat[0:6] as 2x3
    const b = file.tensors.get('shared_b')!.data; // flat[4:10]
    expect([a[4], a[5]]).toEqual([b[0], b[1]]);
    b[0] = 99;
    expect(a[4]).not.toBe(99);
  });

  it('takes the state_dict out of a DataParallel checkpoint and drops "module."', async () => {
    const file = await readWeightFile(fixture('torch_checkpoint.pth'));
    expect(file.names).toEqual(expected['torch_tiny_convnet.pth']!.names);
    expect(file.tensors.get('bn.num_batches_tracked')!.data[0]).toBe(7);
  });

  it('reads float16 and bfloat16 storages', async () => {
    const file = await readWeightFile(fixture('torch_half.pth'));
    expect(file.tensors.get('conv.weight')!.dtype).toBe('float16');
    expect(file.tensors.get('extra.bf16')!.dtype).toBe('bfloat16');
    expect(file.tensors.get('bn.num_batches_tracked')!.dtype).toBe('int64');
  });

  it('reads the same archive with deflated entries', async () => {
    const entries = unzipSync(readBytes(fixture('torch_tiny_convnet.pth')));
    const deflated = tmp.file('deflated.pth', zipSync(entries, { level: 6 }));
    expectMatches(await readWeightFile(deflated), expected['torch_tiny_convnet.pth']!);
  });
});

describe('state_dict search', () => {
  const weight = tensor('0', 2, 0, [2], [1]);
  const read = async (name: string, pkl: Uint8Array) =>
    readWeightFile(tmp.file(name, torchArchive(pkl, { 0: f32(1, 2) })));

  it('finds it under "model"', async () => {
    const pkl = pickle(
      dict([
        [op.str('epoch'), op.int(3)],
        [op.str('model'), dict([[op.str('fc.weight'), weight]])],
      ]),
    );
    expect((await read('model.pth', pkl)).names).toEqual(['fc.weight']);
  });
  it('prefers "state_dict" to another dict of tensors', async () => {
    const other = dict([[op.str('ema.weight'), weight]]);
    const pkl = pickle(
      dict([
        [op.str('ema'), other],
        [op.str('state_dict'), dict([[op.str('w'), weight]])],
      ]),
    );
    expect((await read('prefer.pth', pkl)).names).toEqual(['w']);
  });
  it('takes the first dict of tensors one level down when no usual key names it', async () => {
    const pkl = pickle(
      dict([
        [op.str('meta'), op.str('x')],
        [op.str('weights'), dict([[op.str('w'), weight]])],
      ]),
    );
    expect((await read('first.pth', pkl)).names).toEqual(['w']);
  });
  it('keeps "module." unless every key has it', async () => {
    const pkl = pickle(
      dict([
        [op.str('module.a'), weight],
        [op.str('b'), weight],
      ]),
    );
    expect((await read('mixed.pth', pkl)).names).toEqual(['module.a', 'b']);
  });
  it('says so when there is none', async () => {
    const path = tmp.file('none.pth', torchArchive(pickle(dict([[op.str('epoch'), op.int(3)]]))));
    expect((await refusal(path)).reason).toMatch(/^no state_dict in this file.*top-level keys: epoch/);
  });
});

describe('storages', () => {
  it('honours byteorder "big"', async () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const path = tmp.file(
      'big.pth',
      torchArchive(pickle(dict([[op.str('w'), tensor('0', 2, 0, [2], [1])]])), { 0: be }, 'big'),
    );
    expect(Array.from((await readWeightFile(path)).tensors.get('w')!.data)).toEqual([1.5, -2]);
  });
  it('refuses a view that reads past its storage', async () => {
    const pkl = pickle(dict([[op.str('w'), tensor('0', 4, 0, [3], [2])]]));
    const path = tmp.file('past.pth', torchArchive(pkl, { 0: f32(1, 2, 3, 4) }));
    expect((await refusal(path)).reason).toBe('tensor "w" reads element 4 of storage 0, which has 4');
  });
  it('refuses a missing storage', async () => {
    const path = tmp.file('missing.pth', torchArchive(pickle(dict([[op.str('w'), tensor('7', 2, 0, [2], [1])]]))));
    expect((await refusal(path)).reason).toBe('storage 7 is missing from the archive');
  });
});

describe('writeTorchStateDict', () => {
  const tensors = [
    { name: 'conv.weight', shape: [2, 1, 2, 2], data: Float32Array.from({ length: 8 }, (_, i) => i / 4 - 1) },
    { name: 'bn.num_batches_tracked', shape: [], data: BigInt64Array.from([12n]) },
    { name: 'fc.bias', shape: [3], data: Float32Array.from([0.5, -0.25, 3]) },
    { name: 'steps', shape: [2], data: Float32Array.from([4, -5]), dtype: 'int64' as const },
    { name: 'empty', shape: [0], data: new Float32Array(0) },
  ];

  // By hand, once (torch is not a test dependency): torch 1.13's
  //   torch.load('written.pth', weights_only=True)
  // returns this OrderedDict with conv.weight float32 [2,1,2,2], num_batches_tracked int64 12.
  it('round-trips through readWeightFile', async () => {
    const path = tmp.file('written.pth');
    writeTorchStateDict(path, tensors);
    const file = await readWeightFile(path);
    expect(file.format).toBe('torch');
    expect(file.names).toEqual(tensors.map((t) => t.name));
    expect(file.tensors.get('conv.weight')!.data).toEqual(tensors[0]!.data);
    expect(file.tensors.get('bn.num_batches_tracked')).toMatchObject({ dtype: 'int64', shape: [] });
    expect(file.tensors.get('bn.num_batches_tracked')!.data[0]).toBe(12);
    expect(file.tensors.get('steps')).toMatchObject({ dtype: 'int64', data: Float32Array.from([4, -5]) });
    expect(file.tensors.get('empty')!.shape).toEqual([0]);
  });

  it('lays the archive out as torch does: <stem>/…, stored, data 64-byte aligned', () => {
    const path = tmp.file('layout.pth');
    writeTorchStateDict(path, tensors);
    const bytes = new Uint8Array(readFileSync(path));
    const names = Object.keys(unzipSync(bytes));
    expect(names).toEqual([
      'layout/data.pkl',
      'layout/byteorder',
      ...tensors.map((_, i) => `layout/data/${i}`),
      'layout/version',
    ]);
    const v = new DataView(bytes.buffer);
    for (let at = 0; v.getUint32(at, true) === 0x04034b50;) {
      const size = v.getUint32(at + 18, true);
      const data = at + 30 + v.getUint16(at + 26, true) + v.getUint16(at + 28, true);
      expect(v.getUint16(at + 8, true)).toBe(0); // stored
      expect(data % 64).toBe(0);
      at = data + size;
    }
    expect(new TextDecoder().decode(unzipSync(bytes)['layout/version'])).toBe('3\n');
  });

  it('refuses data that does not match its shape', () => {
    expect(() =>
      writeTorchStateDict(tmp.file('bad.pth'), [{ name: 'w', shape: [3], data: new Float32Array(2) }]),
    ).toThrow('tensor "w" has 2 values but shape [3] needs 3');
  });
});

describe('pickles that must not run', () => {
  it('refuses the posix.system payload of a real torch.save file, and runs nothing', async () => {
    const marker = '/tmp/anneal-weights-pickle-was-executed';
    const before = existsSync(marker);
    const e = await refusal(fixture('torch_malicious.pth'));
    expect(e.reason).toBe('refusing to load posix.system: pickle may only build tensors');
    expect(existsSync(marker)).toBe(before);
  });
  it.each([
    ['os', 'system'],
    ['builtins', 'eval'],
    ['__builtin__', 'getattr'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['collections', 'defaultdict'],
  ])('refuses GLOBAL %s %s even if it is never called', async (module, name) => {
    const pkl = pickle(op.global(module, name), op.pop, dict([]));
    const e = await refusal(tmp.file(`${module}-${name}.pth`, torchArchive(pkl)));
    expect(e.reason).toBe(`refusing to load ${module}.${name}: pickle may only build tensors`);
  });
  it('refuses a tensor kind it cannot read', async () => {
    const pkl = pickle(op.global('torch._utils', '_rebuild_qtensor'), op.pop, dict([]));
    expect((await refusal(tmp.file('q.pth', torchArchive(pkl)))).reason).toMatch(/^unsupported tensor kind/);
  });
  it('refuses an unknown opcode', async () => {
    const pkl = Uint8Array.from([...op.proto(), 0x49, ...strToU8('3\n'), ...op.stop]); // INT: protocol 0 text
    const e = await refusal(tmp.file('opcode.pth', torchArchive(pkl)));
    expect(e.reason).toBe("damaged archive/data.pkl: unsupported pickle opcode 0x49 ('I') at byte 2");
  });
  it('refuses a truncated pickle', async () => {
    const pkl = pickle(dict([[op.str('w'), tensor('0', 2, 0, [2], [1])]])).slice(0, 40);
    const e = await refusal(tmp.file('short.pth', torchArchive(pkl)));
    expect(e.reason).toMatch(/^damaged archive\/data\.pkl: truncated pickle/);
  });
  it('refuses the legacy (pre-1.6) format with what to do about it', async () => {
    expect((await refusal(fixture('torch_legacy.pth'))).reason).toBe(
      'legacy PyTorch format: re-save with torch >= 1.6 (torch.save(sd, f))',
    );
  });
  it('refuses a bare pickle', async () => {
    const e = await refusal(tmp.file('bare.pkl', pickle(dict([]))));
    expect(e.reason).toMatch(/^not a weight file: .*\(a bare Python pickle/);
  });
});
