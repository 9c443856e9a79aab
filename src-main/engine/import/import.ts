// `anneal import`: pretrained weights from the files people have, into a model dir.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkDestination, saveModelDir, type ModelMeta } from '../model-dir/index.js';
import {
  buildModel,
  efficientNetStages,
  getArch,
  headDenseName,
  makeDivisible,
  modelsDir,
  type ArchSpec,
  type BuiltModel,
} from '../models/index.js';
import { WeightFileError, readWeightFile, type RawTensor, type WeightFile } from '../weights/index.js';
import { timmEfficientNetName, type Naming } from './naming.js';
import { torchSlots } from './torch-layout.js';
import { InputError, type InputErrorOptions } from '../errors.js';

export class ImportError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'ImportError';
  }
}

export interface ImportOptions {
  file: string;
  arch: string;
  naming?: Naming;
  imageSize?: number;
  labels?: string[];
  out: string;
  /** Told the temp folders of killed earlier imports to `out` that were removed first. */
  onCleaned?: (paths: string[]) => void;
  /** Steps done of IMPORT_STEPS: the file read, the weights mapped into the model, the model dir written. */
  onProgress?: (done: number, total: number) => unknown; // a promise it returns is awaited
}

/** What an import does, in order (onProgress counts them). */
export const IMPORT_STEPS = ['read the weights file', 'map the weights into the model', 'write the model dir'] as const;

const LIST = 6;
const list = (names: string[]): string =>
  `${names.slice(0, LIST).join(', ')}${names.length > LIST ? `, … (${names.length - LIST} more)` : ''}`;

/** timm EfficientNet blocks with an expand conv (expand ratio != 1 or channels change). */
function timmRenamer(spec: ArchSpec): (key: string) => string {
  if (spec.family !== 'efficientnet') return (k) => k;
  const stages = efficientNetStages(spec.efficientnet);
  const hasExpand = (s: number, b: number): boolean => {
    const st = stages[s];
    if (!st) return false;
    const inC = b === 0 ? st.inChannels : st.outChannels;
    return makeDivisible(inC * st.expand) !== inC;
  };
  return (k) => timmEfficientNetName(k, stages.length, hasExpand);
}

/** The file's tensors under torchvision's names, buffers that carry no weights dropped. */
function torchvisionTensors(file: WeightFile, spec: ArchSpec, naming: Naming): Map<string, RawTensor> {
  if (naming === 'keras') {
    throw new ImportError(
      `keras: Keras Applications ${spec.title} is a different network from torchvision's ` +
        '(Keras ResNets put biases in convolutions and the stride on the first 1x1 conv; Keras EfficientNets use ' +
        'BatchNorm eps 1e-3 and TF padding); import torchvision or timm weights for this architecture',
      { field: 'naming', kind: 'unsupported' },
    );
  }
  const rename = naming === 'timm' ? timmRenamer(spec) : (k: string) => k;
  const out = new Map<string, RawTensor>();
  for (const [key, t] of file.tensors) {
    if (key.endsWith('num_batches_tracked')) continue;
    out.set(rename(key), t);
  }
  return out;
}

function defaultNaming(file: WeightFile): Naming {
  return file.format === 'keras-h5' || file.format === 'keras-v3' ? 'keras' : 'torchvision';
}

