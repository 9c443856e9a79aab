// Zip archives (PKWARE APPNOTE.TXT 6.3.10) as torch.save and Keras 3 write them: the central
// directory is read from the end of the file, each entry's sizes are checked against the file and
// the memory cap before anything is allocated, and stored or deflated (fflate) data is CRC-checked.
import { crc32 } from 'node:zlib';
import { inflateSync } from 'fflate';
import { WeightFileError, describeError, formatBytes } from './errors.js';
import type { Budget, Source } from './file.js';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  crc32: number;
  encrypted: boolean;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Deflate cannot expand data by more than about 1032:1 (RFC 1951: 258-byte matches in ~2 bits). */
const MAX_DEFLATE_RATIO = 1032;
/** The most a weight entry may inflate, and the size below which any ratio goes (configs, small tensors). */
const MAX_WEIGHT_RATIO = 100;
const MIN_BOMB_BYTES = 16 * 1024 * 1024;

export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;

/** The central directory, or a WeightFileError saying why the archive is damaged. */
export function listZip(src: Source): ZipEntry[] {
  const bad = (reason: string) => new WeightFileError(src.path, reason);
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tail = src.read(src.size - tailLen, tailLen, 'zip directory');
  const tv = new DataView(tail.buffer);
  let at = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD && i + 22 + tv.getUint16(i + 20, true) <= tailLen) {
      at = i;
      break;
    }
  }
  if (at < 0) throw bad('truncated or damaged zip archive: no end-of-central-directory record');
  let count = tv.getUint16(at + 10, true);
  let cdSize = tv.getUint32(at + 12, true);
  let cdOffset = tv.getUint32(at + 16, true);
  const eocdPos = src.size - tailLen + at;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: the locator sits right before the classic record and points at the ZIP64 record.
    if (at < 20 || tv.getUint32(at - 20, true) !== ZIP64_LOCATOR) throw bad('damaged zip64 archive: no locator');
    const recPos = Number(tv.getBigUint64(at - 12, true));
    if (recPos + 56 > eocdPos) throw bad('damaged zip64 archive: bad end-of-directory offset');
    const rec = new DataView(src.read(recPos, 56, 'zip64 directory').buffer);
    if (rec.getUint32(0, true) !== ZIP64_EOCD) throw bad('damaged zip64 archive: no end-of-directory record');
    count = Number(rec.getBigUint64(32, true));
    cdSize = Number(rec.getBigUint64(40, true));
    cdOffset = Number(rec.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > eocdPos || count * 46 > cdSize) {
    throw bad('truncated or damaged zip archive: the central directory lies outside the file');
  }
  const cd = src.read(cdOffset, cdSize, 'zip central directory');
  const v = new DataView(cd.buffer);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || v.getUint32(p, true) !== CENTRAL) throw bad('damaged zip archive: bad central directory');
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cdSize) throw bad('damaged zip archive: bad central directory');
    const entry: ZipEntry = {
      name: new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen)),
      method: v.getUint16(p + 10, true),
      crc32: v.getUint32(p + 16, true),
      compressedSize: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      localOffset: v.getUint32(p + 42, true),
      encrypted: (v.getUint16(p + 8, true) & 1) === 1,
    };
    readZip64Extra(v, p + 46 + nameLen, extraLen, entry);
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Fields that overflow 32 bits live in the ZIP64 extra field (id 1), in this order. */
function readZip64Extra(v: DataView, start: number, len: number, e: ZipEntry): void {
  for (let q = start; q + 4 <= start + len;) {
    const id = v.getUint16(q, true);
    const size = v.getUint16(q + 2, true);
    if (id === 1) {
      let f = q + 4;
      const next = (): number => {
        if (f + 8 > q + 4 + size) return 0xffffffff;
        const value = Number(v.getBigUint64(f, true));
        f += 8;
        return value;
      };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localOffset === 0xffffffff) e.localOffset = next();
      return;
    }
    q += 4 + size;
  }
}

/** Name of the first entry, from its local header: enough to tell torch from Keras. */
export function firstEntryName(head: Uint8Array): string | null {
  if (head.length < 30) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (v.getUint32(0, true) !== LOCAL) return null;
  const nameLen = v.getUint16(26, true);
  return new TextDecoder().decode(head.subarray(30, Math.min(head.length, 30 + nameLen)));
}

