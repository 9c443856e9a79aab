// Colour jitter with torchvision's semantics (transforms/functional_tensor.py, 0.14): each
// adjustment blends the image with a reference, clamped to the valid range:
//   brightness: blend with black,                      out = f·img
//   contrast:   blend with the mean grey of the image, out = f·img + (1 - f)·mean(gray)
//   saturation: blend with each pixel's grey,          out = f·img + (1 - f)·gray
//   hue:        rotate the hue in HSV by a fraction of a turn.
// grey is ITU-R 601 luma, 0.2989 R + 0.587 G + 0.114 B (rgb_to_grayscale). The chain runs in
// float and rounds once at the end, as torchvision does on float tensors (on uint8 it truncates
// after every step, a rounding artefact we need not copy).
import type { RgbImage } from '../types.js';

export const BRIGHTNESS = 0;
export const CONTRAST = 1;
export const SATURATION = 2;
export const HUE = 3;

/** One draw of ColorJitter: the order of the four (torch.randperm(4)) and the factors of those on. */
export interface JitterParams {
  /** A permutation of 0…3: BRIGHTNESS, CONTRAST, SATURATION, HUE. */
  order: number[];
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  hue: number | null;
}

const R = 0.2989;
const G = 0.587;
const B = 0.114;

/** Applies a drawn jitter in place (ColorJitter.forward): the adjustments in `order`, off ones skipped. */
export function colorJitterInPlace(img: RgbImage, p: JitterParams): RgbImage {
  const buf = Float32Array.from(img.data);
  for (const fn of p.order) {
    if (fn === BRIGHTNESS && p.brightness !== null) brightness(buf, p.brightness);
    else if (fn === CONTRAST && p.contrast !== null) contrast(buf, p.contrast);
    else if (fn === SATURATION && p.saturation !== null) saturation(buf, p.saturation);
    else if (fn === HUE && p.hue !== null) hue(buf, p.hue);
  }
  new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength).set(buf);
  return img;
}

/** torchvision F.adjust_brightness: 0 gives black, 1 the original. */
export function adjustBrightness(img: RgbImage, factor: number): RgbImage {
  return one(img, (buf) => brightness(buf, factor));
}

/** torchvision F.adjust_contrast: 0 gives the image's mean grey, 1 the original. */
export function adjustContrast(img: RgbImage, factor: number): RgbImage {
  return one(img, (buf) => contrast(buf, factor));
}

/** torchvision F.adjust_saturation: 0 gives greyscale, 1 the original. */
export function adjustSaturation(img: RgbImage, factor: number): RgbImage {
  return one(img, (buf) => saturation(buf, factor));
}

/** torchvision F.adjust_hue: shift in [-0.5, 0.5] turns of the hue circle; 0 is the original. */
export function adjustHue(img: RgbImage, shift: number): RgbImage {
  return one(img, (buf) => hue(buf, shift));
}

function one(img: RgbImage, f: (buf: Float32Array) => void): RgbImage {
  const buf = Float32Array.from(img.data);
  f(buf);
  const data = new Uint8Array(buf.length);
  new Uint8ClampedArray(data.buffer).set(buf);
  return { width: img.width, height: img.height, data };
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function brightness(buf: Float32Array, f: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] = clamp255(f * buf[i]!);
}

function contrast(buf: Float32Array, f: number): void {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 3) sum += R * buf[i]! + G * buf[i + 1]! + B * buf[i + 2]!;
  const mean = sum / (buf.length / 3);
  const add = (1 - f) * mean;
  for (let i = 0; i < buf.length; i++) buf[i] = clamp255(f * buf[i]! + add);
}

function saturation(buf: Float32Array, f: number): void {
  for (let i = 0; i < buf.length; i += 3) {
    const gray = (1 - f) * (R * buf[i]! + G * buf[i + 1]! + B * buf[i + 2]!);
    buf[i] = clamp255(f * buf[i]! + gray);
    buf[i + 1] = clamp255(f * buf[i + 1]! + gray);
    buf[i + 2] = clamp255(f * buf[i + 2]! + gray);
  }
}

/** _rgb2hsv, shift, _hsv2rgb (functional_tensor.py; Pillow's Convert.c formulas), per pixel. */
function hue(buf: Float32Array, shift: number): void {
  if (shift === 0) return;
  for (let i = 0; i < buf.length; i += 3) {
    const r = buf[i]! / 255;
    const g = buf[i + 1]! / 255;
    const b = buf[i + 2]! / 255;
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const cr = maxc - minc;
    if (cr === 0) continue; // grey: no hue to turn
    const s = cr / maxc;
    const rc = (maxc - r) / cr;
    const gc = (maxc - g) / cr;
    const bc = (maxc - b) / cr;
    let h = maxc === r ? bc - gc : maxc === g ? 2 + rc - bc : 4 + gc - rc;
    h = (h / 6 + 1) % 1;
    // Python's % (torch.remainder): the result takes the divisor's sign, so stays in [0, 1).
    h = (((h + shift) % 1) + 1) % 1;
    const v = maxc;
    const h6 = h * 6;
    const sector = Math.floor(h6);
    const f = h6 - sector;
    const p = Math.min(1, Math.max(0, v * (1 - s)));
    const q = Math.min(1, Math.max(0, v * (1 - s * f)));
    const t = Math.min(1, Math.max(0, v * (1 - s * (1 - f))));
    // torchvision picks (r, g, b) per sector from (v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q).
    const k = sector % 6;
    const ro = k === 0 || k === 5 ? v : k === 1 ? q : k === 4 ? t : p;
    const go = k === 1 || k === 2 ? v : k === 0 ? t : k === 3 ? q : p;
    const bo = k === 3 || k === 4 ? v : k === 2 ? t : k === 5 ? q : p;
    buf[i] = ro * 255;
    buf[i + 1] = go * 255;
    buf[i + 2] = bo * 255;
  }
}
