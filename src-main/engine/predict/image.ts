// The eval transform: decode (EXIF orientation applied), RGB, resize the shorter side to the
// input size, centre-crop, scale and normalise. An image already at the input size is used as is.
import sharp from 'sharp';
import { InputError } from '../errors.js';
import { DecodeError, decodeImage, type Alpha } from '../data/sources/index.js';
import type { RgbImage } from '../data/types.js';
import type { ModelMeta } from '../model-dir/index.js';

export class ImageError extends InputError {
  declare readonly path: string;

  constructor(path: string, reason: string) {
    super(reason, { path, kind: 'unsupported' });
    this.name = 'ImageError';
  }
}

/**
 * Decodes by content (JPEG, PNG, WebP, GIF, BMP, TIFF), strictly: a truncated file is an error,
 * never a grey-filled picture. The same decoder reads training data, so what predict accepts and
 * what training accepts are the same files.
 */
export async function decodeRgb(path: string, alpha?: Alpha): Promise<RgbImage> {
  try {
    return await decodeImage(path, { alpha });
  } catch (e) {
    if (e instanceof DecodeError) throw new ImageError(path, e.reason === 'not found' ? 'no such file' : e.reason);
    throw e;
  }
}

export async function resizeAndCrop(
  img: RgbImage,
  size: number,
  interpolation: 'bilinear' | 'bicubic',
): Promise<RgbImage> {
  if (img.width === size && img.height === size) return img;
  const scale = size / Math.min(img.width, img.height);
  const w = Math.max(size, Math.round(img.width * scale));
  const h = Math.max(size, Math.round(img.height * scale));
  const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(w, h, { kernel: interpolation === 'bicubic' ? 'cubic' : 'linear', fit: 'fill' })
    .extract({ left: Math.floor((w - size) / 2), top: Math.floor((h - size) / 2), width: size, height: size })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: size, height: size, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** (pixel / scale - mean) / std per channel, in the model's channel order, as float32 HWC. */
export function normalize(img: RgbImage, p: ModelMeta['preprocessing']): Float32Array {
  const out = new Float32Array(img.width * img.height * 3);
  const order = p.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let i = 0; i < img.width * img.height; i++) {
    for (let c = 0; c < 3; c++) {
      const v = img.data[i * 3 + order[c]!]!;
      out[i * 3 + c] = (v / p.scale - p.mean[c]!) / p.std[c]!;
    }
  }
  return out;
}

export async function loadImageForModel(
  path: string,
  meta: Pick<ModelMeta, 'inputSize' | 'preprocessing'>,
): Promise<Float32Array> {
  const img = await resizeAndCrop(
    await decodeRgb(path, meta.preprocessing.alpha),
    meta.inputSize,
    meta.preprocessing.interpolation,
  );
  return normalize(img, meta.preprocessing);
}
