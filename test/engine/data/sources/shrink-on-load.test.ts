// Issue 15 item 9: a huge image is shrunk while it is decoded, so one decode costs at most
// DECODE_MAX_PIXELS × 3 bytes however large the file says it is (three 16000² PNGs of 0.8 MB each
// peaked at 2.4 GB decoded together before; see docs/security.md).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECODE_MAX_PIXELS, decodeWithFormat, inspectDataset } from '../../../../src-main/engine/data/sources/index.js';

let dir: string;
let wide: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anneal-shrink-'));
  for (const c of ['a', 'b']) {
    await sharp({ create: { width: 6000, height: 3000, channels: 3, background: { r: 200, g: 20, b: 20 } } })
      .png()
      .toFile(join(dir, `${c}.png`));
  }
  wide = join(dir, 'a.png');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shrink-on-load', () => {
  it('decodes a 6000×3000 PNG to at most DECODE_MAX_PIXELS, keeping its shape and colour', async () => {
    const { image, stored } = await decodeWithFormat(wide);
    expect(stored).toEqual({ width: 6000, height: 3000 });
    expect(image.width * image.height).toBeLessThanOrEqual(DECODE_MAX_PIXELS);
    expect(image.width * image.height).toBeGreaterThan(DECODE_MAX_PIXELS * 0.9);
    expect(image.width / image.height).toBeCloseTo(2, 2);
    expect(image.data.length).toBe(image.width * image.height * 3);
    expect([...image.data.subarray(0, 3)]).toEqual([200, 20, 20]);
  });

  it('an ordinary image is decoded as stored', async () => {
    const small = join(dir, 'small.png');
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#102030' } })
      .png()
      .toFile(small);
    const { image, stored } = await decodeWithFormat(small);
    expect([image.width, image.height]).toEqual([300, 200]);
    expect(stored).toEqual({ width: 300, height: 200 });
  });

  it('data inspect still reports the stored size', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'anneal-shrink-ds-'));
    try {
      for (const c of ['x', 'y']) {
        mkdirSync(join(sub, c));
        await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#000' } })
          .png()
          .toFile(join(sub, c, `${c}.png`));
      }
      const report = await inspectDataset(sub);
      expect(report.imageSize?.width.max).toBe(5000);
      expect(report.imageSize?.height.max).toBe(4000);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  }, 60_000);
});
