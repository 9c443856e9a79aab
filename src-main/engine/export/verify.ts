// Every export is checked before it is handed over: the written files, loaded back the way a user
// will load them (onnxruntime for ONNX, tf.loadLayersModel for TF.js), must give the logits the
// model gives in Anneal for the same pixels. Test images are synthetic and fixed, so the check
// needs no data and a failure can be reproduced.
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { RgbImage } from '../data/types.js';
import { loadLayersModelFile } from '../model-dir/index.js';
import {
  layersClassifier,
  onnxClassifier,
  OnnxClassifier,
  type Classifier,
  type ClassifierMeta,
} from '../predict/index.js';
import { TFJS_MODEL_FILE } from './tfjs.js';

/** Relative L2 below which two runs of a model count as the same (as the import parity tests). */
export const VERIFY_TOLERANCE = 1e-4;

export interface Verification {
  /** What the export was run in. */
  runtime: string;
  /** What it was compared with. */
  reference: string;
  images: number;
  /** ||exported − reference|| / ||reference||, over all images. */
  logitsRelL2: number;
  probsRelL2: number;
  maxAbsLogitDiff: number;
}

/**
 * Two S×S test images: smooth colour waves (p = 127.5 + 127.5 sin(0.37x + 0.23y + 1.1c +
 * 0.5 sin(0.05xy)), the parity tests' formula image) and a hard-edged checkerboard of saturated
 * colours, so that both gentle gradients and the extremes 0 and 255 go through the graph.
 */
export function testImages(S: number): RgbImage[] {
  const waves = new Uint8Array(S * S * 3);
  const checks = new Uint8Array(S * S * 3);
  const palette = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 255],
    [0, 0, 0],
    [255, 200, 0],
  ];
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const cell = palette[(Math.floor(x / 4) + 2 * Math.floor(y / 4)) % palette.length]!;
      for (let c = 0; c < 3; c++) {
        const v = Math.floor(127.5 + 127.5 * Math.sin(0.37 * x + 0.23 * y + 1.1 * c + 0.5 * Math.sin(0.05 * x * y)));
        waves[(y * S + x) * 3 + c] = Math.min(255, Math.max(0, v));
        checks[(y * S + x) * 3 + c] = cell[c]!;
      }
    }
  return [
    { width: S, height: S, data: waves },
    { width: S, height: S, data: checks },
  ];
}

export function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

async function compare(exported: Classifier, reference: Classifier, S: number): Promise<Verification> {
  const images = testImages(S);
  const want = await reference.classify(images);
  const got = await exported.classify(images);
  let maxAbs = 0;
  want.logits.forEach((v, i) => (maxAbs = Math.max(maxAbs, Math.abs(v - got.logits[i]!))));
  const v: Verification = {
    runtime: exported.runtime,
    reference: reference.runtime,
    images: images.length,
    logitsRelL2: relL2(got.logits, want.logits),
    probsRelL2: relL2(got.probs, want.probs),
    maxAbsLogitDiff: maxAbs,
  };
  if (!(v.logitsRelL2 < VERIFY_TOLERANCE && v.probsRelL2 < VERIFY_TOLERANCE)) {
    throw new Error(
      `export check failed: ${v.runtime} gives logits ${v.logitsRelL2.toExponential(2)} (relative L2) away from ` +
        `${v.reference}'s, over the tolerance ${VERIFY_TOLERANCE}; nothing was written`,
    );
  }
  return v;
}

/** The ONNX bytes in onnxruntime against the model in TF.js. */
export async function verifyOnnx(
  bytes: Uint8Array,
  model: tfl.LayersModel,
  meta: ClassifierMeta,
): Promise<Verification> {
  const reference = layersClassifier(model, meta, 'model-dir');
  let onnx: OnnxClassifier;
  try {
    onnx = await OnnxClassifier.fromBytes(bytes, 'the exported model');
  } catch (e) {
    // Our own output refused by onnxruntime: a fault of the exporter, not of the user's input.
    throw new Error(`export check failed: ${(e as Error).message}; nothing was written`);
  }
  try {
    return await compare(onnxClassifier(onnx), reference, meta.inputSize);
  } finally {
    await onnx.release();
  }
}

/** The written TF.js files, loaded back, against the model they were written from. */
export async function verifyTfjs(dir: string, model: tfl.LayersModel, meta: ClassifierMeta): Promise<Verification> {
  const reloaded = layersClassifier(await loadLayersModelFile(join(dir, TFJS_MODEL_FILE)), meta, 'tfjs');
  try {
    const v = await compare(reloaded, layersClassifier(model, meta, 'model-dir'), meta.inputSize);
    return { ...v, runtime: `${reloaded.runtime}, reloaded from ${TFJS_MODEL_FILE}` };
  } finally {
    await reloaded.dispose();
  }
}
