// A model dir: model.json + weights.bin (the TF.js layers format, loadable by tf.loadLayersModel)
// and anneal.json. Written to a temporary sibling folder and renamed into place, so a failure
// leaves nothing at the destination and never half a model.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { cleanStaleTemps, doneWithTemp, isNoSpace, NoSpaceError, tempSibling } from '../fs/index.js';
import '../models/batch-norm.js';
import { ModelMeta } from './meta.js';
import { InputError, type InputErrorOptions } from '../errors.js';

export class ModelDirError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'ModelDirError';
  }
}

function concat(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

/** Refuses to overwrite anything: the destination must not exist or be an empty folder. */
export function checkDestination(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory() || readdirSync(out).length > 0) {
    throw new ModelDirError(`${out} already exists and is not empty; choose another`, { field: 'out', kind: 'exists' });
  }
}

/**
 * `replace`: the destination is the caller's own earlier output (a run's model/ after a resume): the
 * new model is written completely first, then swapped in, so a failure still leaves the old one.
 */
export async function saveModelDir(
  out: string,
  model: tfl.LayersModel,
  meta: ModelMeta,
  opts: { replace?: boolean } = {},
): Promise<{ cleaned: string[] }> {
  const target = resolve(out);
  if (!opts.replace) checkDestination(target);
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new ModelDirError(`cannot create ${parent}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  // Temp folders of earlier writes that were killed are removed first (the caller says so).
  const cleaned = cleanStaleTemps(target);
  const tmp = tempSibling(target);
  try {
    mkdirSync(tmp);
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const manifest = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
          convertedBy: 'Anneal',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        writeFileSync(join(tmp, 'weights.bin'), concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[]));
        writeFileSync(join(tmp, 'model.json'), JSON.stringify(manifest));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    writeFileSync(join(tmp, 'anneal.json'), `${JSON.stringify(ModelMeta.parse(meta), null, 2)}\n`);
    if (existsSync(target)) {
      // An empty folder (checked above), or with `replace` the previous model: moved aside first.
      const old = `${tmp}.old`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ModelDirError) throw e;
    if (isNoSpace(e)) {
      const file = (e as NodeJS.ErrnoException).path ?? tmp;
      const before = opts.replace ? `${out} still holds the previous model` : `nothing was written at ${out}`;
      throw new NoSpaceError(file, `${before} (the partial copy was removed)`, { cause: e });
    }
    throw new ModelDirError(
      `cannot write the model to ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  } finally {
    doneWithTemp(tmp);
  }
  return { cleaned };
}

export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, 'anneal.json')) && existsSync(join(dir, 'model.json'));
}

export function readModelMeta(dir: string): ModelMeta {
  const path = join(dir, 'anneal.json');
  if (!existsSync(path))
    throw new ModelDirError(`${dir} is not an Anneal model dir (no anneal.json)`, { kind: 'invalid' });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelDirError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = ModelMeta.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelDirError(`${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Parameters of a model dir, counted from model.json's weight specs as torchvision counts them:
 * BatchNorm's running statistics are buffers, not parameters.
 */
export function modelDirParams(dir: string): number {
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  };
  return manifest.weightsManifest
    .flatMap((g) => g.weights)
    .filter((w) => !/moving_(mean|variance)$/.test(w.name))
    .reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * A layers topology whose input layer takes `size`×`size` images. The zoo's architectures are fully
 * convolutional up to a global average pooling (models/resnet.ts, models/efficientnet.ts), so the
 * same weights serve any input size; only the InputLayer's batch_input_shape pins one. A model
 * with a layer whose weights depend on the spatial size (Flatten before Dense) fails to load its
 * weights at another size, and loadLayersModelFile says so.
 */
export function withInputSize(topology: object, size: number): object {
  const t = structuredClone(topology) as {
    config?: { layers?: { class_name: string; config: Record<string, unknown> }[] };
  };
  for (const layer of t.config?.layers ?? []) {
    if (layer.class_name !== 'InputLayer') continue;
    const shape = layer.config.batch_input_shape as (number | null)[] | undefined;
    if (shape?.length === 4) layer.config.batch_input_shape = [shape[0] ?? null, size, size, shape[3]];
  }
  return t;
}

/** The input layer's spatial size in a layers topology, or null where it is not a square image. */
export function topologyInputSize(topology: object): number | null {
  const t = topology as { config?: { layers?: { class_name: string; config: Record<string, unknown> }[] } };
  const input = t.config?.layers?.find((l) => l.class_name === 'InputLayer');
  const shape = input?.config.batch_input_shape as (number | null)[] | undefined;
  return shape?.length === 4 && shape[1] === shape[2] && typeof shape[1] === 'number' ? shape[1] : null;
}

/**
 * Loads model.json and its weight shards (paths relative to the manifest). With `inputSize`, the
 * graph is built for that input size whatever size it was saved at (withInputSize).
 */
export async function loadLayersModelFile(modelJson: string, o: { inputSize?: number } = {}): Promise<tfl.LayersModel> {
  let manifest: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  try {
    manifest = JSON.parse(readFileSync(modelJson, 'utf8'));
  } catch (e) {
    throw new ModelDirError(`cannot read ${modelJson}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const dir = dirname(modelJson);
  const specs = manifest.weightsManifest.flatMap((g) => g.weights);
  const buffers = manifest.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const weightData = concat(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  const saved = topologyInputSize(manifest.modelTopology);
  const resize = o.inputSize !== undefined && saved !== o.inputSize;
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: resize ? withInputSize(manifest.modelTopology, o.inputSize!) : manifest.modelTopology,
        weightSpecs: specs,
        weightData: weightData.buffer as ArrayBuffer,
      }),
    );
  } catch (e) {
    if (!resize) throw e;
    throw new ModelDirError(
      `${modelJson} cannot take ${o.inputSize} px input (saved at ${saved ?? '?'} px): a layer's weights depend on ` +
        `the image size, so only fully convolutional models with global pooling change size (${(e as Error).message})`,
      { kind: 'conflict' },
    );
  }
}

/**
 * A model dir's model and anneal.json. The graph is built for anneal.json's input size (or
 * `inputSize`, to fine-tune at another), not the size model.json was saved at: a model dir from
 * before that rule, trained at another size than its pretrained model's, still predicts.
 */
export async function loadModelDir(
  dir: string,
  o: { inputSize?: number } = {},
): Promise<{ model: tfl.LayersModel; meta: ModelMeta }> {
  const meta = readModelMeta(dir);
  const inputSize = o.inputSize ?? meta.inputSize;
  const model = await loadLayersModelFile(join(dir, 'model.json'), { inputSize });
  return { model, meta: { ...meta, inputSize } };
}
