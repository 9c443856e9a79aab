// Bytes to 8-bit RGB: the one decoder for inspection, training and evaluation, so a file that
// passes `anneal data inspect` is a file training can read, pixel for pixel.
//
// Choices, each matched against torchvision's ImageFolder (PIL: Image.open(f).convert('RGB')):
// - Format by content (sniff.ts), never by extension; only the formats in IMAGE_FORMATS.
// - Alpha (alpha.ts): composited onto white by default, as an image viewer shows it; "drop" keeps
//   the stored colour of each pixel as convert('RGB') does (libvips loads unpremultiplied, so the
//   raw RGB of an RGBA decode is PIL's). A palette PNG with a tRNS chunk gives its palette colours
//   and their transparency.
// - Grey (and grey + alpha) is replicated to three channels, as convert('RGB') does.
// - 16-bit samples become 8-bit by keeping the high byte (libvips's cast from ushort). PIL differs
//   here: it clips mode I;16 grey at 255, which turns most of a 16-bit image white; we do not copy
//   that.
// - EXIF orientation is applied (sharp autoOrient). torchvision does not (PIL's open() ignores the
//   tag), but our predict path does, and a photo must look the same to training and prediction.
// - Colour: libvips converts to sRGB through the embedded ICC profile when there is one (and
//   through its built-in CMYK profile for CMYK JPEGs). PIL's convert('RGB') ignores ICC profiles
//   and uses a naive CMYK formula. We follow libvips, which is also what predict uses.
// - GIF and animated WebP: the first frame; multi-page TIFF: the first page.
// - Corrupt and truncated files are rejected, never padded. sharp's failOn, measured on sharp
//   0.35.5 / libvips 8.18.7: 'none' decodes a JPEG, PNG or GIF cut in half (grey-filled);
//   'truncated' catches those but decodes a JPEG-compressed TIFF cut at 90%; 'error' (ours)
//   catches that too; 'warning' (sharp's default) also refuses JPEGs with stray bytes between
//   markers, which PIL reads. No level notices a PNG that lacks only its IEND chunk, hence the
//   structural checks in truncation.ts.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import sharp from 'sharp';
import type { RgbImage } from '../types.js';
import { DEFAULT_ALPHA, flattenAlpha, type Alpha } from './alpha.js';
import { decodeBmp } from './bmp.js';
import { DecodeError, fsReason } from './errors.js';
import { FORMAT_NAMES, sniffBytes, type ImageFormat } from './sniff.js';
import { isTruncated } from './truncation.js';

export interface Decoded {
  image: RgbImage;
  format: ImageFormat;
  /** Pixels that were not fully opaque (0 for an image without alpha). */
  transparent: number;
  /** The stored size (after EXIF orientation), which `image` is smaller than when it was shrunk on load. */
  stored: { width: number; height: number };
}

export interface DecodeOptions {
  /** What transparent pixels become (alpha.ts); default white. */
  alpha?: Alpha;
}

/**
 * The most pixels a decode returns (4096², 48 MB of RGB). A larger image is shrunk while it is
 * decoded (libvips shrink-on-load for JPEG and WebP, a streaming resize for the rest), so a
 * 16000² PNG of 2 MB no longer costs 768 MB a decode; the data pipeline then resizes to the
 * model's size as before. Every consumer (training, inspection, prediction, thumbnails) asks at
 * most a few thousand pixels a side, so nothing it uses is lost.
 */
export const DECODE_MAX_PIXELS = 4096 * 4096;

/**
 * Reads a whole regular file. O_NONBLOCK so that a FIFO named like an image fails at once instead
 * of waiting forever for a writer (it has no effect on regular files).
 */
export async function readRegularFile(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const st = await handle.stat();
    if (st.isDirectory()) throw new DecodeError('is a directory', path);
    if (!st.isFile()) throw new DecodeError('not a regular file', path);
    return new Uint8Array(await handle.readFile());
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(fsReason(e), path);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Decodes an image file, or image bytes, to 8-bit RGB. Throws DecodeError with a short reason. */
export async function decodeImage(input: string | Uint8Array, o: DecodeOptions = {}): Promise<RgbImage> {
  return (await decodeWithFormat(input, o)).image;
}

/** decodeImage, also naming the format it found in the content. */
export async function decodeWithFormat(input: string | Uint8Array, o: DecodeOptions = {}): Promise<Decoded> {
  const alpha = o.alpha ?? DEFAULT_ALPHA;
  if (typeof input !== 'string') return decodeBytes(input, alpha);
  const bytes = await readRegularFile(input);
  try {
    return await decodeBytes(bytes, alpha);
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.reason, input);
    throw e;
  }
}

async function decodeBytes(bytes: Uint8Array, alpha: Alpha): Promise<Decoded> {
  const sniffed = sniffBytes(bytes.subarray(0, 64));
  if (!sniffed.ok) throw new DecodeError(sniffed.reason);
  const { format } = sniffed;
  if (format === 'bmp') {
    // BMP is uncompressed: its pixels cost no more memory than the file already does.
    const image = decodeBmp(bytes);
    return { image, format, transparent: 0, stored: { width: image.width, height: image.height } };
  }
  // Structure first for the formats where it is cheap and decisive.
  if ((format === 'png' || format === 'webp' || format === 'tiff') && isTruncated(format, bytes)) {
    throw new DecodeError(`truncated ${FORMAT_NAMES[format]}`);
  }
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    const swap = (meta.orientation ?? 1) >= 5; // EXIF 5-8 are rotated by 90°
    const [w, h] = [meta.width ?? 0, meta.height ?? 0];
    const stored = swap ? { width: h, height: w } : { width: w, height: h };
    let pipeline = sharp(bytes, { failOn: 'error', autoOrient: true });
    const storedPixels = stored.width * stored.height;
    if (storedPixels > DECODE_MAX_PIXELS) {
      const s = Math.sqrt(DECODE_MAX_PIXELS / storedPixels);
      const box = Math.max(1, Math.floor(Math.max(stored.width, stored.height) * s));
      pipeline = pipeline.resize(box, box, { fit: 'inside', fastShrinkOnLoad: true });
    }
    const { data, info } = await pipeline.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const pixels = info.width * info.height;
    if ((info.channels !== 3 && info.channels !== 4) || data.length !== pixels * info.channels) {
      throw new DecodeError(`unsupported ${FORMAT_NAMES[format]} (${info.channels} channels)`);
    }
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const { rgb, transparent } = info.channels === 4 ? flattenAlpha(raw, alpha) : { rgb: raw, transparent: 0 };
    return { image: { width: info.width, height: info.height, data: rgb }, format, transparent, stored };
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(sharpReason(format, bytes, e instanceof Error ? e.message : String(e)));
  }
}

/** libvips's message as a short reason: "truncated JPEG", "too large (…)", "corrupt PNG (…)". */
function sharpReason(format: ImageFormat, bytes: Uint8Array, message: string): string {
  const name = FORMAT_NAMES[format];
  if (/exceeds pixel limit/i.test(message)) return 'too large (over 268 megapixels)';
  if (/premature end|truncat|unexpected end|end of (file|data|input)/i.test(message) || isTruncated(format, bytes)) {
    return `truncated ${name}`;
  }
  const detail = (message.split('\n')[0] ?? '')
    .replace(/^Input (buffer|file) (has corrupt header|contains unsupported image format):?\s*/i, '')
    .trim()
    .slice(0, 100);
  return detail ? `corrupt ${name} (${detail})` : `corrupt ${name}`;
}
