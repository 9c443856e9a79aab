// Small images for the screens, as data URLs (the page's CSP allows img-src data:, nothing
// remote). Decoded by the engine's decoder, so every format training reads (BMP included) shows.
import sharp from 'sharp';
import type { RgbImage } from '../engine/data/types.js';
import { decodeImage } from '../engine/data/sources/index.js';
import { decodeRgb, resizeAndCrop } from '../engine/predict/index.js';

export const pngDataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

/** The shorter side resized to `size`, centre-cropped (engine/predict), as a PNG data URL. */
async function squarePng(image: RgbImage, size: number, interpolation: 'bilinear' | 'bicubic'): Promise<string> {
  const square = await resizeAndCrop(image, size, interpolation);
  const png = await sharp(Buffer.from(square.data), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
  return pngDataUrl(png);
}

/** A centre-cropped square thumbnail, or null for a file that does not decode. */
export async function thumbnail(path: string, size: number): Promise<string | null> {
  try {
    return await squarePng(await decodeImage(path), size, 'bilinear');
  } catch {
    return null;
  }
}

/**
 * The image as a model sees it: decoded as prediction decodes it (alpha included), the shorter
 * side resized to the input size and centre-cropped, at the input size; null if unreadable.
 */
export async function modelView(
  path: string,
  inputSize: number,
  interpolation: 'bilinear' | 'bicubic',
): Promise<string | null> {
  try {
    return await squarePng(await decodeRgb(path), inputSize, interpolation);
  } catch {
    return null;
  }
}
