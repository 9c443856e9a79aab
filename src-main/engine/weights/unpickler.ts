// A restricted unpickler: a stack machine for the opcodes of pickle protocols 2-5 that carry
// data (Python's Lib/pickle.py and pickletools.py document each). It never imports or calls
// anything: GLOBAL, REDUCE, NEWOBJ and persistent ids go to hooks, which decide what a name
// means; everything else (text-protocol and extension opcodes) is refused.

/** A Python value as the hooks and the caller see it. Sets and lists are both arrays. */
export type PyValue =
  null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | PyObject;

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** dict and OrderedDict, in insertion order. Keys are primitives, or the key object itself. */
export class PyDict {
  readonly map = new Map<PyValue, PyValue>();
}

/** A name a GLOBAL opcode pushed, after the hooks allowed it. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Whatever a hook builds (a tensor, a storage reference). */
export abstract class PyObject {}

export interface PickleHooks {
  /** GLOBAL / STACK_GLOBAL: return the name's meaning, or throw to refuse it. */
  global(module: string, name: string): PyValue;
  /** REDUCE, and NEWOBJ (args as given to cls.__new__). */
  call(fn: PyValue, args: readonly PyValue[]): PyValue;
  /** BINPERSID. */
  persistentLoad(pid: PyValue): PyValue;
}

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/**
 * Bounds on the work one pickle may cause (docs/security.md). Each opcode pushes at most one
 * value, so memory is linear in the pickle's size, but shared children (DUP, BINGET) make a
 * small pickle describe an exponentially large tree: anything that walks values must be bounded
 * too (pyRepr). A torchvision ResNet-152 state_dict pickle is ~40k opcodes, 2k memo entries.
 */
export const PICKLE_LIMITS = { opcodes: 20_000_000, memo: 1_000_000, items: 20_000_000 } as const;

/**
 * A short, bounded description of a value for messages: at most `max` characters, and never
 * more than a few levels or items deep, however the value's children are shared. (String() of
 * a list of lists sharing children ran for ever on a 684-byte file.)
 */
