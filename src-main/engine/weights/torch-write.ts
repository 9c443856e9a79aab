// Writes a state_dict as torch.save does (zip format, pickle protocol 2; torch/serialization.py
// `_save`), so that torch.load, with or without weights_only=True, reads it back.
import { basename, extname } from 'node:path';
import { writeFileSync } from 'node:fs';
import { float32Bytes } from './dtype.js';
import { WeightFileError } from './errors.js';
import { checkWriterInput } from './safetensors.js';
import { buildZip } from './zip.js';

export interface TorchTensorInput {
  name: string;
  shape: number[];
  data: Float32Array | BigInt64Array;
  /** Defaults to the data's type: Float32Array is float32, BigInt64Array int64. */
  dtype?: 'float32' | 'int64';
}

/** Pickle opcodes (Lib/pickletools.py). */
const OP = {
  PROTO: 0x80,
  GLOBAL: 0x63,
  EMPTY_TUPLE: 0x29,
  REDUCE: 0x52,
  MARK: 0x28,
  TUPLE: 0x74,
  BINUNICODE: 0x58,
  BININT1: 0x4b,
  BININT2: 0x4d,
  BININT: 0x4a,
  LONG1: 0x8a,
  BINPERSID: 0x51,
  NEWFALSE: 0x89,
  SETITEMS: 0x75,
  STOP: 0x2e,
} as const;

class PickleWriter {
  private bytes: number[] = [];
  op(code: number): this {
    this.bytes.push(code);
    return this;
  }
  global(module: string, name: string): this {
    this.op(OP.GLOBAL).bytes.push(...new TextEncoder().encode(`${module}\n${name}\n`));
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.op(OP.BINUNICODE)
      .u32(b.length)
      .bytes.push(...b);
    return this;
  }
  int(n: number): this {
    if (n >= 0 && n < 0x100) return this.op(OP.BININT1).op(n);
    if (n >= 0 && n < 0x10000)
      return this.op(OP.BININT2)
        .op(n & 0xff)
        .op(n >> 8);
    if (n >= -(2 ** 31) && n < 2 ** 31) return this.op(OP.BININT).u32(n >>> 0);
    // LONG1: 8-byte two's complement (numbers here are < 2^53).
    const v = new DataView(new ArrayBuffer(8));
    v.setBigInt64(0, BigInt(n), true);
    this.op(OP.LONG1)
      .op(8)
      .bytes.push(...new Uint8Array(v.buffer));
    return this;
  }
  tuple(items: readonly number[]): this {
    if (items.length === 0) return this.op(OP.EMPTY_TUPLE);
    this.op(OP.MARK);
    items.forEach((i) => this.int(i));
    return this.op(OP.TUPLE);
  }
  private u32(n: number): this {
    this.bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let i = shape.length - 1, step = 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

function int64Bytes(path: string, t: TorchTensorInput): Uint8Array {
  const out = new DataView(new ArrayBuffer(t.data.length * 8));
  t.data.forEach((v: number | bigint, i: number) => {
    if (typeof v === 'number' && !Number.isInteger(v)) {
      throw new WeightFileError(path, `tensor "${t.name}" is int64 but holds ${v}`);
    }
    out.setBigInt64(i * 8, BigInt(v), true);
  });
  return new Uint8Array(out.buffer);
}

/** Writes tensors as an OrderedDict state_dict in torch's zip format. */
export function writeTorchStateDict(path: string, tensors: readonly TorchTensorInput[]): void {
  checkWriterInput(path, tensors);
  // torch names the archive's folder after the file (inline_container: the "archive name").
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'archive';
  const p = new PickleWriter().op(OP.PROTO).op(2);
  p.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE).op(OP.MARK);
  const storages: Uint8Array[] = [];
  tensors.forEach((t, key) => {
    const int64 = (t.dtype ?? (t.data instanceof BigInt64Array ? 'int64' : 'float32')) === 'int64';
    const data = int64
      ? int64Bytes(path, t)
      : float32Bytes(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data, Number));
    storages.push(data);
    p.str(t.name).global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK);
    // The persistent id ('storage', type, key, location, numel) of torch's persistent_id().
    p.op(OP.MARK)
      .str('storage')
      .global('torch', int64 ? 'LongStorage' : 'FloatStorage');
    p.str(String(key)).str('cpu').int(t.data.length).op(OP.TUPLE).op(OP.BINPERSID);
    p.int(0).tuple(t.shape).tuple(contiguousStrides(t.shape)).op(OP.NEWFALSE);
    p.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE); // backward hooks
    p.op(OP.TUPLE).op(OP.REDUCE);
  });
  p.op(OP.SETITEMS).op(OP.STOP);
  const enc = new TextEncoder();
  const files = [
    { name: `${stem}/data.pkl`, data: p.done() },
    { name: `${stem}/byteorder`, data: enc.encode('little') },
    ...storages.map((data, key) => ({ name: `${stem}/data/${key}`, data })),
    { name: `${stem}/version`, data: enc.encode('3\n') },
  ];
  writeFileSync(path, Buffer.concat(buildZip(path, files)));
}
