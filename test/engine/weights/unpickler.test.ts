// The restricted unpickler on hand-assembled opcodes (Lib/pickletools.py): what each data opcode
// builds, and the refusals. The hooks here refuse every name, so nothing can be resolved or called.
import { describe, expect, it } from 'vitest';
import type { PyDict, PyTuple } from '../../../src-main/engine/weights/unpickler.js';
import { PickleError, type PickleHooks, type PyValue, unpickle } from '../../../src-main/engine/weights/unpickler.js';

const refuseAll: PickleHooks = {
  global: (m, n) => {
    throw new PickleError(`refused ${m}.${n}`);
  },
  call: () => {
    throw new PickleError('call');
  },
  persistentLoad: () => {
    throw new PickleError('pid');
  },
};
const run = (...bytes: (number | string)[]): PyValue =>
  unpickle(
    Uint8Array.from(bytes.flatMap((b) => (typeof b === 'string' ? [...new TextEncoder().encode(b)] : [b]))),
    refuseAll,
  );
const fails = (...bytes: (number | string)[]): string => {
  try {
    run(...bytes);
  } catch (e) {
    if (e instanceof PickleError) return e.message;
    throw e;
  }
  throw new Error('unpickled without error');
};

describe('data opcodes', () => {
  it('integers: BININT1/2, BININT, LONG1 (negative, and past 2^53 as bigint)', () => {
    expect(run(0x80, 2, 0x4b, 200, 0x2e)).toBe(200);
    expect(run(0x4d, 0x34, 0x12, 0x2e)).toBe(0x1234);
    expect(run(0x4a, 0xfe, 0xff, 0xff, 0xff, 0x2e)).toBe(-2);
    expect(run(0x8a, 2, 0x00, 0xff, 0x2e)).toBe(-256);
    expect(run(0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x2e)).toBe(2n ** 62n);
    expect(run(0x8a, 0, 0x2e)).toBe(0);
  });
  it('BINFLOAT (big-endian), None, booleans', () => {
    expect(run(0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x2e)).toBe(1.5);
    expect(run(0x4e, 0x2e)).toBeNull();
    expect(run(0x88, 0x2e)).toBe(true);
    expect(run(0x89, 0x2e)).toBe(false);
  });
  it('strings and bytes of every width', () => {
    expect(run(0x58, 3, 0, 0, 0, 'hé', 0x2e)).toBe('hé');
    expect(run(0x8c, 3, 'abc', 0x2e)).toBe('abc');
    expect(run(0x8d, 1, 0, 0, 0, 0, 0, 0, 0, 'z', 0x2e)).toBe('z');
    expect(run(0x55, 2, 'py', 0x2e)).toBe('py');
    expect(run(0x43, 2, 1, 2, 0x2e)).toEqual(Uint8Array.from([1, 2]));
  });
  it('tuples, lists, dicts, sets', () => {
    const t = run(0x4b, 1, 0x4b, 2, 0x86, 0x2e) as PyTuple;
    expect(t.items).toEqual([1, 2]);
    expect((run(0x28, 0x4b, 1, 0x4b, 2, 0x4b, 3, 0x74, 0x2e) as PyTuple).items).toEqual([1, 2, 3]);
    expect(run(0x5d, 0x28, 0x4b, 1, 0x4b, 2, 0x65, 0x4b, 3, 0x61, 0x2e)).toEqual([1, 2, 3]);
    expect(run(0x28, 0x4b, 4, 0x6c, 0x2e)).toEqual([4]);
    expect(run(0x8f, 0x28, 0x4b, 5, 0x90, 0x2e)).toEqual([5]);
    const d = run(0x7d, 0x8c, 1, 'a', 0x4b, 1, 0x73, 0x28, 0x8c, 1, 'b', 0x4b, 2, 0x75, 0x2e) as PyDict;
    expect([...d.map]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect([...(run(0x28, 0x8c, 1, 'k', 0x4e, 0x64, 0x2e) as PyDict).map]).toEqual([['k', null]]);
  });
  it('memo (BINPUT/BINGET, LONG_BINPUT/LONG_BINGET, MEMOIZE), POP, POP_MARK, DUP, FRAME', () => {
    expect(run(0x5d, 0x71, 3, 0x30, 0x68, 3, 0x2e)).toEqual([]);
    expect(run(0x4b, 9, 0x72, 0, 1, 0, 0, 0x30, 0x6a, 0, 1, 0, 0, 0x2e)).toBe(9);
    expect(run(0x4b, 7, 0x94, 0x30, 0x68, 0, 0x2e)).toBe(7);
    expect(run(0x4b, 1, 0x28, 0x4b, 2, 0x4b, 3, 0x31, 0x2e)).toBe(1);
    expect((run(0x5d, 0x32, 0x86, 0x2e) as PyTuple).items).toHaveLength(2);
    expect(run(0x80, 4, 0x95, 2, 0, 0, 0, 0, 0, 0, 0, 0x4b, 6, 0x2e)).toBe(6);
  });
});

describe('refusals', () => {
  it('hands GLOBAL and STACK_GLOBAL to the hooks, which may refuse', () => {
    expect(fails(0x63, 'os\nsystem\n', 0x2e)).toBe('refused os.system');
    expect(fails(0x8c, 2, 'os', 0x8c, 6, 'system', 0x93, 0x2e)).toBe('refused os.system');
  });
  it('an unknown or text-protocol opcode', () => {
    expect(fails(0x80, 2, 0x49, '1\n', 0x2e)).toBe("unsupported pickle opcode 0x49 ('I') at byte 2");
    expect(fails(0x69, 'os\nsystem\n', 0x2e)).toBe("unsupported pickle opcode 0x69 ('i') at byte 0"); // INST
    expect(fails(0xff)).toBe('unsupported pickle opcode 0xff at byte 0');
  });
  it('a protocol newer than 5', () => {
    expect(fails(0x80, 6, 0x2e)).toBe('pickle protocol 6 is newer than 5');
  });
  it('truncation, and lengths past the end', () => {
    expect(fails(0x4b)).toMatch(/^truncated pickle/);
    expect(fails(0x58, 0xff, 0xff, 0xff, 0x7f, 'abc')).toMatch(/^truncated pickle: needs 2147483647 bytes/);
    expect(fails(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10)).toMatch(/^truncated pickle/);
    expect(fails(0x4e)).toMatch(/^truncated pickle/); // no STOP
  });
  it('a huge integer, a memo read before its write, an empty stack, a missing MARK', () => {
    expect(fails(0x8b, 100, 0, 0, 0)).toMatch(/^integer of 100 bytes/);
    expect(fails(0x68, 5, 0x2e)).toBe('memo entry 5 read before it was written');
    expect(fails(0x2e)).toMatch(/^stack underflow/);
    expect(fails(0x74, 0x2e)).toMatch(/^no MARK on the stack/);
    expect(fails(0x4b, 1, 0x4b, 2, 0x73, 0x2e)).toBe('stack underflow at byte 5');
    expect(fails(0x5d, 0x4b, 1, 0x4b, 2, 0x73, 0x2e)).toBe('SETITEM(S) on a non-dict');
  });
  it('REDUCE goes to the hooks too (never to anything callable here)', () => {
    expect(fails(0x4e, 0x29, 0x52, 0x2e)).toBe('call');
  });
});
