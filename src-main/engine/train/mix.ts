// MixUp and CutMix in timm's batch mode (timm/data/mixup.py, class Mixup, mode='batch'): one draw
// per batch decides whether to mix, which method, λ ~ Beta(α, α) and the CutMix box; sample i is
// mixed with sample N−1−i (x.flip(0)). The draws come from the run seed and the step, so a
// resumed run replays them exactly; the trainer records each one in the step's record. No TF.js
// here: the augmentation preview draws with it too (batch-recipe.ts mixes the tensors).
import type { RgbImage } from '../data/types.js';
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
 * Two images mixed as one draw mixes a pair in a batch (the preview's cells): MixUp's λ blend, or
 * CutMix's box from `other`; rounded back to bytes.
 */
export function mixPixels(own: RgbImage, other: RgbImage, d: MixDraw): RgbImage {
  const out = new Uint8Array(own.data.length);
  const { width: w } = own;
  if (d.method === 'mixup') {
    for (let i = 0; i < out.length; i++) out[i] = Math.round(own.data[i]! * d.lam + other.data[i]! * (1 - d.lam));
    return { width: w, height: own.height, data: out };
  }
  out.set(own.data);
  const [yl, yh, xl, xh] = d.box!;
  for (let y = yl; y < yh; y++) out.set(other.data.subarray((y * w + xl) * 3, (y * w + xh) * 3), (y * w + xl) * 3);
  return { width: w, height: own.height, data: out };
}
