// Training augmentation: draw the random parameters, then apply them. Drawing is separate from the
// pixel work so that a seed's choices can be inspected (and tested) without any pixels.
//
// The random draws, in order (a block that is off draws nothing):
//   1. randomResizedCrop  2 per attempt (area, log aspect ratio), then 2 for the accepted crop
//                         (top, left); at most 10 attempts, the fallback draws nothing (crop.ts)
//   2. hflip              1: mirror when u < p
//   3. vflip              1: mirror when u < p
//   4. rotate             1: angle uniform in [lo, hi]
//   5. colorJitter        3 for the order of the four adjustments (Fisher–Yates over 4), then 1
//                         per adjustment that is on, in the order brightness, contrast, saturation,
//                         hue (torchvision ColorJitter.get_params)
// The pixel work follows torchvision's usual pipeline order: crop and resize, flips, rotation,
// colour.
import type { RgbImage } from '../types.js';
import { colorJitterInPlace, type JitterParams } from './color.js';
import { parseAugmentConfig, type AugmentConfig, type ColorJitterConfig } from './config.js';
import { randomResizedCropParams, type CropParams } from './crop.js';
import { hflipInPlace, rotate, vflipInPlace } from './geometry.js';
import { evalTransform, resizedCrop } from './resample.js';
import { mulberry32, permutation, uniform, type Rng } from './rng.js';

/** Everything random about one augmented image. */
export interface AugmentParams {
  /** The crop of the source, or null for the eval transform's resize + centre crop. */
  crop: CropParams | null;
  hflip: boolean;
  vflip: boolean;
  /** Degrees, counter-clockwise; 0 for none. */
  rotate: number;
  jitter: JitterParams | null;
}

type Range = readonly [number, number];

/** ColorJitter._check_input: v means [max(0, 1 - v), 1 + v]; a range of exactly [1, 1] is off. */
function factorRange(v: number | Range): Range | null {
  const r: Range = typeof v === 'number' ? [Math.max(0, 1 - v), 1 + v] : v;
  return r[0] === 1 && r[1] === 1 ? null : r;
}

/** Hue (and rotation): v means [-v, v]; [0, 0] is off. */
function centredRange(v: number | Range): Range | null {
  const r: Range = typeof v === 'number' ? [-v, v] : v;
  return r[0] === 0 && r[1] === 0 ? null : r;
}

function jitterRanges(c: ColorJitterConfig | false) {
  if (c === false) return null;
  const ranges = {
    brightness: factorRange(c.brightness),
    contrast: factorRange(c.contrast),
    saturation: factorRange(c.saturation),
    hue: centredRange(c.hue),
  };
  return Object.values(ranges).some((r) => r !== null) ? ranges : null;
}

/** Draws one image's parameters (the sequence in the header comment). */
export function sampleAugmentParams(width: number, height: number, config: AugmentConfig, rng: Rng): AugmentParams {
  const rrc = config.randomResizedCrop;
  const crop = rrc ? randomResizedCropParams(width, height, rrc.scale, rrc.ratio, rng) : null;
  // RandomHorizontalFlip / RandomVerticalFlip: `torch.rand(1) < p`.
  const hflip = config.hflip !== false && config.hflip > 0 ? rng() < config.hflip : false;
  const vflip = config.vflip !== false && config.vflip > 0 ? rng() < config.vflip : false;
  const rotateRange = config.rotate === false ? null : centredRange(config.rotate);
  const angle = rotateRange ? uniform(rng, rotateRange[0], rotateRange[1]) : 0;
  const ranges = jitterRanges(config.colorJitter);
  let jitter: JitterParams | null = null;
  if (ranges) {
    const order = permutation(4, rng);
    const draw = (r: Range | null) => (r ? uniform(rng, r[0], r[1]) : null);
    const brightness = draw(ranges.brightness);
    const contrast = draw(ranges.contrast);
    const saturation = draw(ranges.saturation);
    const hue = draw(ranges.hue);
    jitter = { order, brightness, contrast, saturation, hue };
  }
  return { crop, hflip, vflip, rotate: angle, jitter };
}

/** Applies drawn parameters: a size × size image, always a new buffer. */
export function applyAugmentParams(
  image: RgbImage,
  params: AugmentParams,
  size: number,
  interpolation: AugmentConfig['interpolation'] = 'bilinear',
): RgbImage {
  const { crop } = params;
  let out = crop
    ? resizedCrop(image, crop.i, crop.j, crop.h, crop.w, size, interpolation)
    : evalTransform(image, size, interpolation);
  if (params.hflip) hflipInPlace(out);
  if (params.vflip) vflipInPlace(out);
  if (params.rotate !== 0) out = rotate(out, params.rotate);
  if (params.jitter) colorJitterInPlace(out, params.jitter);
  return out;
}

/**
 * One training view of `image`: size × size, 8-bit RGB. The same config, size and rng state give
 * the same pixels. With every block off it is exactly `evalTransform(image, size)`.
 */
export function augment(image: RgbImage, config: AugmentConfig, size: number, rng: Rng): RgbImage {
  assertSize(size);
  const params = sampleAugmentParams(image.width, image.height, config, rng);
  return applyAugmentParams(image, params, size, config.interpolation);
}

const parsed = new Map<string, AugmentConfig>();

/**
 * For worker threads, where the config arrives as plain JSON: validates it (a ConfigError names the
 * field), remembers the parse, and draws from mulberry32(seed) — one seed per sample, so the pixels
 * do not depend on which worker runs it.
 */
export function augmentWithSeed(image: RgbImage, config: unknown, size: number, seed: number): RgbImage {
  const key = JSON.stringify(config ?? {});
  let c = parsed.get(key);
  if (!c) {
    c = parseAugmentConfig(config ?? {});
    if (parsed.size >= 32) parsed.clear();
    parsed.set(key, c);
  }
  return augment(image, c, size, mulberry32(seed));
}

function assertSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`output size must be a whole number >= 1, got ${size}`);
}
