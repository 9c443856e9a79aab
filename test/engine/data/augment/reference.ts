// The torchvision/Pillow reference values (generate_torchvision_reference.py) and helpers shared
// by the augmentation tests.
import { readFileSync } from 'node:fs';
import type { Rng } from '../../../../src-main/engine/data/augment/index.js';
import type { RgbImage } from '../../../../src-main/engine/data/types.js';

/** One get_params call: its inputs, the c0 of its draws, its crop, and the draws it took. */
export type CropRow = [
  width: number,
  height: number,
  scale0: number,
  scale1: number,
  ratio0: number,
  ratio1: number,
  c0: number,
  i: number,
  j: number,
  h: number,
  w: number,
  draws: number,
];

interface Reference {
  reference: string;
  crop: { columns: string[]; rows: CropRow[] };
  jitter: {
    input: number[];
    width: number;
    height: number;
    cases: { op: 'brightness' | 'contrast' | 'saturation' | 'hue'; factor: number; out: number[] }[];
  };
  resize: {
    input: number[];
    width: number;
    height: number;
    cases: {
      top: number;
      left: number;
      h: number;
      w: number;
      size: number;
      interpolation: 'bilinear' | 'bicubic';
      out: number[];
    }[];
  };
}

export const REFERENCE = JSON.parse(
  readFileSync(new URL('./torchvision-reference.json', import.meta.url), 'utf8'),
) as Reference;

/** The generator's fixed draws: u_k = (c0 + k·0.618…) % 1, counting how many were taken. */
export function fixedDraws(c0: number): Rng & { taken: () => number } {
  let k = 0;
  const rng = () => (c0 + k++ * 0.6180339887498949) % 1;
  return Object.assign(rng, { taken: () => k });
}

/** Counts the draws of a real generator. */
export function counting(rng: Rng): Rng & { taken: () => number } {
  let k = 0;
  return Object.assign(() => (k++, rng()), { taken: () => k });
}

/** A w × h image whose every pixel differs from its neighbours (so moves show). */
export function pattern(width: number, height: number, salt = 0): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 37 + y * 11 + salt) & 255;
      data[i + 1] = (y * 53 + x * 7 + salt * 3) & 255;
      data[i + 2] = (x * y * 5 + 17 + salt * 7) & 255;
    }
  }
  return { width, height, data };
}

/** A smooth image (gradients, a soft blob): what photos look like to a resampler. */
export function smooth(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.round((255 * x) / (width - 1));
      data[i + 1] = Math.round((255 * y) / (height - 1));
      data[i + 2] = Math.round(127.5 + 127.5 * Math.sin(x / 23) * Math.cos(y / 17));
    }
  }
  return { width, height, data };
}

export function pixel(img: RgbImage, x: number, y: number): [number, number, number] {
  const i = (y * img.width + x) * 3;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