/** One entry's bytes, every size checked before the buffer for it exists. */
export function readZipEntry(src: Source, e: ZipEntry, budget: Budget): Uint8Array {
  const bad = (reason: string) => new WeightFileError(src.path, `zip entry ${e.name}: ${reason}`);
  if (e.encrypted) throw bad('is encrypted');
  if (e.method !== 0 && e.method !== 8) throw bad(`uses compression method ${e.method} (only stored and deflate)`);
  if (e.localOffset + 30 > src.size) throw bad('its header lies outside the file (truncated archive)');
  const local = new DataView(src.read(e.localOffset, 30, `zip entry ${e.name}`).buffer);
  if (local.getUint32(0, true) !== LOCAL) throw bad('damaged archive: no local header where the directory says');
  const dataStart = e.localOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataStart + e.compressedSize > src.size) {
    throw bad(`its ${formatBytes(e.compressedSize)} of data run past the end of the file (truncated archive)`);
  }
  if (e.method === 0 && e.size !== e.compressedSize) throw bad('stored entry with two different sizes');
  if (e.method === 8 && e.size > e.compressedSize * MAX_DEFLATE_RATIO + 1024) {
    throw bad(
      `claims ${formatBytes(e.size)} from ${formatBytes(e.compressedSize)} of deflate data, more than deflate can produce`,
    );
  }
  budget.take(e.size, `zip entry ${e.name}`);
  // Weights barely compress (float noise: about 1.1:1); a large entry claiming far more than
  // that is a decompression bomb, refused before its buffer exists (a 1 MB stream reached 2.3 GB).
  if (e.method === 8 && e.size > MIN_BOMB_BYTES && e.size > e.compressedSize * MAX_WEIGHT_RATIO) {
    throw bad(
      `claims ${formatBytes(e.size)} from ${formatBytes(e.compressedSize)} of deflate data, ` +
        `more than ${MAX_WEIGHT_RATIO}:1 (weights do not compress that well)`,
    );
  }
  const raw = src.read(dataStart, e.compressedSize, `zip entry ${e.name}`);
  let data = raw;
  if (e.method === 8) {
    let out: Uint8Array;
    try {
      // One spare byte: fflate stops silently at the end of `out`, so a longer stream shows as size + 1.
      out = inflateSync(raw, { out: new Uint8Array(e.size + 1) });
    } catch (err) {
      throw bad(`damaged deflate data (${describeError(err)})`);
    }
    if (out.length !== e.size) throw bad(`inflates to ${out.length} bytes, not the ${e.size} it claims`);
    data = out;
  }
  if (crc32(data) >>> 0 !== e.crc32) throw bad('CRC-32 mismatch: the archive is damaged');
  return data;
}

/**
 * A stored (uncompressed) archive with each entry's data aligned to `align` bytes by padding its
 * local header's extra field, as PyTorch's writer does (caffe2/serialize/inline_container.cc,
 * extra field id "FB").
 */
export function buildZip(path: string, files: readonly { name: string; data: Uint8Array }[], align = 64): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = new TextEncoder().encode(f.name);
    const pad = (align - ((offset + 30 + name.length + 4) % align)) % align;
    const local = new Uint8Array(30 + name.length + 4 + pad);
    const lv = new DataView(local.buffer);
    const crc = crc32(f.data) >>> 0;
    header(lv, 0, LOCAL, crc, f.data.length, name.length);
    lv.setUint16(28, 4 + pad, true);
    local.set(name, 30);
    lv.setUint16(30 + name.length, 0x4246, true); // "FB"
    lv.setUint16(32 + name.length, pad, true);
    const cen = new Uint8Array(46 + name.length);
    const cv = new DataView(cen.buffer);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true);
    header(cv, 2, 0, crc, f.data.length, name.length);
    cv.setUint32(42, offset, true);
    cen.set(name, 46);
    central.push(cen);
    chunks.push(local, f.data);
    offset += local.length + f.data.length;
    if (offset > 0xffffffff) throw new WeightFileError(path, 'over 4 GB: too large for this writer (no zip64)');
  }
  if (files.length > 0xffff) throw new WeightFileError(path, 'over 65535 entries: too many for this writer (no zip64)');
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, EOCD, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return [...chunks, ...central, end];
}

/** The fields a local header shares with a central one, from "version needed" on (`at`: shift). */
function header(v: DataView, at: number, sig: number, crc: number, size: number, nameLen: number): void {
  if (sig) v.setUint32(0, sig, true);
  v.setUint16(4 + at, 20, true); // version needed: 2.0
  v.setUint16(6 + at, 0, true); // flags
  v.setUint16(8 + at, 0, true); // stored
  v.setUint16(10 + at, 0, true); // time
  v.setUint16(12 + at, 0x21, true); // date: 1980-01-01
  v.setUint32(14 + at, crc, true);
  v.setUint32(18 + at, size, true);
  v.setUint32(22 + at, size, true);
  v.setUint16(26 + at, nameLen, true);
}
