// The eval transform: decode (EXIF orientation applied), RGB, resize the shorter side to the
// input size, centre-crop, scale and normalise. An image already at the input size is used as is.
import sharp from 'sharp';
import type { ModelMeta } from '../model-dir/index.js';

export class ImageError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ImageError';
  }
}

export interface RgbImage {
  width: number;
  height: number;
  /** 8-bit RGB, row-major HWC. */
  data: Uint8Array;
}

/** Decodes any format sharp reads; alpha is dropped (as PIL's convert('RGB') does). */
export async function decodeRgb(path: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(path, { failOn: 'error' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (e) {
    const msg = (e as Error).message;
    const reason = /unsupported image format|Input file is missing|Input file contains unsupported/i.test(msg)
      ? msg.includes('missing')
        ? 'no such file'
        : 'not an image sharp can decode'
      : `cannot decode: ${msg}`;
    throw new ImageError(path, reason);
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
  const img = await resizeAndCrop(await decodeRgb(path), meta.inputSize, meta.preprocessing.interpolation);
  return normalize(img, meta.preprocessing);
}
