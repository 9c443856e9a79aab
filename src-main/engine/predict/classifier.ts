// Whatever predict is given (a model dir, a run or checkpoint, a TF.js export, an ONNX export) as one thing that turns
// RGB images at the input size into logits and probabilities, each fed as it expects: TF.js
// models normalised NHWC, ONNX exports raw 0–255 pixels (their graph normalises) or, made with
// --raw-input, normalised NCHW.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { RgbImage } from '../data/types.js';
import { ExportInfo } from '../export/metadata.js';
import {
  loadLayersModelFile,
  loadModelSource,
  ModelDirError,
  openModelSource,
  type ModelMeta,
  type ModelSource,
} from '../model-dir/index.js';
import { fastForward } from './forward.js';
import { normalize } from './image.js';
import { OnnxClassifier } from './onnx.js';

export interface ClassifierMeta {
  arch: string;
  labels: string[];
  inputSize: number;
  preprocessing: ModelMeta['preprocessing'];
}

export interface Classifier {
  /** model-dir and run: TF.js layers models (a run's model/ or checkpoint); tfjs, onnx: exports. */
  kind: 'model-dir' | 'run' | 'tfjs' | 'onnx';
  meta: ClassifierMeta;
  /** What computes it, for people: "TF.js (cpu)", "onnxruntime 1.30.0 (cpu)". */
  runtime: string;
  /** Logits and probabilities, [n, classes] row-major, of images already at the input size. */
  classify(images: readonly RgbImage[]): Promise<{ logits: Float32Array; probs: Float32Array }>;
  dispose(): Promise<void>;
}

/** A TF.js layers model that takes normalised NHWC input and outputs logits. */
export function layersClassifier(
  model: tfl.LayersModel,
  meta: ClassifierMeta,
  kind: 'model-dir' | 'run' | 'tfjs',
): Classifier {
  const S = meta.inputSize;
  return {
    kind,
    meta,
    runtime: `TF.js (${tf.getBackend()})`,
    async classify(images) {
      const flat = new Float32Array(images.length * S * S * 3);
      images.forEach((img, i) => flat.set(normalize(img, meta.preprocessing), i * S * S * 3));
      const [logits, probs] = tf.tidy(() => {
        const l = model.predict(tf.tensor4d(flat, [images.length, S, S, 3])) as tf.Tensor2D;
        return [l, tf.softmax(l)];
      });
      try {
        return { logits: (await logits.data()) as Float32Array, probs: (await probs.data()) as Float32Array };
      } finally {
        tf.dispose([logits, probs]);
      }
    },
    async dispose() {
      model.dispose();
    },
  };
}

/** Row-wise softmax of [n, C] logits (max subtracted first, as tf.softmax does), in float64. */
export function softmaxRows(logits: Float32Array, C: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += C) {
    let max = -Infinity;
    for (let j = 0; j < C; j++) max = Math.max(max, logits[r + j]!);
    let sum = 0;
    for (let j = 0; j < C; j++) sum += Math.exp(logits[r + j]! - max);
    for (let j = 0; j < C; j++) out[r + j] = Math.exp(logits[r + j]! - max) / sum;
  }
  return out;
}

/**
 * A TF.js layers model run by fastForward (onnxruntime on a CPU-only machine, TF.js on a GPU):
 * what predict and the jobs use. `owns`: dispose() also disposes the model.
 */
export async function fastLayersClassifier(
  model: tfl.LayersModel,
  meta: ClassifierMeta,
  kind: 'model-dir' | 'run' | 'tfjs',
  owns = true,
): Promise<Classifier> {
  const S = meta.inputSize;
  const forward = await fastForward(model, S);
  return {
    kind,
    meta,
    runtime: forward.runtime,
    async classify(images) {
      const flat = new Float32Array(images.length * S * S * 3);
      images.forEach((img, i) => flat.set(normalize(img, meta.preprocessing), i * S * S * 3));
      const logits = await forward.run(flat, images.length);
      return { logits, probs: softmaxRows(logits, meta.labels.length) };
    },
    async dispose() {
      await forward.dispose();
      if (owns) model.dispose();
    },
  };
}

/** HWC → CHW of one image. */
function toChw(hwc: Float32Array, S: number): Float32Array {
  const out = new Float32Array(hwc.length);
  for (let i = 0; i < S * S; i++) for (let c = 0; c < 3; c++) out[c * S * S + i] = hwc[i * 3 + c]!;
  return out;
}

/** An ONNX export, fed what its metadata says it takes. */
export function onnxClassifier(model: OnnxClassifier): Classifier {
  const { info } = model;
  const S = info.inputSize;
  return {
    kind: 'onnx',
    meta: info,
    runtime: model.runtime,
    async classify(images) {
      const input = new Float32Array(images.length * S * S * 3);
      images.forEach((img, i) => {
        const one =
          info.input === 'rgb255-nhwc'
            ? Float32Array.from(img.data)
            : info.input === 'normalised-nchw'
              ? toChw(normalize(img, info.preprocessing), S)
              : normalize(img, info.preprocessing);
        input.set(one, i * S * S * 3);
      });
      return model.run(input, images.length);
    },
    dispose: () => model.release(),
  };
}

/** A TF.js export's model.json: the layers model, described by userDefinedMetadata.anneal. */
async function tfjsExport(modelJson: string): Promise<Classifier> {
  let info;
  try {
    const manifest = JSON.parse(readFileSync(modelJson, 'utf8')) as { userDefinedMetadata?: { anneal?: unknown } };
    info = ExportInfo.safeParse(manifest.userDefinedMetadata?.anneal);
  } catch (e) {
    throw new ModelDirError(`cannot read ${modelJson}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!info.success || info.data.modelFormat !== 'tfjs')
    throw new ModelDirError(`${modelJson} is not a TF.js model exported by Anneal (no userDefinedMetadata.anneal)`);
  const model = await loadLayersModelFile(modelJson);
  return fastLayersClassifier(model, info.data, 'tfjs');
}

export type ModelKind = Classifier['kind'];

/**
 * What `path` holds and the file or folder to load: a model dir, a run folder (its model/, else its
 * best checkpoint) or one of its checkpoints, an export folder (model.onnx, or model.json from
 * `anneal export --format tfjs`), or an exported .onnx or model.json given directly
 * (model-dir's openModelSource). Loads no weights.
 */
export function findModel(path: string): { kind: ModelKind; file: string; source: ModelSource } {
  const source = openModelSource(path, { exports: true });
  return { kind: source.kind, file: source.file ?? source.modelDir ?? source.checkpoint!.dir, source };
}

/** Loads what findModel finds. TF.js kinds load on the active TF.js backend. */
export async function openClassifier(path: string): Promise<Classifier> {
  const { kind, file, source } = findModel(path);
  if (kind === 'onnx') return onnxClassifier(await OnnxClassifier.fromFile(file));
  if (kind === 'tfjs') return tfjsExport(file);
  const { model, meta } = await loadModelSource(source);
  return fastLayersClassifier(model, meta, kind);
}
