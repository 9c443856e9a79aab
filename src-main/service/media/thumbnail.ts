// Small images for the screens (issue 15, item 5: three 16000² PNGs, 2.2 MB on disk, took the
// server to 2.4 GB when every thumbnail was decoded at full size at once in its process). Here,
// run inside an image worker (pool.ts): the header says how big the image is before anything is
// decoded, anything over the pixel limit is skipped, and libvips resizes as it decodes (JPEG
// shrink-on-load; other formats streamed a few rows at a time), so memory follows the thumbnail,
// not the image. BMP, which libvips does not read, goes through the engine's own decoder.
import { open } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import {
  alphaBackground,
  decodeBmp,
  decodeImage,
  readRegularFile,
  resizeAndCrop,
  sniffFile,
  type Alpha,
} from '../../engine/index.js';

/** Thumbnails are skipped for images over this many pixels (docs/security.md). */
export const DEFAULT_THUMBNAIL_MAX_PIXELS = 100_000_000;

export const pngDataUrl = (png: Uint8Array): string => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

/** Width × height from a BMP's header (BITMAPCOREHEADER or BITMAPINFOHEADER and later). */
async function bmpPixels(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const b = Buffer.alloc(26);
    await handle.read(b, 0, 26, 0);
    if (b.readUInt32LE(14) === 12) return b.readUInt16LE(18) * b.readUInt16LE(20);
    return Math.abs(b.readInt32LE(18)) * Math.abs(b.readInt32LE(22));
  } finally {
    await handle.close();
  }
}

/** A centre-cropped square PNG of `path`, or null for a file that does not decode or is too large. */
export async function renderThumbnail(
  path: string,
  size: number,
  maxPixels: number,
  alpha: Alpha = 'white',
): Promise<Uint8Array | null> {
  // Transparent pixels as training sees them (the dataset's alpha option): composited onto its
  // background, or dropped as PIL's convert('RGB') does.
  const background = alphaBackground(alpha);
  try {
    const sniffed = await sniffFile(path);
    if (!sniffed.ok) return null;
    let pipeline: Sharp;
    if (sniffed.format === 'bmp') {
      if ((await bmpPixels(path)) > maxPixels) return null;
      const img = decodeBmp(await readRegularFile(path));
      pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
    } else {
      // The header only: no pixel is decoded for an image that is over the limit.
      const meta = await sharp(path, { limitInputPixels: false }).metadata();
      const pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
      if (!pixels || pixels > maxPixels) return null;
      pipeline = sharp(path, { limitInputPixels: maxPixels, failOn: 'error', autoOrient: true });
    }
    return await pipeline
      .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'linear' })
      .flatten(background ? { background: { r: background[0], g: background[1], b: background[2] } } : false)
      .removeAlpha()
      .toColourspace('srgb')
      .png()
      .toBuffer();
  } catch {
    return null;
  }
}

/**
 * The image as a model sees it, as a PNG: decoded as prediction decodes it (the model's alpha
 * option; large images shrunk on load), the shorter side resized to the input size and
 * centre-cropped (engine/predict's eval transform). Null for a file that does not decode.
 */
export async function renderModelView(
  path: string,
  inputSize: number,
  interpolation: 'bilinear' | 'bicubic',
  alpha?: Alpha,
): Promise<Uint8Array | null> {
  try {
    const square = await resizeAndCrop(await decodeImage(path, { alpha }), inputSize, interpolation);
    return await sharp(Buffer.from(square.data), { raw: { width: inputSize, height: inputSize, channels: 3 } })
      .png()
      .toBuffer();
  } catch {
    return null;
  }
}
