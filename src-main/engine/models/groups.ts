// Layer groups (stem … head): what freezing and discriminative rates act on.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ArchSpec } from './catalog.js';

export interface LayerGroup {
  name: string;
  layers: tfl.layers.Layer[];
}

function matches(layer: string, prefix: string): boolean {
  return layer === prefix || layer.startsWith(`${prefix}.`);
}

/** Splits a model's layers by the catalog's prefixes; a layer with weights must land somewhere. */
export function layerGroups(model: tfl.LayersModel, groups: ArchSpec['groups']): LayerGroup[] {
  const out: LayerGroup[] = groups.map((g) => ({ name: g.name, layers: [] }));
  for (const layer of model.layers) {
    const i = groups.findIndex((g) => g.prefixes.some((p) => matches(layer.name, p)));
    if (i >= 0) out[i]!.layers.push(layer);
    else if (layer.weights.length > 0) throw new Error(`layer ${layer.name} belongs to no layer group`);
  }
  return out;
}

/**
 * Trains only the groups for which `trainable(i)` holds. A frozen group's BatchNormalization
 * layers then run in inference mode (batch-norm.ts). The model must be compiled again afterwards
 * for the optimizer to see the change (tfjs-layers collects trainable weights at compile time).
 */
export function setTrainable(groups: readonly LayerGroup[], trainable: (index: number) => boolean): void {
  groups.forEach((g, i) => {
    for (const layer of g.layers) layer.trainable = trainable(i);
  });
}

/** fastai `freeze`: everything but the head (the last group). */
export function freezeBackbone(groups: readonly LayerGroup[]): void {
  setTrainable(groups, (i) => i === groups.length - 1);
}

export function unfreezeAll(groups: readonly LayerGroup[]): void {
  setTrainable(groups, () => true);
}
