// decodeImage: every format by content, the documented alpha/grey/16-bit/orientation handling, and
// every kind of broken file rejected with its short reason.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, decodeImage, decodeWithFormat } from '../../../../src-main/engine/data/sources/index.js';
import { bmp, goodImages, mkfifo, pattern, raw, tempDir, write } from './fixtures.js';

let good: Record<string, Uint8Array>;
beforeAll(async () => {
  good = await goodImages();
});

/** PNG IHDR: colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and bit depth. */
const ihdr = (png: Uint8Array) => ({ colourType: png[25], bitDepth: png[24] });

/** Channel `c` of every pixel of an HWC buffer. */
const plane = (data: Uint8Array, channels: number, c: number) => data.filter((_, i) => i % channels === c);

async function rejects(bytes: Uint8Array, reason: string | RegExp): Promise<void> {
  const err = await decodeImage(bytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DecodeError);
  if (typeof reason === 'string') expect((err as DecodeError).reason).toBe(reason);
  else expect((err as DecodeError).reason).toMatch(reason);
}

describe('decodeImage: good files', () => {
  it('decodes every format to 8-bit RGB, naming the format from the content', async () => {
    const expected: Record<string, [string, number, number]> = {
      'rgb.jpg': ['jpeg', 64, 48],
      'cmyk.jpg': ['jpeg', 64, 48],
      'exif6.jpg': ['jpeg', 48, 64],
      'rgb8.png': ['png', 40, 30],
      'rgb16.png': ['png', 40, 30],
      'grey.png': ['png', 40, 30],
      'grey16.png': ['png', 40, 30],
      'grey-alpha.png': ['png', 40, 30],
      'rgba.png': ['png', 40, 30],
      'palette.png': ['png', 40, 30],
      'photo.webp': ['webp', 80, 60],
      'frame.gif': ['gif', 40, 30],
      'scan.tif': ['tiff', 40, 30],
      'bmp24.bmp': ['bmp', 40, 30],
      'bmp32-topdown.bmp': ['bmp', 40, 30],
      'bmp8.bmp': ['bmp', 40, 30],
    };
    expect(Object.keys(good).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, [format, width, height]] of Object.entries(expected)) {
      const d = await decodeWithFormat(good[name]!);
      expect({ name, format: d.format, width: d.image.width, height: d.image.height }).toEqual({
        name,
        format,
        width,
        height,
      });
      expect(d.image.data).toBeInstanceOf(Uint8Array);
      expect(d.image.data.length).toBe(width * height * 3);
    }
  });

  it('the fixtures are what they claim: PNG colour types and bit depths, CMYK, EXIF orientation 6', async () => {
    expect(ihdr(good['rgb8.png']!)).toEqual({ colourType: 2, bitDepth: 8 });
    expect(ihdr(good['rgb16.png']!)).toEqual({ colourType: 2, bitDepth: 16 });
    expect(ihdr(good['grey.png']!)).toEqual({ colourType: 0, bitDepth: 8 });
    expect(ihdr(good['grey16.png']!)).toEqual({ colourType: 0, bitDepth: 16 });
    expect(ihdr(good['grey-alpha.png']!)).toEqual({ colourType: 4, bitDepth: 8 });
    expect(ihdr(good['rgba.png']!)).toEqual({ colourType: 6, bitDepth: 8 });
    expect(ihdr(good['palette.png']!).colourType).toBe(3);
    expect((await sharp(good['cmyk.jpg']!).metadata()).space).toBe('cmyk');
    const exif = await sharp(good['exif6.jpg']!).metadata();
    expect([exif.orientation, exif.width, exif.height]).toEqual([6, 64, 48]);
  });

  it('lossless formats give back the exact pixels (PNG, TIFF, BMP 24/32-bit, bottom-up and top-down)', async () => {
    const p = pattern(40, 30);
    for (const name of ['rgb8.png', 'scan.tif', 'bmp24.bmp', 'bmp32-topdown.bmp']) {
      expect(Buffer.from((await decodeImage(good[name]!)).data).equals(Buffer.from(p)), name).toBe(true);
    }
    // 8-bit palette BMP: the fixture's palette is grey, indexed by the red channel.
    const b8 = (await decodeImage(good['bmp8.bmp']!)).data;
    for (let c = 0; c < 3; c++) expect(plane(b8, 3, c)).toEqual(plane(p, 3, 0));
  });

  it('with alpha "drop", drops alpha without compositing, as PIL convert("RGB") does', async () => {
    const rgba = pattern(40, 30, 4);
    const rgb = (await decodeImage(good['rgba.png']!, { alpha: 'drop' })).data;
    for (let c = 0; c < 3; c++) expect(plane(rgb, 3, c)).toEqual(plane(rgba, 4, c));
    // Some pixels are fully or nearly transparent; their stored colour is kept.
    expect(plane(rgba, 4, 3).some((a) => a < 8)).toBe(true);
  });

  it('replicates grey to three channels, with or without alpha', async () => {
    const grey = pattern(40, 30, 1);
    const g = (await decodeImage(good['grey.png']!)).data;
    for (let c = 0; c < 3; c++) expect(plane(g, 3, c)).toEqual(grey);
    const ga = (await decodeImage(good['grey-alpha.png']!, { alpha: 'drop' })).data;
    for (let c = 0; c < 3; c++) expect(plane(ga, 3, c)).toEqual(plane(pattern(40, 30, 2), 2, 0));
  });

  it('16-bit samples become their high byte', async () => {
    const p = pattern(40, 30);
    const rgb16 = (await decodeImage(good['rgb16.png']!)).data;
    rgb16.forEach((v, i) => expect(Math.abs(v - p[i]!)).toBeLessThanOrEqual(1));
    const g16 = (await decodeImage(good['grey16.png']!)).data;
    const grey = pattern(40, 30, 1);
    plane(g16, 3, 0).forEach((v, i) => expect(Math.abs(v - grey[i]!)).toBeLessThanOrEqual(1));
  });

  it('applies EXIF orientation 6: the stored left half becomes the top half', async () => {
    const w = 64;
    const h = 48;
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) px.set(i % w < w / 2 ? [220, 20, 20] : [20, 20, 220], i * 3);
    const jpg = await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await decodeImage(jpg);
    expect([img.width, img.height]).toEqual([48, 64]);
    const at = (x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
    expect(at(24, 10)[0]).toBeGreaterThan(180);
    expect(at(24, 54)[2]).toBeGreaterThan(180);
  });

  it('converts CMYK JPEG to sRGB (through a CMYK profile: close, not exact)', async () => {
    const solid = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 180, g: 120, b: 90 } } })
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toBuffer();
    expect((await sharp(solid).metadata()).channels).toBe(4);
    const img = await decodeImage(solid);
    const [r, g, b] = img.data;
    expect(Math.abs(r! - 180)).toBeLessThan(20);
    expect(Math.abs(g! - 120)).toBeLessThan(20);
    expect(Math.abs(b! - 90)).toBeLessThan(20);
  });

  it('reads by content, not extension: a PNG named .jpg is a PNG', async () => {
    const dir = tempDir();
    const path = write(join(dir, 'photo.jpg'), good['rgb8.png']!);
    expect((await decodeWithFormat(path)).format).toBe('png');
  });

  it('takes the first frame of an animated GIF', async () => {
    // Two 8×8 frames stacked in one raw buffer: red, then blue.
    const px = new Uint8Array(8 * 16 * 3);
    for (let i = 0; i < 8 * 16; i++) px.set(i < 64 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const animated = await sharp(px, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } })
      .gif()
      .toBuffer();
    expect((await sharp(animated).metadata()).pages).toBe(2);
    const img = await decodeImage(animated);
    expect([img.width, img.height]).toEqual([8, 8]);
    expect(img.data[0]).toBeGreaterThan(200);
    expect(img.data[2]).toBeLessThan(50);
  });
});

