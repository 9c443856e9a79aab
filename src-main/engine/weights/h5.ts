// HDF5 through h5wasm (the HDF5 C library in WebAssembly; in Node it reads host paths directly).
// Loaded on first use, so that importing the engine does not start a WebAssembly module.
// HDF5 reports errors by printing its error stack; while a file is open here h5wasm's throwing
// handler turns that into an exception, which becomes one WeightFileError.
import { resolve } from 'node:path';
import type { Dataset, File, Group, default as H5wasmApi } from 'h5wasm/node';
import type { WeightDType } from './dtype.js';
import { toFloat32 } from './dtype.js';
import { WeightFileError, describeError } from './errors.js';
import type { Budget } from './file.js';

type H5wasm = typeof H5wasmApi;
type H5Module = Awaited<H5wasm['ready']>;

export interface H5 {
  file: File;
  /** The file's path as the user gave it, for messages. */
  path: string;
  group(path: string): Group | null;
  dataset(path: string): Dataset | null;
  /** A string-list attribute, joining the chunks (`name0`, `name1`, …) Keras splits long lists into. */
  names(obj: Group, attr: string): string[] | null;
  read(ds: Dataset, budget: Budget, what: string): { dtype: WeightDType; shape: number[]; data: Float32Array };
}

let loaded: Promise<{ h5wasm: H5wasm; Module: H5Module }> | null = null;

function load(): Promise<{ h5wasm: H5wasm; Module: H5Module }> {
  loaded ??= import('h5wasm/node').then(async ({ default: h5wasm }) => ({ h5wasm, Module: await h5wasm.ready }));
  return loaded;
}

/** The one line of HDF5's error stack that says what went wrong (its innermost entry). */
function hdf5Reason(e: unknown): string {
  const text = describeError(e);
  const entries = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)/g)].map((m) => m[1]!.trim());
  const inner = entries[entries.length - 1] ?? text.split('\n')[0]!.trim();
  if (/truncated file/i.test(inner)) return `truncated HDF5 file (${inner})`;
  if (/signature not found/i.test(inner)) return 'not an HDF5 file (no HDF5 signature)';
  return `unreadable HDF5 file: ${inner}`;
}

/** Opens `realPath` read-only, runs `fn`, and closes it; errors name `path`. */
export async function withH5<T>(path: string, realPath: string, fn: (h5: H5) => T): Promise<T> {
  const { h5wasm, Module } = await load();
  Module.activate_throwing_error_handler();
  let file: File | null = null;
  try {
    file = new h5wasm.File(resolve(realPath), 'r');
    const f = file;
    const h5: H5 = {
      file: f,
      path,
      group: (p) => {
        const g = f.get(p);
        return g instanceof h5wasm.Group ? g : null;
      },
      dataset: (p) => {
        const d = f.get(p);
        return d instanceof h5wasm.Dataset ? d : null;
      },
      names: (obj, attr) => stringList(path, obj, attr),
      read: (ds, budget, what) => readDataset(Module, path, ds, budget, what),
    };
    return fn(h5);
  } catch (e) {
    if (e instanceof WeightFileError) throw e;
    throw new WeightFileError(path, hdf5Reason(e), { cause: e });
  } finally {
    try {
      file?.close();
    } catch {
      // Closing after an HDF5 error can fail too; the first error is the one to report.
    }
    Module.deactivate_throwing_error_handler();
  }
}

function stringList(path: string, obj: Group, attr: string): string[] | null {
  const attrs = Object.keys(obj.attrs);
  const parts = attrs.includes(attr) ? [attr] : [];
  if (!parts.length) for (let i = 0; attrs.includes(`${attr}${i}`); i++) parts.push(`${attr}${i}`);
  if (!parts.length) return null;
  const out: string[] = [];
  for (const name of parts) {
    const v = obj.get_attribute(name, false);
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v) && v.every((s) => typeof s === 'string')) out.push(...(v as string[]));
    // h5py writes an empty list as a zero-length float64 array.
    else if (ArrayBuffer.isView(v) && (v as ArrayLike<number>).length === 0) continue;
    else throw new WeightFileError(path, `attribute ${obj.path}:${name} is not a list of names`);
  }
  return out;
}

/** H5T_class_t values (H5Tpublic.h). */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_OPAQUE = 5;
const H5T_ENUM = 8;

function dtypeOf(ds: Dataset): WeightDType | null {
  const m = ds.metadata;
  if (m.type === H5T_FLOAT)
    return m.size === 2 ? 'float16' : m.size === 4 ? 'float32' : m.size === 8 ? 'float64' : null;
  if (m.type === H5T_INTEGER) {
    if (!m.signed) return m.size === 1 ? 'uint8' : null;
    return m.size === 1 ? 'int8' : m.size === 2 ? 'int16' : m.size === 4 ? 'int32' : m.size === 8 ? 'int64' : null;
  }
  // numpy bool: an enum over int8 (h5py); Keras 3 bfloat16: 2-byte data tagged dtype="bfloat16".
  if (m.type === H5T_ENUM && m.size === 1) return 'bool';
  if (m.type === H5T_OPAQUE && m.size === 2 && Object.keys(ds.attrs).includes('dtype')) {
    return ds.get_attribute('dtype', false) === 'bfloat16' ? 'bfloat16' : null;
  }
  return null;
}

function readDataset(Module: H5Module, path: string, ds: Dataset, budget: Budget, what: string) {
  const m = ds.metadata;
  const dtype = dtypeOf(ds);
  if (!dtype)
    throw new WeightFileError(path, `${what}: unsupported HDF5 element type (class ${m.type}, ${m.size} bytes)`);
  if (!m.shape) throw new WeightFileError(path, `${what}: dataset has no shape`);
  const count = m.total_size;
  const nbytes = count * m.size;
  budget.take(count * 4 + nbytes, what);
  let bytes = new Uint8Array(0);
  if (nbytes > 0) {
    const ptr = Module._malloc(nbytes);
    if (!ptr) throw new WeightFileError(path, `${what}: out of WebAssembly memory for ${nbytes} bytes`);
    try {
      // Raw read in the dataset's own type, little-endian (h5wasm's value getter has no float16).
      if (Module.get_dataset_data(ds.file_id, ds.path, null, null, null, BigInt(ptr)) < 0) {
        throw new WeightFileError(path, `${what}: HDF5 could not read the data`);
      }
      bytes = Module.HEAPU8.slice(ptr, ptr + nbytes);
    } finally {
      Module._free(ptr);
    }
  }
  budget.release(nbytes);
  return { dtype, shape: [...m.shape], data: toFloat32(bytes, dtype, count) };
}
