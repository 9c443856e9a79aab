// Image files of every format Anneal reads, made at test time (sharp writes most; BMP bytes are
// written here by hand), and a dataset folder that mixes them with every kind of bad file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export function tempDir(prefix = 'anneal-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A deterministic RGB pattern, row-major HWC: distinct values so orientation and channel order show. */
export function pattern(width: number, height: number, channels = 3): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = (x * 7 + y * 13 + c * 61) & 255;
    }
  }
  return out;
}

export const raw = (width: number, height: number, channels: 1 | 2 | 3 | 4 = 3) =>
  sharp(pattern(width, height, channels), { raw: { width, height, channels } });

export interface BmpOptions {
  bpp: 8 | 24 | 32;
  topDown?: boolean;
}

/** A BITMAPINFOHEADER BMP of `rgb` (HWC). 8-bit: a grey palette of the red channel's values. */
export function bmp(width: number, height: number, rgb: Uint8Array, { bpp, topDown = false }: BmpOptions): Uint8Array {
  const stride = Math.ceil((bpp * width) / 32) * 4;
  const paletteBytes = bpp === 8 ? 256 * 4 : 0;
  const offset = 14 + 40 + paletteBytes;
  const buf = Buffer.alloc(offset + stride * height);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(topDown ? -height : height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bpp, 28);
  buf.writeUInt32LE(0, 30);
  buf.writeUInt32LE(stride * height, 34);
  if (bpp === 8) {
    for (let i = 0; i < 256; i++) buf.writeUInt32LE((i << 16) | (i << 8) | i, 54 + i * 4);
  }
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const [r, g, b] = [rgb[s]!, rgb[s + 1]!, rgb[s + 2]!];
      if (bpp === 8) buf[row + x] = r;
      else {
        const p = row + x * (bpp / 8);
        buf[p] = b;
        buf[p + 1] = g;
        buf[p + 2] = r;
        if (bpp === 32) buf[p + 3] = 0; // alpha/X byte: ignored, as PIL's BGRX.
      }
    }
  }
  return buf;
}

/** Every good format, by file name. Sizes differ so the size statistics have something to say. */
export async function goodImages(): Promise<Record<string, Uint8Array>> {
  const p = pattern(40, 30);
  return {
    'rgb.jpg': await raw(64, 48).jpeg({ quality: 90 }).toBuffer(),
    'cmyk.jpg': await raw(64, 48).toColourspace('cmyk').jpeg().toBuffer(),
    // Stored 64×48 with EXIF orientation 6 (rotate 90° clockwise to view): decodes 48×64.
    'exif6.jpg': await raw(64, 48).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    'rgb8.png': await raw(40, 30).png().toBuffer(),
    'rgb16.png': await raw(40, 30).toColourspace('rgb16').png().toBuffer(),
    'grey.png': await raw(40, 30, 1).toColourspace('b-w').png().toBuffer(),
    'grey16.png': await raw(40, 30, 1).toColourspace('grey16').png().toBuffer(),
    'grey-alpha.png': await raw(40, 30, 2).toColourspace('b-w').png().toBuffer(),
    'rgba.png': await raw(40, 30, 4).png().toBuffer(),
    'palette.png': await raw(40, 30).png({ palette: true, colours: 16 }).toBuffer(),
    'photo.webp': await raw(80, 60).webp().toBuffer(),
    'frame.gif': await raw(40, 30).gif().toBuffer(),
    'scan.tif': await raw(40, 30).tiff({ compression: 'lzw' }).toBuffer(),
    'bmp24.bmp': bmp(40, 30, p, { bpp: 24 }),
    'bmp32-topdown.bmp': bmp(40, 30, p, { bpp: 32, topDown: true }),
    'bmp8.bmp': bmp(40, 30, p, { bpp: 8 }),
  };
}

export function write(path: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** mkfifo(1), where there is one. */
export function mkfifo(path: string): boolean {
  return spawnSync('mkfifo', [path]).status === 0;
}

export interface MixedDataset {
  root: string;
  /** Good images per class. */
  counts: Record<string, number>;
  /** Relative path → reason, exactly what inspect must report. */
  problems: Record<string, string>;
  /** Relative paths of the byte-identical pair. */
  duplicate: string[];
}

/**
 * root/
 *   formats/   every good format, plus a PNG named .jpg and a file in a nested folder
 *   bad/       two good images, then truncated JPEG and PNG, empty, text-as-.jpg, a hidden file,
 *              a broken symlink and (where mkfifo exists) a FIFO
 *   copies/    three good images, one byte-identical to one in formats/
 *   empty/     no files: not a class
 *   junk/      only a text file: not a class
 *   stray.jpg  outside any class folder
 *   .cache/    hidden: ignored, images and all
 */
export async function mixedDataset(): Promise<MixedDataset> {
  const root = tempDir('anneal-mixed-');
  const good = await goodImages();
  for (const [name, bytes] of Object.entries(good)) write(join(root, 'formats', name), bytes);
  write(join(root, 'formats', 'really-a-png.jpg'), good['rgb8.png']!);
  write(join(root, 'formats', 'nested', 'deeper', 'deep.png'), await raw(20, 10).png().toBuffer());

  const jpg = await raw(50, 40).jpeg().toBuffer();
  const png = await raw(50, 40).png().toBuffer();
  write(join(root, 'bad', 'ok1.jpg'), jpg);
  write(join(root, 'bad', 'ok2.png'), png);
  write(join(root, 'bad', 'cut.jpg'), jpg.subarray(0, jpg.length >> 1));
  write(join(root, 'bad', 'cut.png'), png.subarray(0, png.length >> 1));
  write(join(root, 'bad', 'empty.jpg'), '');
  write(join(root, 'bad', 'notes.jpg'), 'these are not the pixels you are looking for\n');
  write(join(root, 'bad', '.hidden.jpg'), jpg);
  symlinkSync(join(root, 'bad', 'gone.jpg'), join(root, 'bad', 'broken.jpg'));
  const problems: Record<string, string> = {
    'bad/cut.jpg': 'truncated JPEG',
    'bad/cut.png': 'truncated PNG',
    'bad/empty.jpg': 'empty file',
    'bad/notes.jpg': 'not an image (text)',
    'bad/broken.jpg': 'broken symlink',
    empty: 'class folder with no images',
    junk: 'class folder with no images',
    'junk/readme.txt': 'not an image (text)',
    'stray.jpg': 'not inside a class folder',
  };
  if (mkfifo(join(root, 'bad', 'pipe.jpg'))) problems['bad/pipe.jpg'] = 'not a regular file';

  write(join(root, 'copies', 'a.png'), good['rgb8.png']!);
  write(join(root, 'copies', 'b.jpg'), await raw(30, 30).jpeg().toBuffer());
  write(join(root, 'copies', 'c.gif'), await raw(30, 30).gif().toBuffer());
  mkdirSync(join(root, 'empty'));
  write(join(root, 'junk', 'readme.txt'), 'nothing to see\n');
  write(join(root, 'stray.jpg'), jpg);
  write(join(root, '.cache', 'thumb.jpg'), jpg);
  write(join(root, 'formats', '.DS_Store'), 'Bud1');

  return {
    root,
    counts: { bad: 2, copies: 3, formats: Object.keys(good).length + 2 },
    problems,
    duplicate: ['copies/a.png', 'formats/really-a-png.jpg', 'formats/rgb8.png'],
  };
}
