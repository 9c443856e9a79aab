// Grad-CAM (Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks via
// Gradient-based Localization", eq. 1–2) on the last convolutional stage: the input of the
// head's global average pool, i.e. ResNet's layer4 output and EfficientNet's final conv + BN +
// SiLU ("top" activation, torchvision features.8).
//   α_k^c = mean over (i, j) of ∂y^c / ∂A^k_ij        y^c: the class's logit (before softmax)
//   L^c   = ReLU(Σ_k α_k^c A^k)
// then upsampled bilinearly to the input size (torch's F.interpolate(mode='bilinear',
// align_corners=False): half-pixel centres, edges clamped) and scaled to [0, 1] by its min and
// max (0 everywhere when it is constant). Checked against torch by test/golden/generate_gradcam.py.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InputError } from '../errors.js';

/** The layer whose input Grad-CAM explains: the head's pool (models/layers.ts head()). */
const POOL_LAYER = 'avgpool';

export interface CamResult {
  /** The explained class (the predicted one unless one was asked for). */
  classIndex: number;
  /** The first largest logit. */
  predicted: number;
  /** Softmax of the logits. */
  probs: number[];
  /** The last stage's map, h × w, after the ReLU and before upsampling. */
  cam: { height: number; width: number; data: Float64Array };
  /** size × size, row-major, in [0, 1]. */
  heatmap: Float32Array;
}

/** The model split at the pool: the backbone to the last stage, and the head's layers after it. */
interface Split {
  features: tfl.LayersModel;
  head: tfl.layers.Layer[];
}

const splits = new WeakMap<tfl.LayersModel, Split>();

function splitAtPool(model: tfl.LayersModel): Split {
  const cached = splits.get(model);
  if (cached) return cached;
  let pool: tfl.layers.Layer;
  try {
    pool = model.getLayer(POOL_LAYER);
  } catch {
    throw new InputError(`the model has no "${POOL_LAYER}" layer: Grad-CAM needs an Anneal ResNet or EfficientNet`, {
      kind: 'unsupported',
      field: 'model',
    });
  }
  // The head: the chain of layers from the pool to this model's output (pool → dropout → dense),
  // walked back through the model's own graph, so that a pool shared with an older head (replaceHead
  // keeps the backbone's layers) still finds this model's.
  const head: tfl.layers.Layer[] = [];
  let t = model.outputs[0]!;
  while (t.sourceLayer !== pool) {
    const node = t.sourceLayer.inboundNodes[t.nodeIndex];
    if (!node || node.inputTensors.length !== 1)
      throw new InputError(`the model's head after "${POOL_LAYER}" is not a single chain of layers`, {
        kind: 'unsupported',
        field: 'model',
      });
    head.unshift(t.sourceLayer);
    t = node.inputTensors[0]!;
  }
  head.unshift(pool);
  const poolInput = pool.inboundNodes[t.nodeIndex]!.inputTensors[0]!;
  // A view of the same layers (no weights are copied): never dispose it, that would free the model's.
  const features = tfl.model({ inputs: model.inputs, outputs: poolInput });
  const split = { features, head };
  splits.set(model, split);
  return split;
}

/**
 * torch.nn.functional.interpolate(mode='bilinear', align_corners=False) of one h × w map to
 * size × size, in float64: source coordinate (d + 0.5)·(in/out) − 0.5, negative clamped to 0
 * (aten/src/ATen/native/UpSample.h, area_pixel_compute_source_index).
 */
export function upsampleBilinear(src: Float64Array, h: number, w: number, size: number): Float64Array {
  const out = new Float64Array(size * size);
  const axis = (inLen: number) =>
    Array.from({ length: size }, (_, d) => {
      const s = Math.max(0, ((d + 0.5) * inLen) / size - 0.5);
      const i0 = Math.min(Math.floor(s), inLen - 1);
      const i1 = Math.min(i0 + 1, inLen - 1);
      const t = s - i0;
      return { i0, i1, t };
    });
  const ys = axis(h);
  const xs = axis(w);
  for (let y = 0; y < size; y++) {
    const { i0: y0, i1: y1, t: ty } = ys[y]!;
    for (let x = 0; x < size; x++) {
      const { i0: x0, i1: x1, t: tx } = xs[x]!;
      const top = (1 - tx) * src[y0 * w + x0]! + tx * src[y0 * w + x1]!;
      const bottom = (1 - tx) * src[y1 * w + x0]! + tx * src[y1 * w + x1]!;
      out[y * size + x] = (1 - ty) * top + ty * bottom;
    }
  }
  return out;
}

/** (v − min) / (max − min), or all zeros for a constant map (nothing singled out). */
export function minMaxNormalise(v: Float64Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const out = new Float32Array(v.length);
  const range = hi - lo;
  if (!(range > 1e-12 * Math.max(1, Math.abs(hi)))) return out;
  for (let i = 0; i < v.length; i++) out[i] = (v[i]! - lo) / range;
  return out;
}

/**
 * Grad-CAM of `n` normalised NHWC images (`x`, [n, size, size, 3]) for `classes[i]`, or each
 * image's predicted class where it is undefined. Every tensor made here is freed before it returns.
 */
export async function gradCam(
  model: tfl.LayersModel,
  x: Float32Array,
  n: number,
  size: number,
  classes: readonly (number | undefined)[] = [],
): Promise<CamResult[]> {
  const { features, head } = splitAtPool(model);
  const applyHead = (a: tf.Tensor): tf.Tensor =>
    head.reduce((t, layer) => layer.apply(t, { training: false }) as tf.Tensor, a);
  const [acts, logits] = tf.tidy(() => {
    const a = features.apply(tf.tensor4d(x, [n, size, size, 3]), { training: false }) as tf.Tensor4D;
    return [a, applyHead(a) as tf.Tensor2D];
  });
  try {
    const C = logits.shape[1]!;
    const logitRows = (await logits.array()) as number[][];
    const predicted = logitRows.map((row) => row.indexOf(Math.max(...row)));
    const chosen = predicted.map((p, i) => classes[i] ?? p);
    for (const c of chosen)
      if (!Number.isInteger(c) || c < 0 || c >= C) throw new RangeError(`class index ${c} is not one of 0..${C - 1}`);
    const cams = tf.tidy(() => {
      const onehot = tf.oneHot(tf.tensor1d(chosen, 'int32'), C);
      // Σ_b y^{c_b}: each image's gradient is its own (BatchNorm in inference mode mixes nothing).
      const grads = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(applyHead(a), onehot)))(acts) as tf.Tensor4D;
      const alpha = tf.mean(grads, [1, 2], true);
      return tf.relu(tf.sum(tf.mul(acts, alpha), 3)) as tf.Tensor3D;
    });
    const [, h, w] = cams.shape;
    const data = (await cams.data()) as Float32Array;
    cams.dispose();
    // Asynchronous reads only: WebGPU's synchronous read needs an OffscreenCanvas, which Node lacks.
    const softmax = tf.softmax(logits);
    const probs = (await softmax.array()) as number[][];
    softmax.dispose();
    return chosen.map((classIndex, i) => {
      const cam = Float64Array.from(data.subarray(i * h * w, (i + 1) * h * w));
      return {
        classIndex,
        predicted: predicted[i]!,
        probs: probs[i]!,
        cam: { height: h, width: w, data: cam },
        heatmap: minMaxNormalise(upsampleBilinear(cam, h, w, size)),
      };
    });
  } finally {
    tf.dispose([acts, logits]);
  }
}
