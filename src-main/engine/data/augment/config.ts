// The training-augmentation config as a zod schema. Defaults follow torchvision's ImageNet recipe
// (RandomResizedCrop + RandomHorizontalFlip) plus the mild colour jitter fastai and most
// fine-tuning recipes use; every block can be `false` (or 0) to switch it off.
import { z } from 'zod';
import { assertDepth, ConfigError, fromZod } from '../../schedules/index.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** [lo, hi] with lo <= hi; the order check sits on element [1] so the error names it. */
function pair(element: z.ZodType<number>) {
  return z.tuple([element, element]).superRefine(([lo, hi], ctx) => {
    if (lo > hi) ctx.addIssue({ code: 'custom', path: [1], message: `must be >= the lower bound ${lo}` });
  });
}

const probability = finite.refine((v) => v >= 0 && v <= 1, 'must be a probability between 0 and 1');

export const RandomResizedCropConfig = z.strictObject({
  /**
   * Bounds of the crop's area as a fraction of the image's. torchvision's (0.08, 1.0) is made for
   * training on ImageNet from scratch; fine-tuning small datasets keeps more of the subject, so the
   * default is fastai's usual RandomResizedCrop(min_scale=0.35).
   */
  scale: pair(finite.refine((v) => v > 0 && v <= 1, 'must be in (0, 1]')).default([0.35, 1]),
  /** Bounds of the crop's width / height, drawn log-uniformly (torchvision: (3/4, 4/3)). */
  ratio: pair(finite.refine((v) => v > 0, 'must be > 0')).default([3 / 4, 4 / 3]),
});
export type RandomResizedCropConfig = z.infer<typeof RandomResizedCropConfig>;

// torchvision ColorJitter: a number v means the factor range [max(0, 1 - v), 1 + v] (hue: [-v, v]);
// [lo, hi] gives the range itself (transforms.py, ColorJitter._check_input).
const factor = z.union([
  finite.refine((v) => v >= 0, 'must be >= 0'),
  pair(finite.refine((v) => v >= 0, 'must be >= 0')),
]);
const hueFactor = z.union([
  finite.refine((v) => v >= 0 && v <= 0.5, 'must be between 0 and 0.5'),
  pair(finite.refine((v) => v >= -0.5 && v <= 0.5, 'must be between -0.5 and 0.5')),
]);

export const ColorJitterConfig = z.strictObject({
  brightness: factor.default(0.2),
  contrast: factor.default(0.2),
  saturation: factor.default(0.2),
  /** A shift of the hue, in turns of the colour wheel (0.5 = half a turn). */
  hue: hueFactor.default(0),
});
export type ColorJitterConfig = z.infer<typeof ColorJitterConfig>;

// torchvision RandomRotation: d means an angle in [-d, d] degrees, counter-clockwise positive.
const degrees = finite.refine((v) => v >= -180 && v <= 180, 'must be between -180 and 180 degrees');
const Rotate = z.union([finite.refine((v) => v >= 0 && v <= 180, 'must be between 0 and 180 degrees'), pair(degrees)]);

export const AugmentConfig = z.strictObject({
  randomResizedCrop: z
    .union([RandomResizedCropConfig, z.literal(false)])
    .default({ scale: [0.35, 1], ratio: [3 / 4, 4 / 3] }),
  /** Probability of a left–right mirror. */
  hflip: z.union([probability, z.literal(false)]).default(0.5),
  /** Probability of an upside-down mirror: off by default, as photos have an "up". */
  vflip: z.union([probability, z.literal(false)]).default(0),
  /** Rotation range in degrees; the corners it uncovers are black (fill 0). */
  rotate: z.union([Rotate, z.literal(false)]).default(0),
  colorJitter: z
    .union([ColorJitterConfig, z.literal(false)])
    .default({ brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0 }),
  /** Resampling of every resize (torchvision default: bilinear; its EfficientNet weights: bicubic). */
  interpolation: z.enum(['bilinear', 'bicubic']).default('bilinear'),
});
export type AugmentConfig = z.infer<typeof AugmentConfig>;
export type AugmentConfigInput = z.input<typeof AugmentConfig>;

/** The defaults, parsed: what `{}` means. */
export const DEFAULT_AUGMENT: AugmentConfig = AugmentConfig.parse({});

/** Every augmentation off: what is left is the eval transform (resize, centre crop). */
export const NO_AUGMENT: AugmentConfig = AugmentConfig.parse({
  randomResizedCrop: false,
  hflip: false,
  vflip: false,
  rotate: false,
  colorJitter: false,
});

/** What each field takes, for refusals of the wrong kind of value (a string, a 1-element array …). */
const FORMS: Record<string, string> = {
  randomResizedCrop: 'an object {"scale": [lo, hi], "ratio": [lo, hi]} or false',
  'randomResizedCrop.scale': '[lo, hi]',
  'randomResizedCrop.ratio': '[lo, hi]',
  hflip: 'a probability between 0 and 1, or false',
  vflip: 'a probability between 0 and 1, or false',
  rotate: 'degrees d (for an angle in [-d, d]), [lo, hi], or false',
  colorJitter: 'an object {"brightness", "contrast", "saturation", "hue"} or false',
  'colorJitter.brightness': 'a number v (for a factor in [1 - v, 1 + v]) or [lo, hi]',
  'colorJitter.contrast': 'a number v (for a factor in [1 - v, 1 + v]) or [lo, hi]',
  'colorJitter.saturation': 'a number v (for a factor in [1 - v, 1 + v]) or [lo, hi]',
  'colorJitter.hue': 'a number v in [0, 0.5] (for a shift in [-v, v]) or [lo, hi]',
};

/**
 * Validates an augmentation config; a refusal is a ConfigError naming the field, e.g.
 * `colorJitter.hue: must be between 0 and 0.5`. `prefix` names where the config sits in a bigger
 * file (e.g. "augment" in a run config).
 */
export function parseAugmentConfig(input: unknown, prefix = ''): AugmentConfig {
  assertDepth(input, prefix);
  const r = AugmentConfig.safeParse(input);
  if (r.success) return r.data;
  const e = fromZod(r.error, input, prefix, AugmentConfig);
  const local = prefix ? e.field.slice(prefix.length).replace(/^\./, '') : e.field;
  if (local === '' && /^expected /.test(e.reason)) {
    throw new ConfigError(prefix, 'expected a JSON object of augmentation settings');
  }
  // A value of the wrong kind: say what the field takes rather than zod's first union branch.
  const form = FORMS[local];
  if (form && /^(expected |Too (small|big))/.test(e.reason)) {
    throw new ConfigError(e.field, `expected ${form}, got ${JSON.stringify(valueAt(input, local))}`);
  }
  throw e;
}

/** The value at a dotted path such as `colorJitter.hue` (FORMS names whole fields, never indices). */
function valueAt(input: unknown, field: string): unknown {
  let cur = input;
  for (const key of field.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[key];
  return cur;
}
