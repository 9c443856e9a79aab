// Resizing in plain typed-array code (no sharp, no canvas): synchronous, so it runs inside a
// worker thread's augmentation step without a round trip through libuv. It is Pillow's
// convolution resampler (libImaging/Resample.c: precompute_coeffs, ImagingResampleHorizontal/
// Vertical), which is what torchvision's transforms run on PIL images: the filter is stretched by
// the downscale factor, so shrinking averages every source pixel (antialiased) instead of
// skipping most of them. libvips, behind sharp and `anneal predict`, resizes the same way.
import type { RgbImage } from '../types.js';

export type Interpolation = 'bilinear' | 'bicubic';

/** A box in source pixels; edges may be fractional. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface Filter {
  support: number;
  weight(x: number): number;
}

const FILTERS: Record<Interpolation, Filter> = {
  // Pillow bilinear_filter: the triangle.
  bilinear: { support: 1, weight: (x) => (x < 0 ? (x > -1 ? 1 + x : 0) : x < 1 ? 1 - x : 0) },
  // Pillow bicubic_filter, a = -0.5 (Keys 1981), as in Pillow and torchvision's PIL path.
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = x < 0 ? -x : x;
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

interface Coefficients {
  /** First source index of each output pixel. */
  start: Int32Array;
  /** Taps of each output pixel. */
  count: Int32Array;
  /** `taps` weights per output pixel, normalised to sum 1. */
  weights: Float32Array;
  taps: number;
}

/**
 * Pillow precompute_coeffs: output pixel i samples the source around
 * center = in0 + (i + 0.5) * scale, with the filter widened by max(scale, 1), clamped to [lo, hi).
 */
function coefficients(in0: number, in1: number, lo: number, hi: number, out: number, filter: Filter): Coefficients {
  const scale = (in1 - in0) / out;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(out);
  const count = new Int32Array(out);
  const weights = new Float32Array(out * taps);
  const ss = 1 / filterScale;
  for (let i = 0; i < out; i++) {
    const center = in0 + (i + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), lo);
    const n = Math.min(Math.trunc(center + support + 0.5), hi) - xmin;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const w = filter.weight((k + xmin - center + 0.5) * ss);
      weights[i * taps + k] = w;
      total += w;
    }
    if (total !== 0) for (let k = 0; k < n; k++) weights[i * taps + k]! /= total;
    start[i] = xmin;
    count[i] = n;
  }
  return { start, count, weights, taps };
}

/**
 * Resamples `box` of `img` to outW × outH. Filter taps never reach outside `clamp` (integer
 * edges): the whole image for a resize, the crop for torchvision's crop-then-resize.
 */
export function resampleBox(
  img: RgbImage,
  box: Box,
  clamp: Box,
  outW: number,
  outH: number,
  interpolation: Interpolation,
): RgbImage {
  const filter = FILTERS[interpolation];
  const cx = coefficients(box.x0, box.x1, clamp.x0, clamp.x1, outW, filter);
  const cy = coefficients(box.y0, box.y1, clamp.y0, clamp.y1, outH, filter);
  // Horizontal pass over just the rows the vertical pass reads (as Pillow does), in float.
  const yFirst = cy.start[0]!;
  const yLast = cy.start[outH - 1]! + cy.count[outH - 1]!;
  const rows = yLast - yFirst;
  const src = img.data;
  const rowStride = img.width * 3;
  const tmp = new Float32Array(rows * outW * 3);
  for (let r = 0; r < rows; r++) {
    const rowBase = (yFirst + r) * rowStride;
    let o = r * outW * 3;
    for (let x = 0; x < outW; x++) {
      const n = cx.count[x]!;
      const wBase = x * cx.taps;
      let p = rowBase + cx.start[x]! * 3;
      let r0 = 0;
      let g0 = 0;
      let b0 = 0;
      for (let k = 0; k < n; k++, p += 3) {
        const w = cx.weights[wBase + k]!;
        r0 += w * src[p]!;
        g0 += w * src[p + 1]!;
        b0 += w * src[p + 2]!;
      }
      tmp[o++] = r0;
      tmp[o++] = g0;
      tmp[o++] = b0;
    }
  }
  // Vertical pass, a whole output row at a time (sequential memory access).
  const out = new Uint8Array(outW * outH * 3);
  // Uint8ClampedArray stores round-to-nearest and clamps to [0, 255] (bicubic overshoots).
  const clamped = new Uint8ClampedArray(out.buffer);
  const rowLen = outW * 3;
  const acc = new Float32Array(rowLen);
  for (let y = 0; y < outH; y++) {
    acc.fill(0);
    const n = cy.count[y]!;
    const wBase = y * cy.taps;
    for (let k = 0; k < n; k++) {
      const w = cy.weights[wBase + k]!;
      const base = (cy.start[y]! - yFirst + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i]! += w * tmp[base + i]!;
    }
    clamped.set(acc, y * rowLen);
  }
  return { width: outW, height: outH, data: out };
}

/**
 * torchvision F.resized_crop: crop rows [top, top + h) and columns [left, left + w), then resize
 * to size × size. The filter does not reach past the crop (Pillow resizes the cropped image).
 */
export function resizedCrop(
  img: RgbImage,
  top: number,
  left: number,
  h: number,
  w: number,
  size: number,
  interpolation: Interpolation,
): RgbImage {
  const box = { x0: left, y0: top, x1: left + w, y1: top + h };
  return resampleBox(img, box, box, size, size, interpolation);
}

/**
 * The eval transform's geometry, exactly as `anneal predict` computes it (predict/image.ts
 * resizeAndCrop): the shorter side scaled to `size`, the other rounded, then a centre crop
 * starting at floor((side - size) / 2). Returned as the source box the crop covers.
 */
export function evalBox(width: number, height: number, size: number): Box {
  const scale = size / Math.min(width, height);
  const w = Math.max(size, Math.round(width * scale));
  const h = Math.max(size, Math.round(height * scale));
  const left = Math.floor((w - size) / 2);
  const top = Math.floor((h - size) / 2);
  const sx = width / w;
  const sy = height / h;
  return { x0: left * sx, y0: top * sy, x1: (left + size) * sx, y1: (top + size) * sy };
}

/**
 * Resize the shorter side to `size`, centre-crop size × size (torchvision Resize + CenterCrop,
 * the validation and prediction transform). Resampling only the cropped box of the full image is
 * pixel-for-pixel the same as resizing the whole image and then cropping, at a fraction of the cost.
 */
export function evalTransform(img: RgbImage, size: number, interpolation: Interpolation = 'bilinear'): RgbImage {
  if (img.width === size && img.height === size) return { width: size, height: size, data: img.data.slice() };
  const whole = { x0: 0, y0: 0, x1: img.width, y1: img.height };
  return resampleBox(img, evalBox(img.width, img.height, size), whole, size, size, interpolation);
}
