// MixUp and CutMix in timm's batch mode (timm/data/mixup.py, class Mixup, mode='batch'): one draw
// per batch decides whether to mix, which method, λ ~ Beta(α, α) and the CutMix box; sample i is
// mixed with sample N−1−i (x.flip(0)). The draws come from the run seed and the step, so a
// resumed run replays them exactly; the trainer records each one in the step's record.
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, mulberry32, randint, type Rng } from '../data/augment/index.js';
import type { MixSettings } from './recipes.js';

export interface MixDraw {
  method: 'mixup' | 'cutmix';
  /** The weight of each sample's own image and label (after CutMix's clipping correction). */
  lam: number;
  /** CutMix's box in pixels, [yl, yh) × [xl, xh): rows from the flipped batch. */
  box: [number, number, number, number] | null;
}

export const mixOn = (m: MixSettings): boolean => m.mixup !== false || m.cutmix !== false;

/** The generator of one micro-batch's draw: run seed, optimizer step, micro-batch ('mix' salts it). */
export function mixRng(seed: number, step: number, micro: number): Rng {
  return mulberry32(deriveSeed(seed, 0x6d6978, step, micro));
}

/** A standard normal draw (Box–Muller, the cosine half). */
function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(a, 1) by Marsaglia & Tsang (2000); a < 1 by the boost Gamma(a+1)·U^(1/a). */
function gamma(a: number, rng: Rng): number {
  if (a < 1) return gamma(a + 1, rng) * Math.pow(1 - rng(), 1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) as X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b) (numpy's generator does the same). */
export function beta(a: number, b: number, rng: Rng): number {
  const x = gamma(a, rng);
  const y = gamma(b, rng);
  return x + y > 0 ? x / (x + y) : 0.5;
}

/**
 * timm rand_bbox + cutmix_bbox_and_lam (correct_lam=True) for a given box centre: a box of side
 * int(side·sqrt(1−λ)), cut//2 either side of the centre, clipped to the image, and λ recomputed
 * from the clipped area.
 */
export function cutmixBoxAt(
  h: number,
  w: number,
  lam: number,
  cy: number,
  cx: number,
): { box: [number, number, number, number]; lam: number } {
  const ratio = Math.sqrt(1 - lam);
  const halfH = Math.floor(Math.floor(h * ratio) / 2);
  const halfW = Math.floor(Math.floor(w * ratio) / 2);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const yl = clip(cy - halfH, h);
  const yh = clip(cy + halfH, h);
  const xl = clip(cx - halfW, w);
  const xh = clip(cx + halfW, w);
  return { box: [yl, yh, xl, xh], lam: 1 - ((yh - yl) * (xh - xl)) / (h * w) };
}

/** The box with its centre drawn uniformly (rand_bbox: np.random.randint(0, h), then (0, w)). */
export function cutmixBox(
  h: number,
  w: number,
  lam: number,
  rng: Rng,
): { box: [number, number, number, number]; lam: number } {
  const cy = randint(rng, 0, h);
  return cutmixBoxAt(h, w, lam, cy, randint(rng, 0, w));
}

/** timm Mixup._params_per_batch (+ the box): null where this batch is not mixed (λ = 1). */
export function drawMix(m: MixSettings, rng: Rng, h: number, w: number): MixDraw | null {
  if (!mixOn(m) || !(rng() < m.mixProb)) return null;
  let cut: boolean;
  let lam: number;
  if (m.mixup !== false && m.cutmix !== false) {
    cut = rng() < m.switchProb;
    lam = cut ? beta(m.cutmix.alpha, m.cutmix.alpha, rng) : beta(m.mixup.alpha, m.mixup.alpha, rng);
  } else if (m.mixup !== false) {
    cut = false;
    lam = beta(m.mixup.alpha, m.mixup.alpha, rng);
  } else {
    cut = true;
    lam = beta((m.cutmix as { alpha: number }).alpha, (m.cutmix as { alpha: number }).alpha, rng);
  }
  if (lam === 1) return null;
  if (!cut) return { method: 'mixup', lam, box: null };
  const c = cutmixBox(h, w, lam, rng);
  return { method: 'cutmix', lam: c.lam, box: c.box };
}

/**
 * The mixed batch (NHWC): MixUp x·λ + flip(x)·(1−λ); CutMix the box's pixels from flip(x)
 * (timm Mixup._mix_batch). The input is left as it is; the result is the caller's.
 */
export function mixImages(x: tf.Tensor4D, d: MixDraw): tf.Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.reverse(x, 0);
    if (d.method === 'mixup') return tf.add(tf.mul(x, d.lam), tf.mul(flipped, 1 - d.lam)) as tf.Tensor4D;
    const [, h, w] = x.shape;
    const [yl, yh, xl, xh] = d.box!;
    const mask = new Float32Array(h * w);
    for (let y = yl; y < yh; y++) mask.fill(1, y * w + xl, y * w + xh);
    const m = tf.tensor4d(mask, [1, h, w, 1]);
    return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(flipped, m)) as tf.Tensor4D;
  });
}
