// What a transparent pixel becomes. A person expects an image to look as it does in an image
// viewer, i.e. composited onto a plain background, so the default is white. "drop" keeps what
// PIL's Image.convert('RGB') (torchvision's ImageFolder loader) gives: the stored colour of each
// pixel, alpha ignored, which is black for most transparent backgrounds.
import { z } from 'zod';

export const ALPHA_NAMES = ['white', 'black', 'drop'] as const;
export const DEFAULT_ALPHA = 'white';

/** "white" (default), "black", a hex colour "#rrggbb", or "drop" (PIL/torchvision parity). */
export const Alpha = z
  .string()
  .refine((v) => (ALPHA_NAMES as readonly string[]).includes(v) || /^#[0-9a-f]{6}$/i.test(v), {
    message: 'must be "white", "black", "drop" or a hex colour like "#80c0ff"',
  });
export type Alpha = z.infer<typeof Alpha>;

/** The background colour of a compositing option, or null for "drop". */
export function alphaBackground(alpha: Alpha): [number, number, number] | null {
  if (alpha === 'drop') return null;
  if (alpha === 'white') return [255, 255, 255];
  if (alpha === 'black') return [0, 0, 0];
  const n = Number.parseInt(alpha.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * RGBA (unpremultiplied, as libvips loads it) to RGB. Compositing is "over" onto an opaque
 * background: out = (c·a + bg·(255 − a)) / 255, rounded (Porter & Duff 1984; what PIL's
 * Image.alpha_composite does onto an opaque image, up to its rounding). Also counts the pixels
 * that are not fully opaque.
 */
export function flattenAlpha(rgba: Uint8Array, alpha: Alpha): { rgb: Uint8Array; transparent: number } {
  const n = rgba.length >> 2;
  const rgb = new Uint8Array(n * 3);
  const bg = alphaBackground(alpha);
  let transparent = 0;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3]!;
    if (a < 255) transparent++;
    for (let c = 0; c < 3; c++) {
      const v = rgba[i * 4 + c]!;
      rgb[i * 3 + c] = bg && a < 255 ? Math.round((v * a + bg[c]! * (255 - a)) / 255) : v;
    }
  }
  return { rgb, transparent };
}

/**
 * Nearly uniform: the standard deviation of all channel values is under 4 levels of 255, i.e. the
 * picture has next to no content left (a transparent clip-art file whose colour was all in alpha).
 */
export const UNIFORM_STD = 4;

export function isNearlyUniform(rgb: Uint8Array): boolean {
  let sum = 0;
  let sq = 0;
  for (const v of rgb) {
    sum += v;
    sq += v * v;
  }
  const n = rgb.length || 1;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean)) < UNIFORM_STD;
}
