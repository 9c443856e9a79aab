// Issue 15, item 5: the pixel limit. An image over it gets no thumbnail, decided from its header
// before any pixel is decoded; one under it is resized as it decodes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderThumbnail } from '../../src-main/service/index.js';

describe('thumbnails have a pixel limit', () => {
  let dir: string;
  let png: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anneal-thumb-'));
    png = join(dir, 'big.png');
    // 6000² (36 megapixels), a few kB on disk: the shape of the 16000² PNGs that exhausted memory.
    await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#3060c0' } })
      .png()
      .toFile(png);
  }, 120_000);

  it('skips an image over the limit, and draws one under it', async () => {
    expect(await renderThumbnail(png, 32, 30_000_000)).toBeNull();
    const out = await renderThumbnail(png, 32, 40_000_000);
    const meta = await sharp(out!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 32, 32]);
    const { data } = await sharp(out!).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([0x30, 0x60, 0xc0]);
  });

  it('reads a BMP’s size from its header', async () => {
    // A 54-byte header that claims 20000 × 20000 pixels and holds none.
    const h = Buffer.alloc(54);
    h.write('BM', 0, 'latin1');
    h.writeUInt32LE(54, 2);
    h.writeUInt32LE(54, 10);
    h.writeUInt32LE(40, 14);
    h.writeInt32LE(20000, 18);
    h.writeInt32LE(20000, 22);
    h.writeUInt16LE(1, 26);
    h.writeUInt16LE(24, 28);
    writeFileSync(join(dir, 'huge.bmp'), h);
    expect(await renderThumbnail(join(dir, 'huge.bmp'), 32, 100_000_000)).toBeNull();
    expect(await renderThumbnail(join(dir, 'missing.png'), 32, 100_000_000)).toBeNull();
  });
});
