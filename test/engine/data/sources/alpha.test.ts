// The alpha option against PIL: "drop" is Image.open(f).convert('RGB') (torchvision's loader)
// exactly, the default "white" is PIL's alpha_composite onto white (to within rounding), and the
// other options composite onto their colour. Goldens: test/golden/generate_alpha.py.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  Alpha,
  decodeImage,
  decodeWithFormat,
  flattenAlpha,
  isNearlyUniform,
} from '../../../../src-main/engine/data/sources/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/alpha/${name}`, import.meta.url));
const golden = JSON.parse(readFileSync(new URL('../../../golden/alpha.json', import.meta.url), 'utf8')) as {
  images: Record<string, { width: number; height: number; drop: number[]; white: number[] }>;
};

describe('alpha', () => {
  for (const [name, ref] of Object.entries(golden.images)) {
    it(`${name}: drop gives PIL's convert('RGB') pixels exactly`, async () => {
      const img = await decodeImage(fixture(name), { alpha: 'drop' });
      expect([img.width, img.height]).toEqual([ref.width, ref.height]);
      expect(Array.from(img.data)).toEqual(ref.drop);
    });

    it(`${name}: the default composites onto white as PIL's alpha_composite does (±1)`, async () => {
      const { image, transparent } = await decodeWithFormat(fixture(name));
      expect(transparent).toBeGreaterThan(0);
      const diff = Array.from(image.data).map((v, i) => Math.abs(v - ref.white[i]!));
      expect(Math.max(...diff)).toBeLessThanOrEqual(1);
    });
  }

  it('black and a hex colour composite onto that colour', async () => {
    const black = await decodeImage(fixture('rgba.png'), { alpha: 'black' });
    const teal = await decodeImage(fixture('rgba.png'), { alpha: '#008080' });
    // (0, 0) is fully transparent.
    expect(Array.from(black.data.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(teal.data.subarray(0, 3))).toEqual([0, 128, 128]);
  });

  it('out = (c·a + bg·(255 − a)) / 255, rounded, and counts non-opaque pixels', () => {
    const rgba = Uint8Array.from([100, 50, 0, 128, 10, 20, 30, 255, 9, 9, 9, 0]);
    const { rgb, transparent } = flattenAlpha(rgba, 'white');
    expect(Array.from(rgb)).toEqual([177, 152, 127, 10, 20, 30, 255, 255, 255]);
    expect(transparent).toBe(2);
  });

  it('an opaque image is the same under every option', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 9, g: 99, b: 199 } } })
      .png()
      .toBuffer();
    const a = await decodeImage(new Uint8Array(png), { alpha: 'drop' });
    const b = await decodeImage(new Uint8Array(png));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('says when a picture has no content left', async () => {
    // All colour in alpha: black strokes on transparent black become black on black under drop.
    const rgba = new Uint8Array(16 * 16 * 4);
    for (let i = 0; i < 16 * 16; i++) rgba[i * 4 + 3] = i % 16 < 8 ? 255 : 0;
    const png = await sharp(Buffer.from(rgba), { raw: { width: 16, height: 16, channels: 4 } })
      .png()
      .toBuffer();
    expect(isNearlyUniform((await decodeImage(new Uint8Array(png), { alpha: 'drop' })).data)).toBe(true);
    expect(isNearlyUniform((await decodeImage(new Uint8Array(png))).data)).toBe(false);
  });

  it('refuses an unknown option, naming the values it takes', () => {
    expect(Alpha.safeParse('transparent').success).toBe(false);
    expect(Alpha.safeParse('#12345').success).toBe(false);
    for (const ok of ['white', 'black', 'drop', '#A0b0C0']) expect(Alpha.safeParse(ok).success).toBe(true);
  });
});
