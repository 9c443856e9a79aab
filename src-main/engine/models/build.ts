import type * as tfl from '@tensorflow/tfjs-layers';
import type { ArchSpec } from './catalog.js';
import { buildEfficientNet } from './efficientnet.js';
import { layerGroups, type LayerGroup } from './groups.js';
import { buildResNet } from './resnet.js';

export interface BuiltModel {
  spec: ArchSpec;
  model: tfl.LayersModel;
  groups: LayerGroup[];
}

export interface ModelOptions {
  numClasses: number;
  inputSize?: number;
  dropout?: number;
}

/** The head's dense layer carries torchvision's name so imported weights map one to one. */
export function headDenseName(spec: ArchSpec): string {
  return spec.family === 'resnet' ? 'fc' : 'classifier.1';
}

export function buildModel(spec: ArchSpec, o: ModelOptions): BuiltModel {
  const opts = {
    numClasses: o.numClasses,
    inputSize: o.inputSize ?? spec.inputSize,
    dropout: o.dropout ?? spec.headDropout,
  };
  if (!Number.isInteger(opts.numClasses) || opts.numClasses < 1)
    throw new Error('numClasses must be a whole number >= 1');
  const model = spec.family === 'resnet' ? buildResNet(spec.resnet, opts) : buildEfficientNet(spec.efficientnet, opts);
  return { spec, model, groups: layerGroups(model, spec.groups) };
}
