// TF.js layers models (tfjs-core src/io/types.ts `ModelJSON`, io_utils.ts `decodeWeights`):
// model.json's weightsManifest lists groups of shard files; a group's weights lie back to back
// in the concatenation of its shards. Quantized weights (tensorflowjs converter) are uint8/uint16
// with value = q * scale + min, or float16.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ITEM_SIZE, type WeightDType, numelOf, toFloat32 } from './dtype.js';
import { WeightFileError, describeError } from './errors.js';
import { type Budget, checkFits, statPath } from './file.js';
import type { RawTensor } from './types.js';

const Quantization = z.looseObject({
  dtype: z.enum(['uint8', 'uint16', 'float16']),
  scale: z.number().optional(),
  min: z.number().optional(),
});

const WeightSpec = z.looseObject({
  name: z.string(),
  shape: z.array(z.int().nonnegative()),
  dtype: z.string(),
  quantization: Quantization.optional(),
});

const ModelJson = z.looseObject({
  weightsManifest: z.array(z.looseObject({ paths: z.array(z.string()).min(1), weights: z.array(WeightSpec) })),
});

const DTYPES: Readonly<Record<string, WeightDType>> = { float32: 'float32', int32: 'int32', bool: 'bool' };
const QUANT_SIZE = { uint8: 1, uint16: 2, float16: 2 } as const;

/** model.json itself, given the file or the folder that holds it. */
export function modelJsonPath(path: string): string {
  return statPath(path).isDirectory() ? join(path, 'model.json') : path;
}

export function readTfjsLayers(path: string, budget: Budget): { tensors: RawTensor[]; files: string[] } {
  const bad = (reason: string) => new WeightFileError(path, reason);
  const jsonPath = modelJsonPath(path);
  checkFits(path, statPath(jsonPath).size, budget.maxBytes);
  let manifest: z.infer<typeof ModelJson>['weightsManifest'];
  try {
    const parsed = ModelJson.safeParse(JSON.parse(readFileSync(jsonPath, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw bad(`model.json: ${issue.path.join('.')}: ${issue.message}`);
    }
    manifest = parsed.data.weightsManifest;
  } catch (e) {
    if (e instanceof WeightFileError) throw e;
    throw bad(`model.json is not valid JSON (${describeError(e)})`);
  }

  const dir = dirname(resolve(jsonPath));
  const files = [jsonPath];
  const shardsOf = manifest.map((group) =>
    group.paths.map((p) => {
      // Shards are relative to model.json; a path leaving its folder is not a shard.
      const full = resolve(dir, p);
      const rel = relative(dir, full);
      if (/^[a-z][a-z0-9+.-]*:/i.test(p) || isAbsolute(p) || rel.startsWith('..') || isAbsolute(rel)) {
        throw bad(`weight shard "${p}" is not a file next to model.json`);
      }
      let size: number;
      try {
        const st = statPath(full);
        if (!st.isFile()) throw new Error('not a file');
        size = st.size;
      } catch {
        throw bad(`weight shard "${p}" listed in model.json is missing`);
      }
      files.push(full);
      return { full, size };
    }),
  );
  const total = shardsOf.flat().reduce((s, f) => s + f.size, statPath(jsonPath).size);
  checkFits(path, total, budget.maxBytes);

  const tensors: RawTensor[] = [];
  manifest.forEach((group, g) => {
    const shards = shardsOf[g]!;
    const size = shards.reduce((s, f) => s + f.size, 0);
    budget.take(size, `weight group ${g + 1}`);
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const shard of shards) {
      bytes.set(readFileSync(shard.full), at);
      at += shard.size;
    }
    let offset = 0;
    for (const w of group.weights) {
      const dtype = DTYPES[w.dtype];
      if (!dtype) throw bad(`weight "${w.name}" has dtype ${w.dtype}, which is not supported`);
      const q = w.quantization;
      const numel = numelOf(w.shape);
      if (numel === null) throw bad(`weight "${w.name}" has an impossible shape [${w.shape.join(', ')}]`);
      const n = numel * (q ? QUANT_SIZE[q.dtype] : ITEM_SIZE[dtype]);
      if (offset + n > size) {
        throw bad(
          `weight "${w.name}" needs bytes ${offset}..${offset + n} of its group but the shards ` +
            `(${group.paths.join(', ')}) hold ${size}: a shard is missing or truncated`,
        );
      }
      budget.take(numel * 4, `weight "${w.name}"`);
      const raw = bytes.subarray(offset, offset + n);
      offset += n;
      tensors.push({ name: w.name, dtype, shape: w.shape, data: decode(w.name, dtype, raw, numel, q) });
    }
    budget.release(size);
  });
  return { tensors, files };

  function decode(
    name: string,
    dtype: WeightDType,
    raw: Uint8Array,
    numel: number,
    q: z.infer<typeof Quantization> | undefined,
  ): Float32Array {
    if (!q) return toFloat32(raw, dtype, numel);
    if (q.dtype === 'float16') {
      if (dtype !== 'float32') throw bad(`weight "${name}": float16 quantization of a ${dtype} weight`);
      return toFloat32(raw, 'float16', numel);
    }
    if (q.scale === undefined || q.min === undefined) throw bad(`weight "${name}": quantization without scale and min`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(numel);
    for (let i = 0; i < numel; i++) {
      const v = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      const x = v * q.scale + q.min;
      out[i] = dtype === 'int32' ? Math.round(x) : x;
    }
    return out;
  }
}
