// What a torch.save pickle may name (torch/serialization.py `_save`, torch/_utils.py): the
// rebuild functions of plain and Parameter tensors, the typed storage classes, OrderedDict, and a
// few inert names (dtypes, torch.Size). Everything else is refused by name before anything runs.
import { type WeightDType } from './dtype.js';
import { type PickleHooks, PickleError, PyDict, PyGlobal, PyObject, PyTuple, type PyValue } from './unpickler.js';

/** A refused GLOBAL: the reader reports the reason alone, as the file's problem. */
export class RefusedGlobal extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RefusedGlobal';
  }
}

/** torch.<Name>Storage: the legacy typed-storage classes torch.save still names (torch/storage.py). */
const STORAGE_DTYPES: Readonly<Record<string, WeightDType>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const DTYPE_NAMES = new Set([
  'float16',
  'half',
  'bfloat16',
  'float32',
  'float',
  'float64',
  'double',
  'int8',
  'uint8',
  'int16',
  'short',
  'int32',
  'int',
  'int64',
  'long',
  'bool',
]);

/** A storage a tensor views: the archive entry data/<key>, of `dtype` elements. */
export class StorageRef extends PyObject {
  constructor(
    readonly key: string,
    readonly dtype: WeightDType,
  ) {
    super();
  }
}

export class TensorRef extends PyObject {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {
    super();
  }
}

const REBUILD_TENSOR = new Set(['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor']);
const REBUILD_PARAMETER = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);
const CALLABLE = new Set([
  ...REBUILD_TENSOR,
  ...REBUILD_PARAMETER,
  'torch._tensor._rebuild_from_type_v2',
  'collections.OrderedDict',
  'torch.Size',
]);
/** Names that are only ever arguments (a Parameter's type, a dtype value). */
const INERT = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

function dims(v: PyValue, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items || !items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new PickleError(`tensor ${what} is not a tuple of non-negative integers`);
  }
  return items as number[];
}

function rebuildTensor(args: readonly PyValue[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw new PickleError('tensor rebuilt from something other than a storage');
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new PickleError('tensor storage offset is not a non-negative integer');
  }
  const shape = dims(size ?? null, 'size');
  const strides = dims(stride ?? null, 'stride');
  if (shape.length !== strides.length) throw new PickleError('tensor size and stride differ in length');
  return new TensorRef(storage, offset, shape, strides);
}

export const torchHooks: PickleHooks = {
  global(module, name) {
    const qualified = `${module}.${name}`;
    if (module === 'torch' && name in STORAGE_DTYPES) return new PyGlobal(module, name);
    if (module === 'torch' && DTYPE_NAMES.has(name)) return new PyGlobal(module, name);
    if (CALLABLE.has(qualified) || INERT.has(qualified)) return new PyGlobal(module, name);
    if (module === 'torch._utils' && name.startsWith('_rebuild_')) {
      throw new RefusedGlobal(`unsupported tensor kind ${qualified} (only dense CPU-layout tensors can be read)`);
    }
    if (module === 'torch' && name.endsWith('Storage'))
      throw new RefusedGlobal(`unsupported storage type ${qualified}`);
    throw new RefusedGlobal(`refusing to load ${qualified}: pickle may only build tensors`);
  },

  call(fn, args) {
    if (!(fn instanceof PyGlobal) || !CALLABLE.has(fn.qualified)) {
      throw new PickleError(`cannot call ${fn instanceof PyGlobal ? fn.qualified : 'a non-function'}`);
    }
    const q = fn.qualified;
    if (REBUILD_TENSOR.has(q)) return rebuildTensor(args);
    if (REBUILD_PARAMETER.has(q)) {
      if (!(args[0] instanceof TensorRef)) throw new PickleError(`${q} of a non-tensor`);
      return args[0];
    }
    if (q === 'torch._tensor._rebuild_from_type_v2') {
      // (func, new_type, args, state): a tensor subclass; keep the tensor func builds.
      const [inner, , innerArgs] = args;
      if (!(inner instanceof PyGlobal) || !REBUILD_TENSOR.has(inner.qualified) || !(innerArgs instanceof PyTuple)) {
        throw new PickleError('_rebuild_from_type_v2 of something other than a tensor');
      }
      return rebuildTensor(innerArgs.items);
    }
    if (q === 'torch.Size') return new PyTuple(dims(args[0] ?? null, 'torch.Size'));
    // collections.OrderedDict(): REDUCE with no arguments; items follow as SETITEMS.
    if (args.length > 0) throw new PickleError('OrderedDict built from arguments');
    return new PyDict();
  },

  persistentLoad(pid) {
    // ('storage', storage_type, key, location, numel): torch/serialization.py `persistent_id`.
    const [tag, type, key] = pid instanceof PyTuple ? pid.items : [];
    if (tag !== 'storage' || !(type instanceof PyGlobal) || typeof key !== 'string') {
      throw new PickleError('persistent id is not a torch storage');
    }
    const dtype = type.module === 'torch' ? STORAGE_DTYPES[type.name] : undefined;
    if (!dtype) throw new PickleError(`${type.qualified} is not a storage type`);
    return new StorageRef(key, dtype);
  },
};
