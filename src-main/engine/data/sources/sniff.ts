// What a file is, from its first bytes, never its name: a PNG saved as photo.jpg is a PNG, and a
// text file saved as photo.jpg is not an image. Signatures from each format's specification (the
// same ones libvips, PIL and `file(1)` use).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { fsReason } from './errors.js';

/** The formats Anneal decodes. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  bmp: 'BMP',
  tiff: 'TIFF',
};

/** Bytes needed to tell every format below apart. */
export const SNIFF_BYTES = 64;

export type Sniffed = { ok: true; format: ImageFormat } | { ok: false; reason: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** BITMAPCOREHEADER, INFOHEADER, V2, V3, OS/2 2.x, V4, V5. */
const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  return sig.every((v, i) => b[at + i] === v);
}

function ascii(b: Uint8Array, at: number, len: number): string {
  return String.fromCharCode(...b.subarray(at, at + len));
}

/** The image format of these leading bytes, or why they are not one Anneal decodes. */
export function sniffBytes(b: Uint8Array): Sniffed {
  if (b.length === 0) return { ok: false, reason: 'empty file' };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { ok: true, format: 'jpeg' };
  if (startsWith(b, PNG_SIGNATURE)) return { ok: true, format: 'png' };
  const head6 = ascii(b, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { ok: true, format: 'gif' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return { ok: true, format: 'webp' };
  // Classic TIFF (42) and BigTIFF (43), both byte orders; libtiff reads both.
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { ok: true, format: 'tiff' };
  }
  if (startsWith(b, [0x49, 0x49, 0x2b, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])) {
    return { ok: true, format: 'tiff' };
  }
  // "BM" alone is too weak (a text file may start "BMW…"): the DIB header size must be a known one.
  if (b[0] === 0x42 && b[1] === 0x4d && b.length >= 18) {
    const dib = (b[14]! | (b[15]! << 8) | (b[16]! << 16) | (b[17]! << 24)) >>> 0;
    if (BMP_HEADER_SIZES.has(dib)) return { ok: true, format: 'bmp' };
  }
  const other = otherImage(b);
  if (other) return { ok: false, reason: `unsupported format (${other})` };
  if (ascii(b, 0, 5) === '%PDF-') return { ok: false, reason: 'not an image (PDF)' };
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return { ok: false, reason: 'not an image (zip archive)' };
  return { ok: false, reason: looksLikeText(b) ? 'not an image (text)' : 'not an image' };
}

/** Image formats we recognise but do not decode, named so the user knows what to convert. */
function otherImage(b: Uint8Array): string | null {
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) return 'HEIF';
  }
  if (b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x37 && [0x0a, 0x0d, 0x20, 0x09].includes(b[2]!)) return 'PNM';
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00]) && b.length >= 6 && b[4]! + b[5]! > 0) return 'ICO';
  if (ascii(b, 0, 4) === '8BPS') return 'PSD';
  if (startsWith(b, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(b, [0xff, 0x4f, 0xff, 0x51])) {
    return 'JPEG 2000';
  }
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return 'JPEG XL';
  }
  // SVG is text; only call it an image when the root element says so.
  const text = new TextDecoder().decode(b);
  if (/^\uFEFF?\s*</.test(text) && /<svg[\s>]|<!DOCTYPE svg/i.test(text)) return 'SVG';
  return null;
}

/** No control bytes other than whitespace and ESC: what text editors and CSV writers produce. */
function looksLikeText(b: Uint8Array): boolean {
  for (const v of b) {
    if (v < 0x20 && v !== 0x09 && v !== 0x0a && v !== 0x0c && v !== 0x0d && v !== 0x1b) return false;
    if (v === 0x7f) return false;
  }
  return true;
}

/**
 * Sniffs a file by reading only its first bytes. Never throws: an unreadable file, a folder or a
 * FIFO is a reason too (O_NONBLOCK: opening a FIFO must not wait for a writer).
 */
export async function sniffFile(path: string): Promise<Sniffed> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const st = await handle.stat();
    if (st.isDirectory()) return { ok: false, reason: 'is a directory' };
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    const buf = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return sniffBytes(buf.subarray(0, bytesRead));
  } catch (e) {
    return { ok: false, reason: fsReason(e) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