describe('decodeImage: broken files are rejected with a short reason', () => {
  const cut = (b: Uint8Array, keep: number) => b.subarray(0, Math.floor(keep));

  it('truncated JPEG, PNG, WebP, GIF, TIFF and BMP, cut in half', async () => {
    const names: Record<string, string> = {
      'rgb.jpg': 'truncated JPEG',
      'rgb8.png': 'truncated PNG',
      'photo.webp': 'truncated WebP',
      'frame.gif': 'truncated GIF',
      'scan.tif': 'truncated TIFF',
      'bmp24.bmp': 'truncated BMP',
    };
    for (const [name, reason] of Object.entries(names)) await rejects(cut(good[name]!, good[name]!.length / 2), reason);
  });

  it('a JPEG missing only its last bytes, and a PNG missing only its IEND chunk', async () => {
    const big = await raw(256, 256).jpeg().toBuffer();
    await rejects(cut(big, big.length - 64), 'truncated JPEG');
    // Every pixel is there; libpng would decode it without complaint.
    await rejects(cut(good['rgb8.png']!, good['rgb8.png']!.length - 12), 'truncated PNG');
  });

  it('a PNG with a damaged byte (CRC mismatch) is corrupt, not truncated', async () => {
    const damaged = Buffer.from(await raw(64, 64).png().toBuffer());
    damaged[100] = damaged[100]! ^ 0xff;
    await rejects(damaged, /^corrupt PNG \(/);
  });

  it('a JPEG with stray bytes between markers still decodes: PIL reads it; sharp failOn "warning" would not', async () => {
    const jpg = Buffer.from(good['rgb.jpg']!);
    // After the first segment (SOI, then a marker whose 2-byte length is at offset 4).
    const end = 4 + jpg.readUInt16BE(4);
    const stray = Buffer.concat([jpg.subarray(0, end), Buffer.from([0, 0, 0]), jpg.subarray(end)]);
    await expect(sharp(stray, { failOn: 'warning' }).raw().toBuffer()).rejects.toThrow(/extraneous bytes/);
    expect((await decodeImage(stray)).width).toBe(64);
  });

  it('empty, text, unknown binary, and image formats Anneal does not read', async () => {
    await rejects(new Uint8Array(0), 'empty file');
    await rejects(Buffer.from('path,label\ncat.jpg,cat\n'), 'not an image (text)');
    await rejects(Buffer.from('BMW: a text file that starts like a BMP\n'), 'not an image (text)');
    await rejects(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x00, 0x00]), 'not an image');
    await rejects(
      Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
      'unsupported format (SVG)',
    );
    const avif = Buffer.alloc(32);
    avif.write('ftypavif', 4, 'ascii');
    await rejects(avif, 'unsupported format (AVIF)');
    await rejects(Buffer.from('%PDF-1.7\n'), 'not an image (PDF)');
  });

  it('a BMP with an impossible header is corrupt, an RLE BMP unsupported', async () => {
    const b = Buffer.from(bmp(4, 4, pattern(4, 4), { bpp: 24 }));
    const zeroWide = Buffer.from(b);
    zeroWide.writeInt32LE(0, 18);
    await rejects(zeroWide, /^corrupt BMP/);
    const rle = Buffer.from(bmp(4, 4, pattern(4, 4), { bpp: 8 }));
    rle.writeUInt32LE(1, 30);
    await rejects(rle, 'unsupported format (RLE BMP)');
  });

  it('paths: missing, a folder, a FIFO; the error names the path', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope.jpg');
    await expect(decodeImage(missing)).rejects.toMatchObject({ reason: 'no such file', path: missing });
    mkdirSync(join(dir, 'x.jpg'));
    await expect(decodeImage(join(dir, 'x.jpg'))).rejects.toMatchObject({ reason: 'is a directory' });
    if (mkfifo(join(dir, 'pipe.jpg'))) {
      await expect(decodeImage(join(dir, 'pipe.jpg'))).rejects.toMatchObject({ reason: 'not a regular file' });
    } else {
      console.warn('FIFO case not checked: mkfifo is not available here');
    }
    const path = write(join(dir, 'cut.png'), good['rgb8.png']!.subarray(0, 40));
    await expect(decodeImage(path)).rejects.toThrow(`${path}: truncated PNG`);
  });
});
