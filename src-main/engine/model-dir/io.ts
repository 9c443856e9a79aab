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
  if (!existsSync(path)) throw new ModelDirError(`${dir} is not an Anneal model dir (no anneal.json)`);
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

/** Loads model.json and its weight shards (paths relative to the manifest). */
export async function loadLayersModelFile(modelJson: string): Promise<tfl.LayersModel> {
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
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: specs,
      weightData: weightData.buffer as ArrayBuffer,
    }),
  );
}

export async function loadModelDir(dir: string): Promise<{ model: tfl.LayersModel; meta: ModelMeta }> {
  const meta = readModelMeta(dir);
  const model = await loadLayersModelFile(join(dir, 'model.json'));
  return { model, meta };
}
