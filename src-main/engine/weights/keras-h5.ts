// Keras weights in HDF5, both layouts:
// - Keras 2 (keras/saving/legacy/hdf5_format.py): `layer_names` on the weights group (the root
//   of a save_weights file, /model_weights of a whole-model file), `weight_names` on each layer's
//   group, and each variable at <layer>/<weight name>, e.g. conv1_conv/conv1_conv/kernel:0.
// - Keras 3 (keras/src/saving/saving_lib.py, H5IOStore): /layers/<container>/vars/<i>, nested
//   models under <container>/layers/. Containers are named after the layer's class, so names
//   come from config.json when there is one (keras-v3.ts), and are `<container>/<i>` otherwise.
import type { Budget } from './file.js';
import { WeightFileError } from './errors.js';
import type { H5 } from './h5.js';
import type { RawTensor } from './types.js';

/** Which layout the file holds, or null when it is HDF5 but no Keras weights. */
export function kerasLayout(h5: H5): 'keras-h5' | 'keras-v3' | null {
  if (kerasWeightsGroup(h5)) return 'keras-h5';
  return h5.group('/layers') ? 'keras-v3' : null;
}

function kerasWeightsGroup(h5: H5): string | null {
  const full = h5.group('/model_weights');
  if (full && h5.names(full, 'layer_names')) return '/model_weights';
  return h5.names(h5.file, 'layer_names') ? '/' : null;
}

/** `conv1_conv/kernel:0` of layer conv1_conv is `kernel`; a nested model keeps the full path. */
function variableName(layer: string, weight: string): string {
  const bare = weight.replace(/:\d+$/, '');
  return bare.startsWith(`${layer}/`) ? bare.slice(layer.length + 1) : bare;
}

export function readKeras2(h5: H5, budget: Budget): RawTensor[] {
  const base = kerasWeightsGroup(h5);
  if (base === null) throw new WeightFileError(h5.path, 'an HDF5 file without Keras layer_names');
  const root = h5.group(base)!;
  const tensors: RawTensor[] = [];
  for (const layer of h5.names(root, 'layer_names')!) {
    const g = h5.group(`${base}/${layer}`);
    if (!g) throw new WeightFileError(h5.path, `layer "${layer}" is in layer_names but has no group`);
    for (const weight of h5.names(g, 'weight_names') ?? []) {
      const ds = h5.dataset(`${g.path}/${weight}`);
      if (!ds) throw new WeightFileError(h5.path, `weight "${weight}" of layer "${layer}" is missing`);
      const name = `${layer}/${variableName(layer, weight)}`;
      tensors.push({ name, ...h5.read(ds, budget, `weight "${weight}"`) });
    }
  }
  return tensors;
}

/** One layer's variables in the Keras 3 layout: where they are and what to call them. */
export interface Keras3Layer {
  /** The group holding `vars/`, e.g. /layers/conv2d_1. */
  group: string;
  /** The tensors' name prefix, e.g. stem_conv. */
  name: string;
  /** Variable names by index, when the layer class fixes them. */
  vars: string[] | null;
}

/** Index order: Keras writes vars/0, vars/1, …; HDF5 lists them by name (0, 1, 10, 2, …). */
function varKeys(h5: H5, group: string): string[] {
  const vars = h5.group(`${group}/vars`);
  if (!vars) return [];
  return vars.keys().sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
}

/** Every layer group under /layers, in stored order, named by container. */
export function keras3Layers(h5: H5): Keras3Layer[] {
  const out: Keras3Layer[] = [];
  const visit = (group: string, name: string): void => {
    out.push({ group, name, vars: null });
    const g = h5.group(group)!;
    for (const child of g.keys()) {
      if (child === 'vars' || !h5.group(`${group}/${child}`)) continue;
      if (child === 'layers') {
        for (const inner of h5.group(`${group}/layers`)!.keys()) visit(`${group}/layers/${inner}`, `${name}/${inner}`);
      } else {
        visit(`${group}/${child}`, `${name}/${child}`);
      }
    }
  };
  const layers = h5.group('/layers');
  if (!layers) throw new WeightFileError(h5.path, 'no /layers group: not Keras 3 weights');
  for (const key of layers.keys()) visit(`/layers/${key}`, key);
  return out;
}

export function readKeras3(h5: H5, budget: Budget, layers: readonly Keras3Layer[]): RawTensor[] {
  const tensors: RawTensor[] = [];
  for (const layer of layers) {
    const keys = varKeys(h5, layer.group);
    const names = layer.vars && layer.vars.length === keys.length ? layer.vars : keys;
    keys.forEach((key, i) => {
      const ds = h5.dataset(`${layer.group}/vars/${key}`);
      if (!ds) throw new WeightFileError(h5.path, `${layer.group}/vars/${key} is not a dataset`);
      tensors.push({ name: `${layer.name}/${names[i]!}`, ...h5.read(ds, budget, `${layer.group}/vars/${key}`) });
    });
  }
  return tensors;
}

/** How many variables the stored layout holds (to check a config-derived plan against). */
export function keras3VarCount(h5: H5, layers: readonly Keras3Layer[]): number {
  return layers.reduce((n, l) => n + varKeys(h5, l.group).length, 0);
}
