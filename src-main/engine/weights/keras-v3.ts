// Keras 3 `.keras` archives (keras/src/saving/saving_lib.py): a stored zip of metadata.json,
// config.json and model.weights.h5. The weights file names each layer's group after the layer's
// class (`_save_container_state`: snake_case(class name), then _1, _2, … per class), so the
// config's layer list, walked in the same order, gives back the layer names.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { WeightFileError } from './errors.js';
import type { Budget, Source } from './file.js';
import { type H5, withH5 } from './h5.js';
import { type Keras3Layer, keras3Layers, keras3VarCount, readKeras3 } from './keras-h5.js';
import type { RawTensor } from './types.js';
import { listZip, readZipEntry } from './zip.js';

const LayerConfig = z.looseObject({
  class_name: z.string(),
  config: z.looseObject({ name: z.string().optional(), layers: z.array(z.unknown()).optional() }).optional(),
});
type LayerConfig = z.infer<typeof LayerConfig>;

/** keras/src/utils/naming.py `to_snake_case`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const KERNEL_BIAS = new Set([
  'Dense',
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'Conv1DTranspose',
  'Conv2DTranspose',
  'Conv3DTranspose',
]);

/**
 * Variable names in the order the Keras 3 layer saves them (its `save_own_variables`: kernel then
 * bias; for others trainable then non-trainable variables in creation order). Null: unknown.
 */
function knownVars(layer: LayerConfig): string[] | null {
  const c = (layer.config ?? {}) as Record<string, unknown>;
  const [scale, center] = [c.scale !== false, c.center !== false];
  if (KERNEL_BIAS.has(layer.class_name)) return c.use_bias === false ? ['kernel'] : ['kernel', 'bias'];
  if (layer.class_name === 'BatchNormalization') {
    return [...(scale ? ['gamma'] : []), ...(center ? ['beta'] : []), 'moving_mean', 'moving_variance'];
  }
  if (layer.class_name === 'LayerNormalization') return [...(scale ? ['gamma'] : []), ...(center ? ['beta'] : [])];
  if (layer.class_name === 'Embedding') return ['embeddings'];
  return null;
}

/** The layer groups config.json implies, or null when it is not a model config this understands. */
export function planFromConfig(config: unknown): Keras3Layer[] | null {
  const plan: Keras3Layer[] = [];
  const walk = (model: unknown, group: string, prefix: string): boolean => {
    const parsed = LayerConfig.safeParse(model);
    if (!parsed.success || !parsed.data.config?.layers) return false;
    const used = new Map<string, number>();
    for (const raw of parsed.data.config.layers) {
      const layer = LayerConfig.safeParse(raw);
      if (!layer.success) return false;
      // Sequential.layers leaves the InputLayer out; it has no variables either way.
      if (layer.data.class_name === 'InputLayer') continue;
      const snake = toSnakeCase(layer.data.class_name);
      const n = used.has(snake) ? used.get(snake)! + 1 : 0;
      used.set(snake, n);
      const path = `${group}/${n ? `${snake}_${n}` : snake}`;
      const name = `${prefix}${layer.data.config?.name ?? snake}`;
      plan.push({ group: path, name, vars: knownVars(layer.data) });
      if (layer.data.config?.layers && !walk(raw, `${path}/layers`, `${name}/`)) return false;
    }
    return true;
  };
  return walk(config, '/layers', '') ? plan : null;
}

/** Keras 3 weights, named through `config` when it accounts for every stored variable. */
export function readKeras3Weights(h5: H5, budget: Budget, config: unknown): RawTensor[] {
  const stored = keras3Layers(h5);
  const plan = config === null ? null : planFromConfig(config);
  const usePlan = plan !== null && keras3VarCount(h5, plan) === keras3VarCount(h5, stored);
  return readKeras3(h5, budget, usePlan ? plan : stored);
}

export async function readKerasArchive(src: Source, budget: Budget): Promise<RawTensor[]> {
  const entries = new Map(listZip(src).map((e) => [e.name, e]));
  const weights = entries.get('model.weights.h5');
  if (!weights) {
    throw new WeightFileError(
      src.path,
      entries.has('model.weights.npz')
        ? 'a .keras archive with npz weights, which is not supported (save with the default .h5 weights)'
        : 'a zip archive, but neither PyTorch (<archive>/data.pkl) nor Keras 3 (model.weights.h5)',
    );
  }
  let config: unknown = null;
  const configEntry = entries.get('config.json');
  if (configEntry) {
    const text = new TextDecoder().decode(readZipEntry(src, configEntry, budget));
    try {
      config = JSON.parse(text);
    } catch {
      config = null; // names fall back to <container>/<index>
    }
  }
  const bytes = readZipEntry(src, weights, budget);
  // h5wasm reads host files by path: the weights go to a private temporary file first.
  const dir = mkdtempSync(join(tmpdir(), 'anneal-keras-'));
  try {
    const tmp = join(dir, 'model.weights.h5');
    writeFileSync(tmp, bytes);
    return await withH5(src.path, tmp, (h5) => readKeras3Weights(h5, budget, config));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
