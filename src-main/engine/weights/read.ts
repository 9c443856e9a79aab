// readWeightFile: detect the format, check the size against memory, read every tensor.
import { WeightFileError, describeError } from './errors.js';
import { detect } from './detect.js';
import { Budget, checkFits, defaultMaxBytes, openSource, sha256Of, statPath } from './file.js';
import { withH5 } from './h5.js';
import { readKeras2 } from './keras-h5.js';
import { readKeras3Weights, readKerasArchive } from './keras-v3.js';
import { readSafetensors } from './safetensors.js';
import { readTfjsLayers } from './tfjs-layers.js';
import { readTorchZip } from './torch-zip.js';
import type { RawTensor, ReadOptions, WeightFile, WeightFormat } from './types.js';

/**
 * Reads a safetensors file, a PyTorch zip checkpoint, Keras HDF5 / .keras weights, or a TF.js
 * layers model (its model.json or folder) into float32 tensors. Every problem with the file is a
 * WeightFileError naming it; nothing in the file is ever executed.
 */
export async function readWeightFile(path: string, opts: ReadOptions = {}): Promise<WeightFile> {
  const maxBytes = opts.maxBytes ?? defaultMaxBytes();
  const st = statPath(path);
  if (st.isFile()) checkFits(path, st.size, maxBytes);
  const budget = new Budget(path, maxBytes);
  try {
    const { format, zip } = await detect(path);
    const { tensors, files } = await readFormat(format, zip, path, budget);
    const map = new Map<string, RawTensor>();
    for (const t of tensors) {
      if (map.has(t.name)) throw new WeightFileError(path, `tensor name "${t.name}" appears twice`);
      map.set(t.name, t);
    }
    return { format, path, sha256: sha256Of(files), tensors: map, names: tensors.map((t) => t.name) };
  } catch (e) {
    if (e instanceof WeightFileError) throw e;
    // An allocation failure or a library's own exception: still one error about this file.
    throw new WeightFileError(path, `could not be read (${describeError(e)})`, { cause: e });
  }
}

async function readFormat(
  format: WeightFormat,
  zip: boolean,
  path: string,
  budget: Budget,
): Promise<{ tensors: RawTensor[]; files: string[] }> {
  if (format === 'tfjs-layers') return readTfjsLayers(path, budget);
  if (format === 'keras-h5' || (format === 'keras-v3' && !zip)) {
    const tensors = await withH5(path, path, (h5) =>
      format === 'keras-h5' ? readKeras2(h5, budget) : readKeras3Weights(h5, budget, null),
    );
    return { tensors, files: [path] };
  }
  const src = openSource(path);
  try {
    if (format === 'keras-v3') return { tensors: await readKerasArchive(src, budget), files: [path] };
    const { tensors } = format === 'safetensors' ? readSafetensors(src, budget) : readTorchZip(src, budget);
    return { tensors, files: [path] };
  } finally {
    src.close();
  }
}
