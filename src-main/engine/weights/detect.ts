// Which reader a file needs, from its first bytes (never its extension): zip (torch or Keras 3),
// HDF5 (Keras 2 or Keras 3 weights), safetensors, a TF.js model.json; and the formats to refuse
// with a reason (PyTorch's legacy format, bare pickles).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WeightFileError } from './errors.js';
import { type Source, openSource, statPath } from './file.js';
import { withH5 } from './h5.js';
import { kerasLayout } from './keras-h5.js';
import type { WeightFormat } from './types.js';
import { ZIP_MAGIC, firstEntryName, listZip } from './zip.js';

export const NOT_A_WEIGHT_FILE =
  'not a weight file: expected safetensors, a PyTorch zip archive, Keras HDF5/.keras or a TF.js model.json';
export const LEGACY_TORCH = 'legacy PyTorch format: re-save with torch >= 1.6 (torch.save(sd, f))';

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** torch/serialization.py MAGIC_NUMBER, which the legacy format pickles first (LONG1 of 10 bytes). */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
/** A model.json is small: its weights live in the shards. */
const MAX_MODEL_JSON = 256 << 20;
const KERAS_ENTRIES = new Set(['metadata.json', 'config.json', 'model.weights.h5', 'model.weights.npz']);

const startsWith = (b: Uint8Array, magic: readonly number[], at = 0): boolean =>
  b.length >= at + magic.length && magic.every((m, i) => b[at + i] === m);

/** The format of the file (or TF.js model folder) at `path`, judged by its content. */
export async function detectWeightFormat(path: string): Promise<WeightFormat> {
  return (await detect(path)).format;
}

/** The format, and whether the file is a zip archive (a .keras rather than a Keras 3 .weights.h5). */
export async function detect(path: string): Promise<{ format: WeightFormat; zip: boolean }> {
  if (statPath(path).isDirectory()) {
    const json = join(path, 'model.json');
    if (existsSync(json) && statSync(json).isFile()) return { format: 'tfjs-layers', zip: false };
    throw new WeightFileError(path, 'is a directory: expected a weight file, or a TF.js model folder with model.json');
  }
  const src = openSource(path);
  try {
    const head = src.read(0, Math.min(src.size, 4096), 'file header');
    if (startsWith(head, ZIP_MAGIC) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
      return { format: zipKind(src, head), zip: true };
    }
    return { format: await sniff(src, head), zip: false };
  } finally {
    src.close();
  }
}

async function sniff(src: Source, head: Uint8Array): Promise<WeightFormat> {
  // HDF5 looks for its signature at 0, 512, 1024, 2048, … (a user block may come first).
  if ([0, 512, 1024, 2048].some((at) => startsWith(head, HDF5_MAGIC, at))) {
    const layout = await withH5(src.path, src.path, kerasLayout);
    if (!layout) {
      throw new WeightFileError(src.path, 'an HDF5 file, but not Keras weights (no layer_names, no /layers group)');
    }
    return layout;
  }
  // safetensors: a u64 length (its high bytes 0 for any header under the 100 MB limit), then '{'.
  if (head.length > 8 && head[8] === 0x7b && head.subarray(0, 8).includes(0)) return 'safetensors';
  const text = new TextDecoder()
    .decode(head.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('{')) {
    if (src.size <= MAX_MODEL_JSON) {
      const all = new TextDecoder().decode(src.read(0, src.size, 'JSON'));
      if (all.includes('"weightsManifest"')) return 'tfjs-layers';
    }
    throw new WeightFileError(src.path, `${NOT_A_WEIGHT_FILE} (a JSON file without "weightsManifest")`);
  }
  if (startsWith(head, LEGACY_MAGIC)) throw new WeightFileError(src.path, LEGACY_TORCH);
  if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) {
    throw new WeightFileError(src.path, `${NOT_A_WEIGHT_FILE} (a bare Python pickle: save it with torch.save)`);
  }
  // PyTorch < 0.4 wrote a tar of sys_info, pickle, storages and tensors.
  if (new TextDecoder().decode(head.subarray(257, 262)) === 'ustar') {
    const first = new TextDecoder().decode(head.subarray(0, 100)).replace(/\0.*$/s, '');
    if (['sys_info', 'pickle', 'storages', 'tensors'].includes(first)) {
      throw new WeightFileError(src.path, LEGACY_TORCH);
    }
  }
  throw new WeightFileError(src.path, NOT_A_WEIGHT_FILE);
}

/** torch.save writes <archive>/data.pkl first; Keras 3 writes metadata.json first. */
function zipKind(src: Source, head: Uint8Array): WeightFormat {
  const kind = (name: string): WeightFormat | null =>
    /^[^/]+\/data\.pkl$/.test(name) ? 'torch' : KERAS_ENTRIES.has(name) ? 'keras-v3' : null;
  const first = firstEntryName(head);
  const fromFirst = first === null ? null : kind(first);
  if (fromFirst) return fromFirst;
  const names = listZip(src).map((e) => e.name);
  const found = names.map(kind).find((k) => k !== null);
  if (found) return found;
  throw new WeightFileError(
    src.path,
    `${NOT_A_WEIGHT_FILE} (a zip archive with neither <archive>/data.pkl nor model.weights.h5)`,
  );
}
