// A BMP decoder, because the libvips inside sharp's npm package has no BMP loader (sharp.format
// lists no "bmp"; BMP goes through ImageMagick, which the prebuilt binaries leave out), while
// torchvision's ImageFolder lists ".bmp" and PIL reads it.
//
// Covers what real files use: BITMAPCOREHEADER (OS/2 1.x) and BITMAPINFOHEADER through V5;
// 1/4/8-bit palettes; 16-bit (5-5-5 or bit fields); 24-bit; 32-bit (BGRX or bit fields); bottom-up
// and top-down rows. RLE4/RLE8 and embedded JPEG/PNG are refused as unsupported.
// Layout: https://learn.microsoft.com/en-us/windows/win32/gdi/bitmap-storage and
// https://learn.microsoft.com/en-us/windows/win32/api/wingdi/ns-wingdi-bitmapinfoheader;
// behaviour checked against PIL's BmpImagePlugin (32-bit BI_RGB is BGRX: the 4th byte is dropped,
// as PIL's convert('RGB') drops alpha).
import type { RgbImage } from '../types.js';
import { DecodeError } from './errors.js';

/** sharp's default limitInputPixels (0x3FFF²), so every format has the same ceiling. */
export const MAX_PIXELS = 268402689;

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

interface Channel {
  mask: number;
  shift: number;
  bits: number;
}

function channel(mask: number): Channel {
  mask >>>= 0;
  if (mask === 0) return { mask: 0, shift: 0, bits: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (shift + bits < 32 && ((mask >>> (shift + bits)) & 1) === 1) bits++;
  return { mask, shift, bits };
}

/**
 * A masked field widened to 8 bits as PIL's unpackers do (libImaging/Unpack.c, ImagingUnpackBGR15
 * and BGR16: `v * 255 / 31` in integer arithmetic, so rounded down), so that 16-bit BMPs match
 * torchvision's loader to the bit.
 */
function scale(v: number, c: Channel): number {
  if (c.bits === 0) return 0;
  const x = ((v & c.mask) >>> 0) >>> c.shift;
  if (c.bits >= 8) return x >>> (c.bits - 8);
  return Math.floor((x * 255) / (2 ** c.bits - 1));
}

const truncated = (): DecodeError => new DecodeError('truncated BMP');
const corrupt = (why: string): DecodeError => new DecodeError(`corrupt BMP (${why})`);

export function decodeBmp(b: Uint8Array): RgbImage {
  if (b.length < 26) throw truncated();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pixelOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  if (b.length < 14 + Math.min(headerSize, 40)) throw truncated();

  let width: number;
  let height: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  let paletteEntry = 4;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
    paletteEntry = 3;
  } else if (headerSize >= 40) {
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colorsUsed = dv.getUint32(46, true);
    // OS/2 2.x (64-byte header) numbers its compressions differently; only uncompressed is shared.
    if (headerSize === 64 && compression !== BI_RGB) throw new DecodeError('unsupported format (OS/2 BMP)');
  } else {
    throw corrupt(`header size ${headerSize}`);
  }

  if (compression === BI_RLE8 || compression === BI_RLE4) throw new DecodeError('unsupported format (RLE BMP)');
  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (compression !== BI_RGB && !bitfields)
    throw new DecodeError(`unsupported format (BMP compression ${compression})`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw corrupt(`${bpp} bits per pixel`);
  if (bitfields && bpp !== 16 && bpp !== 32) throw corrupt(`bit fields with ${bpp} bits per pixel`);
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height === 0) throw corrupt(`${width}×${height} pixels`);
  if (pixelOffset < 14 + headerSize) throw corrupt(`pixel data at ${pixelOffset}, inside the header`);
  if (width * height > MAX_PIXELS) throw new DecodeError(`too large (${width}×${height} pixels)`);

  // Colour masks: in the V2+ header, or (BITMAPINFOHEADER + BI_BITFIELDS) right after it; both at 54.
  let r = channel(0x7c00);
  let g = channel(0x03e0);
  let bl = channel(0x001f);
  let tableBytes = 0;
  if (bitfields) {
    if (b.length < 66) throw truncated();
    r = channel(dv.getUint32(54, true));
    g = channel(dv.getUint32(58, true));
    bl = channel(dv.getUint32(62, true));
    if (headerSize === 40) tableBytes = compression === BI_ALPHABITFIELDS ? 16 : 12;
  } else if (bpp === 32) {
    r = channel(0x00ff0000);
    g = channel(0x0000ff00);
    bl = channel(0x000000ff);
  }

  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const max = 1 << bpp;
    const count = colorsUsed === 0 || colorsUsed > max ? max : colorsUsed;
    const start = 14 + headerSize + tableBytes;
    // Some writers leave out entries; read only those present before the pixels (missing are black).
    const present = Math.min(count, Math.floor((Math.max(pixelOffset, start) - start) / paletteEntry));
    if (start + present * paletteEntry > b.length) throw truncated();
    palette = new Uint8Array(max * 3);
    for (let i = 0; i < present; i++) {
      const o = start + i * paletteEntry;
      palette[i * 3] = b[o + 2]!;
      palette[i * 3 + 1] = b[o + 1]!;
      palette[i * 3 + 2] = b[o]!;
    }
  }

  const stride = Math.ceil((bpp * width) / 32) * 4;
  const rowBytes = Math.ceil((bpp * width) / 8);
  // The last row's padding is optional in practice; its pixels are not.
  if (pixelOffset + stride * (height - 1) + rowBytes > b.length) throw truncated();

  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette) {
        const bit = x * bpp;
        const byte = b[src + (bit >>> 3)]!;
        const idx = bpp === 8 ? byte : (byte >>> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[idx * 3]!;
        out[o + 1] = palette[idx * 3 + 1]!;
        out[o + 2] = palette[idx * 3 + 2]!;
      } else if (bpp === 24) {
        const p = src + x * 3;
        out[o] = b[p + 2]!;
        out[o + 1] = b[p + 1]!;
        out[o + 2] = b[p]!;
      } else {
        const v = bpp === 16 ? dv.getUint16(src + x * 2, true) : dv.getUint32(src + x * 4, true);
        out[o] = scale(v, r);
        out[o + 1] = scale(v, g);
        out[o + 2] = scale(v, bl);
      }
    }
  }
  return { width, height, data: out };
}