export function pyRepr(v: PyValue, max = 60): string {
  let out = '';
  let budget = 64; // values visited
  const walk = (x: PyValue, depth: number): void => {
    if (out.length > max || --budget < 0) return;
    if (x === null) out += 'None';
    else if (typeof x === 'string') out += JSON.stringify(x.length > max ? `${x.slice(0, max)}…` : x);
    else if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') out += String(x);
    else if (x instanceof Uint8Array) out += `<${x.length} bytes>`;
    else if (x instanceof PyGlobal) out += x.qualified;
    else if (Array.isArray(x) || x instanceof PyTuple) {
      const items = Array.isArray(x) ? x : x.items;
      const [open, close] = Array.isArray(x) ? ['[', ']'] : ['(', ')'];
      if (depth >= 3) {
        out += `${open}…${close}`;
        return;
      }
      out += open;
      items.slice(0, 4).forEach((item, i) => {
        if (i) out += ', ';
        walk(item, depth + 1);
      });
      out += `${items.length > 4 ? ', …' : ''}${close}`;
    } else if (x instanceof PyDict) out += `{${x.map.size} items}`;
    else out += '<object>';
  };
  walk(v, 0);
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

export function unpickle(bytes: Uint8Array, hooks: PickleHooks): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const stack: Slot[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;

  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) {
      throw new PickleError(`truncated pickle: needs ${n} bytes at byte ${pos} of ${bytes.length}`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError(`stack underflow at byte ${pos}`);
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PickleError(`stack underflow at byte ${pos}`);
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new PickleError(`no MARK on the stack at byte ${pos}`);
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const str = (n: number): string => {
    const at = need(n);
    try {
      return text.decode(bytes.subarray(at, at + n));
    } catch {
      throw new PickleError(`invalid UTF-8 string at byte ${at}`);
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(`truncated pickle: unterminated GLOBAL at byte ${pos}`);
    return str(end - pos + 1).slice(0, -1);
  };
  let itemCount = 0;
  const grow = (n: number): void => {
    itemCount += n;
    if (itemCount > PICKLE_LIMITS.items)
      throw new PickleError(`more than ${PICKLE_LIMITS.items} items: not a state_dict`);
  };
  const remember = (i: number): void => {
    if (!memo.has(i) && memo.size >= PICKLE_LIMITS.memo) {
      throw new PickleError(`more than ${PICKLE_LIMITS.memo} memo entries: not a state_dict`);
    }
    memo.set(i, top());
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    if (!(target instanceof PyDict) || items.length % 2) throw new PickleError(`SETITEM(S) on a non-dict`);
    grow(items.length / 2);
    for (let i = 0; i < items.length; i += 2) target.map.set(items[i]!, items[i + 1]!);
  };
  const append = (target: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(target)) throw new PickleError(`APPEND(S) on a non-list`);
    grow(items.length);
    for (const item of items) target.push(item);
  };
  const long = (n: number): bigint | number => {
    // Bounded: the byte-by-byte BigInt build is quadratic, and no tensor metadata needs > 64 bits.
    if (n > 64) throw new PickleError(`integer of ${n} bytes at byte ${pos}: too large`);
    const at = need(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
    if (n > 0 && bytes[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (let ops = 0; ; ops++) {
    if (ops > PICKLE_LIMITS.opcodes)
      throw new PickleError(`more than ${PICKLE_LIMITS.opcodes} opcodes: not a state_dict`);
    const op = bytes[need(1)]!;
    switch (op) {
      case 0x80: // PROTO
        if (bytes[need(1)]! > 5) throw new PickleError(`pickle protocol ${bytes[pos - 1]} is newer than 5`);
        break;
      case 0x95: // FRAME: a length prefix, the opcodes follow inline
        need(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.pop() === undefined) throw new PickleError(`stack underflow at byte ${pos}`);
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1)]!);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1
        stack.push(long(bytes[need(1)]!));
        break;
      case 0x8b: // LONG4
        stack.push(long(view.getInt32(need(4), true)));
        break;
      case 0x47: // BINFLOAT: big-endian double
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(str(view.getUint32(need(4), true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(bytes[need(1)]!));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(str(Number(view.getBigUint64(need(8), true))));
        break;
      case 0x54: // BINSTRING (Python 2 str)
      case 0x55: // SHORT_BINSTRING
      case 0x42: // BINBYTES
      case 0x43: // SHORT_BINBYTES
      case 0x8e: {
        // BINBYTES8
        const n =
          op === 0x55 || op === 0x43
            ? bytes[need(1)]!
            : op === 0x8e
              ? Number(view.getBigUint64(need(8), true))
              : view.getUint32(need(4), true);
        const at = need(n);
        const raw = bytes.slice(at, at + n);
        stack.push(op === 0x54 || op === 0x55 ? new TextDecoder('latin1').decode(raw) : raw);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x5d: // EMPTY_LIST
      case 0x8f: // EMPTY_SET
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const items: PyValue[] = [];
        for (let i = op - 0x84; i > 0; i--) items.unshift(pop());
        stack.push(new PyTuple(items));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x91: // FROZENSET
        stack.push(new PyTuple(popMark()));
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        remember(bytes[need(1)]!);
        break;
      case 0x72: // LONG_BINPUT
        remember(view.getUint32(need(4), true));
        break;
      case 0x94: // MEMOIZE
        remember(memo.size);
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? bytes[need(1)]! : view.getUint32(need(4), true);
        if (!memo.has(i)) throw new PickleError(`memo entry ${i} read before it was written`);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(hooks.global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new PickleError('STACK_GLOBAL of non-strings');
        stack.push(hooks.global(module, name));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const fn = pop();
        if (!(args instanceof PyTuple)) throw new PickleError(`REDUCE/NEWOBJ with non-tuple arguments at byte ${pos}`);
        stack.push(hooks.call(fn, args.items));
        break;
      }
      case 0x62: // BUILD: would set attributes (e.g. a state_dict's _metadata); the data is complete without
        pop();
        top();
        break;
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      default:
        throw new PickleError(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}` +
            `${op >= 0x20 && op < 0x7f ? ` ('${String.fromCharCode(op)}')` : ''} at byte ${pos - 1}`,
        );
    }
  }
}