/** Checks the tensors against the model and copies them in, or says exactly what does not fit. */
export function loadTorchvisionWeights(built: BuiltModel, tensors: Map<string, RawTensor>): void {
  const slots = torchSlots(built.model);
  checkFit(
    built.spec.id,
    slots.map((s) => ({ name: s.name, shape: s.torchShape })),
    tensors,
  );
  const byLayer = new Map<string, (typeof slots)[number][]>();
  for (const s of slots) byLayer.set(s.layer.name, [...(byLayer.get(s.layer.name) ?? []), s]);
  for (const group of byLayer.values()) {
    const layer = group[0]!.layer;
    const values = group
      .sort((a, b) => a.index - b.index)
      .map((s) => tf.tensor(s.convert(tensors.get(s.name)!.data), layer.weights[s.index]!.shape as number[]));
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** A TF.js layers model with our layer names: weights map by name, already in TF.js layout. */
function loadTfjsWeights(built: BuiltModel, tensors: Map<string, RawTensor>): void {
  const wanted = built.model.layers.flatMap((layer) =>
    layer.weights.map((w, index) => ({
      layer,
      index,
      name: `${layer.name}/${w.originalName.split('/').pop()}`,
      shape: w.shape as number[],
    })),
  );
  checkFit(built.spec.id, wanted, tensors);
  for (const layer of built.model.layers) {
    if (!layer.weights.length) continue;
    const values = wanted.filter((w) => w.layer === layer).map((w) => tf.tensor(tensors.get(w.name)!.data, w.shape));
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Every expected tensor present with its shape and nothing else, or one error listing what is not. */
function checkFit(
  arch: string,
  wanted: readonly { name: string; shape: number[] }[],
  tensors: Map<string, RawTensor>,
): void {
  const expected = new Set(wanted.map((w) => w.name));
  const missing = wanted.filter((w) => !tensors.has(w.name)).map((w) => w.name);
  const extra = [...tensors.keys()].filter((k) => !expected.has(k));
  const misshaped = wanted
    .filter((w) => tensors.has(w.name) && tensors.get(w.name)!.shape.join(',') !== w.shape.join(','))
    .map((w) => `${w.name} (file [${tensors.get(w.name)!.shape.join(', ')}], ${arch} [${w.shape.join(', ')}])`);
  if (!missing.length && !extra.length && !misshaped.length) return;
  const parts = [
    missing.length ? `${missing.length} missing: ${list(missing)}` : '',
    extra.length ? `${extra.length} unexpected: ${list(extra)}` : '',
    misshaped.length ? `${misshaped.length} mis-shaped: ${list(misshaped)}` : '',
  ].filter(Boolean);
  throw new ImportError(`these weights do not fit ${arch}: ${parts.join('; ')}`);
}

export function classesOf(spec: ArchSpec, tensors: Map<string, RawTensor>): number {
  const head = tensors.get(`${headDenseName(spec)}.weight`);
  if (!head || head.shape.length !== 2) {
    throw new ImportError(
      `no ${headDenseName(spec)}.weight of shape [classes, features]: is this a ${spec.id} state_dict?`,
    );
  }
  return head.shape[0]!;
}

export async function importWeights(o: ImportOptions): Promise<ModelMeta> {
  let spec: ArchSpec;
  try {
    spec = getArch(o.arch);
  } catch (e) {
    throw new ImportError((e as Error).message);
  }
  checkDestination(o.out);
  let file: WeightFile;
  try {
    file = await readWeightFile(o.file);
  } catch (e) {
    if (e instanceof WeightFileError) throw new ImportError(e.message);
    throw e;
  }
  await o.onProgress?.(1, IMPORT_STEPS.length);
  const tfjs = file.format === 'tfjs-layers';
  const naming = tfjs ? 'tfjs' : (o.naming ?? defaultNaming(file));
  const tensors = tfjs ? file.tensors : torchvisionTensors(file, spec, naming as Naming);
  const classes = tfjs ? tfjsClasses(spec, tensors) : classesOf(spec, tensors);
  const labels = resolveLabels(o.labels, classes, spec);
  const built = buildModel(spec, { numClasses: classes, inputSize: o.imageSize ?? spec.inputSize });
  try {
    if (tfjs) loadTfjsWeights(built, tensors);
    else loadTorchvisionWeights(built, tensors);
    await o.onProgress?.(2, IMPORT_STEPS.length);
    const meta: ModelMeta = {
      format: 'anneal-model',
      version: 1,
      arch: spec.id,
      classes,
      labels,
      inputSize: o.imageSize ?? spec.inputSize,
      preprocessing: spec.preprocessing,
      groups: built.groups.map((g) => g.name),
      source: { file: basename(o.file), sha256: file.sha256, format: file.format, naming },
      created: new Date().toISOString(),
    };
    const { cleaned } = await saveModelDir(o.out, built.model, meta);
    if (cleaned.length) o.onCleaned?.(cleaned);
    await o.onProgress?.(3, IMPORT_STEPS.length);
    return meta;
  } finally {
    built.model.dispose();
  }
}

function tfjsClasses(spec: ArchSpec, tensors: Map<string, RawTensor>): number {
  const kernel = tensors.get(`${headDenseName(spec)}/kernel`);
  if (!kernel || kernel.shape.length !== 2) {
    throw new ImportError(`no ${headDenseName(spec)}/kernel of shape [features, classes]: is this a TF.js ${spec.id}?`);
  }
  return kernel.shape[1]!;
}

function resolveLabels(given: string[] | undefined, classes: number, spec: ArchSpec): string[] {
  if (given) {
    if (given.length !== classes) {
      throw new ImportError(`has ${given.length} labels but the weights have ${classes} classes`, { field: 'labels' });
    }
    return given;
  }
  const catalogLabels = spec.weights.find((w) => w.classes === classes && w.labels)?.labels;
  if (catalogLabels) return loadCatalogLabels(catalogLabels);
  return Array.from({ length: classes }, (_, i) => `class_${i}`);
}

function loadCatalogLabels(file: string): string[] {
  return JSON.parse(readFileSync(join(modelsDir(), file), 'utf8')) as string[];
}
