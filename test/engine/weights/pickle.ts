// Hand-assembled pickles (opcodes from Python's Lib/pickletools.py) and torch-style archives
// around them, for the unpickler's refusals and the state_dict search.
import { buildZip } from '../../../src-main/engine/weights/zip.js';

type Bytes = number[];
const enc = (s: string): Bytes => [...new TextEncoder().encode(s)];
const u32 = (n: number): Bytes => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

export const op = {
  proto: (v = 2): Bytes => [0x80, v],
  stop: [0x2e],
  mark: [0x28],
  tuple: [0x74],
  emptyTuple: [0x29],
  emptyDict: [0x7d],
  setitems: [0x75],
  reduce: [0x52],
  binpersid: [0x51],
  newfalse: [0x89],
  none: [0x4e],
  pop: [0x30],
  str: (s: string): Bytes => [0x58, ...u32(enc(s).length), ...enc(s)],
  int: (n: number): Bytes => (n >= 0 && n < 256 ? [0x4b, n] : [0x4a, ...u32(n >>> 0)]),
  global: (module: string, name: string): Bytes => [0x63, ...enc(`${module}\n${name}\n`)],
};

export const ints = (values: readonly number[]): Bytes =>
  values.length ? [...op.mark, ...values.flatMap(op.int), ...op.tuple] : op.emptyTuple;

/** _rebuild_tensor_v2((storage pid), offset, shape, stride, False, OrderedDict()). */
export function tensor(
  key: string,
  numel: number,
  offset: number,
  shape: number[],
  stride: number[],
  storage = 'FloatStorage',
): Bytes {
  const pid = [...op.mark, ...op.str('storage'), ...op.global('torch', storage), ...op.str(key), ...op.str('cpu')];
  return [
    ...op.global('torch._utils', '_rebuild_tensor_v2'),
    ...op.mark,
    ...pid,
    ...op.int(numel),
    ...op.tuple,
    ...op.binpersid,
    ...op.int(offset),
    ...ints(shape),
    ...ints(stride),
    ...op.newfalse,
    ...op.global('collections', 'OrderedDict'),
    ...op.emptyTuple,
    ...op.reduce,
    ...op.tuple,
    ...op.reduce,
  ];
}

export function dict(entries: [Bytes, Bytes][]): Bytes {
  return [...op.emptyDict, ...op.mark, ...entries.flat(2), ...op.setitems];
}

export const pickle = (...body: Bytes[]): Uint8Array => Uint8Array.from([...op.proto(), ...body.flat(), ...op.stop]);

/** A torch.save-style archive: archive/data.pkl, archive/data/<key>, archive/version. */
export function torchArchive(
  pkl: Uint8Array,
  storages: Record<string, Uint8Array> = {},
  byteorder?: string,
): Uint8Array {
  const files = [
    { name: 'archive/data.pkl', data: pkl },
    ...(byteorder ? [{ name: 'archive/byteorder', data: new TextEncoder().encode(byteorder) }] : []),
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data })),
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
  ];
  return Buffer.concat(buildZip('test', files));
}

export const f32 = (...values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
