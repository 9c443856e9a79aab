// Is a file cut short? A truncated JPEG decodes to a grey-filled image unless the decoder is told
// to fail (sharp's failOn, which decode.ts sets), and a PNG cut inside its IEND chunk decodes
// without any complaint, so for the container formats we also walk the structure: every chunk,
// strip or RIFF payload the file declares must lie inside it. This also lets the reason say
// "truncated PNG" rather than libpng's "read error".
import type { ImageFormat } from './sniff.js';

/** True when the file's own structure says bytes are missing. Cheap: no pixels are decoded. */
export function isTruncated(format: ImageFormat, b: Uint8Array): boolean {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (format) {
    case 'png':
      return pngTruncated(b, dv);
    case 'webp':
      // RIFF header: the payload size after the first 8 bytes (RFC 9649, section 2.4).
      return b.length < 12 || 8 + dv.getUint32(4, true) > b.length;
    case 'tiff':
      return tiffTruncated(b, dv);
    case 'gif':
      // Every GIF ends with the trailer byte 0x3B (GIF89a specification, section 27).
      return b[b.length - 1] !== 0x3b;
    case 'jpeg':
      // EOI marker (ITU T.81, B.2.1); only consulted once the decoder has already failed.
      return !(b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9);
    case 'bmp':
      return false;
  }
}

/** PNG: chunks (length, type, data, CRC) from byte 8 up to and including IEND (PNG spec 5.3). */
function pngTruncated(b: Uint8Array, dv: DataView): boolean {
  let pos = 8;
  while (pos + 8 <= b.length) {
    const length = dv.getUint32(pos);
    const type = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!);
    const end = pos + 12 + length;
    if (end > b.length) return true;
    if (type === 'IEND') return false;
    pos = end;
  }
  return true;
}

const STRIP_OFFSETS = 273;
const STRIP_BYTE_COUNTS = 279;
const TILE_OFFSETS = 324;
const TILE_BYTE_COUNTS = 325;

/** Classic TIFF: the first IFD, and every strip or tile it points to, must be inside the file. */
function tiffTruncated(b: Uint8Array, dv: DataView): boolean {
  if (b.length < 8) return true;
  const le = b[0] === 0x49;
  if (dv.getUint16(2, le) !== 42) return false; // BigTIFF: left to libtiff.
  const ifd = dv.getUint32(4, le);
  if (ifd + 2 > b.length) return true;
  const n = dv.getUint16(ifd, le);
  if (ifd + 2 + n * 12 > b.length) return true;
  const fields = new Map<number, number[] | null>();
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    const tag = dv.getUint16(e, le);
    if (tag !== STRIP_OFFSETS && tag !== STRIP_BYTE_COUNTS && tag !== TILE_OFFSETS && tag !== TILE_BYTE_COUNTS) {
      continue;
    }
    const type = dv.getUint16(e + 2, le);
    const count = dv.getUint32(e + 4, le);
    const size = type === 3 ? 2 : type === 4 ? 4 : 0;
    if (size === 0) continue;
    const at = count * size <= 4 ? e + 8 : dv.getUint32(e + 8, le);
    if (at + count * size > b.length) return true;
    const values: number[] = [];
    for (let k = 0; k < count; k++)
      values.push(size === 2 ? dv.getUint16(at + k * 2, le) : dv.getUint32(at + k * 4, le));
    fields.set(tag, values);
  }
  const beyond = (offsets?: number[] | null, counts?: number[] | null): boolean =>
    !!offsets && !!counts && offsets.some((o, i) => o + (counts[i] ?? 0) > b.length);
  return (
    beyond(fields.get(STRIP_OFFSETS), fields.get(STRIP_BYTE_COUNTS)) ||
    beyond(fields.get(TILE_OFFSETS), fields.get(TILE_BYTE_COUNTS))
  );
}
