// torch.save's zip format (torch >= 1.6; torch/serialization.py `_save`, and
// caffe2/serialize/inline_container.h for the layout): <archive>/data.pkl holds the object
// tree, each storage is the entry <archive>/data/<key>, <archive>/byteorder says "little" or
// "big" (absent before torch 2.1: little). The pickle goes through the restricted unpickler.
import { ITEM_SIZE, numelOf, toFloat32 } from './dtype.js';
import { formatBytes, WeightFileError } from './errors.js';
import type { Budget, Source } from './file.js';
import { RefusedGlobal, type StorageRef, TensorRef, torchHooks } from './torch-pickle.js';
import type { RawTensor } from './types.js';
import { PickleError, PyDict, pyRepr, type PyValue, unpickle } from './unpickler.js';
import { listZip, readZipEntry } from './zip.js';

/** The most a view larger than its storage (an expand()ed tensor) may materialise. */
const MAX_EXPANDED_BYTES = 64 * 1024 * 1024;

/** Where checkpoints usually keep the weights, most specific first. */
const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model'];

export function readTorchZip(src: Source, budget: Budget): { tensors: RawTensor[] } {
  const bad = (reason: string) => new WeightFileError(src.path, reason);
  const entries = new Map(listZip(src).map((e) => [e.name, e]));
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw bad(`a zip archive, but not a PyTorch one: expected one <archive>/data.pkl, found ${pickles.length}`);
  }
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  let little = true;
  if (order) {
    const text = new TextDecoder().decode(readZipEntry(src, order, budget)).trim();
    if (text !== 'little' && text !== 'big') throw bad(`unknown byte order "${text.slice(0, 20)}"`);
    little = text === 'little';
  }
  let root: PyValue;
  try {
    root = unpickle(readZipEntry(src, entries.get(pickles[0]!)!, budget), torchHooks);
  } catch (e) {
    if (e instanceof RefusedGlobal) throw bad(e.message);
    if (e instanceof PickleError) throw bad(`damaged ${pickles[0]}: ${e.message}`);
    throw e;
  }
  let found = findStateDict(root);
  if (!found) {
    const keys =
      root instanceof PyDict
        ? [...root.map.keys()]
            .slice(0, 8)
            .map((k) => (typeof k === 'string' ? k.slice(0, 60) : pyRepr(k)))
            .join(', ')
        : '';
    throw bad(
      'no state_dict in this file: expected a dict of tensors at the top level or under one of its keys' +
        (keys ? ` (top-level keys: ${keys})` : ''),
    );
  }
  // nn.DataParallel / DistributedDataParallel prefix every key with "module.".
  if (found.every(([name]) => name.startsWith('module.'))) {
    found = found.map(([name, t]) => [name.slice('module.'.length), t]);
  }

  const storages = new Map<string, Float32Array>();
  const storage = (ref: StorageRef): Float32Array => {
    const id = `${ref.key}\0${ref.dtype}`;
    const cached = storages.get(id);
    if (cached) return cached;
    const entry = entries.get(`${prefix}data/${ref.key}`);
    if (!entry) throw bad(`storage ${ref.key} is missing from the archive`);
    const size = ITEM_SIZE[ref.dtype];
    if (entry.size % size) throw bad(`storage ${ref.key} is not a whole number of ${ref.dtype} values`);
    const raw = readZipEntry(src, entry, budget);
    budget.take((entry.size / size) * 4, `storage ${ref.key}`);
    const values = toFloat32(raw, ref.dtype, entry.size / size, little);
    budget.release(entry.size);
    storages.set(id, values);
    return values;
  };

  const handedOut = new Set<Float32Array>();
  const tensors = found.map(([name, t]): RawTensor => {
    const values = storage(t.storage);
    return { name, dtype: t.storage.dtype, shape: t.shape, data: view(name, t, values) };
  });
  return { tensors };

  /** The tensor's elements in row-major order, read through its offset and strides. */
  function view(name: string, t: TensorRef, values: Float32Array): Float32Array {
    const numel = numelOf(t.shape);
    if (numel === null) throw bad(`tensor "${name}" has an impossible shape [${t.shape.join(', ')}]`);
    if (numel === 0) return new Float32Array(0);
    // Declared against the file: a view with more elements than its storage holds (stride 0
    // repeats values, as torch's expand() does) is materialised only up to a small bound, since
    // that memory is not backed by the file (a 530-byte file asked for 1.4 GB this way).
    if (numel > values.length && numel * 4 > MAX_EXPANDED_BYTES) {
      throw bad(
        `tensor "${name}" declares ${numel} elements (${formatBytes(numel * 4)}) from ${values.length} in ` +
          `storage ${t.storage.key}: a view that much larger than its data is refused ` +
          `(at most ${formatBytes(MAX_EXPANDED_BYTES)})`,
      );
    }
    let last = t.offset;
    t.shape.forEach((d, i) => (last += (d - 1) * t.stride[i]!));
    if (last >= values.length) {
      throw bad(`tensor "${name}" reads element ${last} of storage ${t.storage.key}, which has ${values.length}`);
    }
    let contiguous = true;
    for (let i = t.shape.length - 1, step = 1; i >= 0; i--) {
      if (t.shape[i] !== 1 && t.stride[i] !== step) contiguous = false;
      step *= t.shape[i]!;
    }
    // A tensor that is its whole storage keeps the decoded array; a second one gets a copy.
    if (contiguous && t.offset === 0 && numel === values.length && !handedOut.has(values)) {
      handedOut.add(values);
      return values;
    }
    budget.take(numel * 4, `tensor "${name}"`);
    if (contiguous) return values.slice(t.offset, t.offset + numel);
    const out = new Float32Array(numel);
    const nd = t.shape.length;
    const index = new Array<number>(nd).fill(0);
    let at = t.offset;
    for (let i = 0; i < numel; i++) {
      out[i] = values[at]!;
      for (let d = nd - 1; d >= 0; d--) {
        index[d]!++;
        at += t.stride[d]!;
        if (index[d]! < t.shape[d]!) break;
        at -= t.stride[d]! * t.shape[d]!;
        index[d] = 0;
      }
    }
    return out;
  }
}

function tensorDict(v: PyValue | undefined): [string, TensorRef][] | null {
  if (!(v instanceof PyDict) || v.map.size === 0) return null;
  const out: [string, TensorRef][] = [];
  for (const [k, t] of v.map) {
    if (typeof k !== 'string' || !(t instanceof TensorRef)) return null;
    out.push([k, t]);
  }
  return out;
}

/** The top level if it is a dict of tensors; else the first such dict one level down. */
function findStateDict(root: PyValue): [string, TensorRef][] | null {
  const direct = tensorDict(root);
  if (direct || !(root instanceof PyDict)) return direct;
  for (const key of STATE_DICT_KEYS) {
    const found = tensorDict(root.map.get(key));
    if (found) return found;
  }
  for (const v of root.map.values()) {
    const found = tensorDict(v);
    if (found) return found;
  }
  return null;
}
