// Small images for the screens, as data URLs (the page's CSP allows img-src data:, nothing
// remote). Decoded by the engine's decoder, so every format training reads (BMP included) shows.
import sharp from 'sharp';
import { decodeImage, resizeAndCrop, type Alpha } from '../engine/index.js';

export const pngDataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

/** A centre-cropped square thumbnail, or null for a file that does not decode. */
export async function thumbnail(path: string, size: number, alpha?: Alpha): Promise<string | null> {
  try {
    const image = await decodeImage(path, { alpha });
    const square = await resizeAndCrop(image, size, 'bilinear');
    const png = await sharp(Buffer.from(square.data), { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer();
    return pngDataUrl(png);
  } catch {
    return null;
  }
}
