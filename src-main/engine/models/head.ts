import * as tfl from '@tensorflow/tfjs-layers';
import type { BuiltModel } from './build.js';
import { headDenseName } from './build.js';
import { layerGroups } from './groups.js';
import { headFromPooled, type SymbolicTensor } from './layers.js';

/**
 * A new head for `numClasses` on the same backbone (pool → dropout → dense): the backbone's
 * layers, and so their weights, are shared with the old model.
 */
export function replaceHead(built: BuiltModel, numClasses: number, dropout = built.spec.headDropout): BuiltModel {
  const pooled = built.model.getLayer('avgpool').output as SymbolicTensor;
  const logits = headFromPooled(pooled, numClasses, dropout, headDenseName(built.spec));
  const model = tfl.model({ inputs: built.model.inputs, outputs: logits, name: built.model.name });
  // The old head is in no model any more: free its weights (Layer.dispose frees them once the
  // layer's one call is released), which nothing else would.
  built.model.getLayer(headDenseName(built.spec)).dispose();
  return { spec: built.spec, model, groups: layerGroups(model, built.spec.groups) };
}
