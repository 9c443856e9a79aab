// Flips, rotation and colour: exact semantics, and torchvision's functional ops on fixed pixels.
import { describe, expect, it } from 'vitest';
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  colorJitterInPlace,
  hflip,
  rotate,
  vflip,
} from '../../../../src-main/engine/data/augment/index.js';
import { REFERENCE, maxAbsDiff, pattern, pixel } from './reference.js';

describe('flips', () => {
  const img = pattern(7, 5);

  it('hflip mirrors left–right exactly, and twice is the identity', () => {
    const out = hflip(img);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 7; x++) expect(pixel(out, x, y)).toEqual(pixel(img, 6 - x, y));
    expect(hflip(out).data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
  });

  it('vflip mirrors upside down exactly, and twice is the identity', () => {
    const out = vflip(img);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 7; x++) expect(pixel(out, x, y)).toEqual(pixel(img, x, 4 - y));
    expect(vflip(out).data).toEqual(img.data);
  });
});

describe('rotate', () => {
  it('turns a square image 90° counter-clockwise exactly (numpy rot90)', () => {
    for (const n of [6, 7]) {
      const img = pattern(n, n);
      const out = rotate(img, 90);
      // rot90: out[y][x] = in[x][n - 1 - y], i.e. the top-right corner moves to the top-left.
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) expect(pixel(out, x, y)).toEqual(pixel(img, n - 1 - y, x));
      expect(rotate(rotate(out, -90), 0).data).toEqual(img.data);
    }
  });

  it('180° is both flips; 0° and 360° are the identity', () => {
    const img = pattern(8, 8);
    expect(rotate(img, 180).data).toEqual(vflip(hflip(img)).data);
    expect(rotate(img, 0).data).toEqual(img.data);
    expect(rotate(img, 360).data).toEqual(img.data);
  });

  it('fills the uncovered corners with 0 and keeps the centre', () => {
    const img = { width: 21, height: 21, data: new Uint8Array(21 * 21 * 3).fill(200) };
    const out = rotate(img, 45);
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(out, 20, 20)).toEqual([0, 0, 0]);
    expect(pixel(out, 10, 10)).toEqual([200, 200, 200]);
    expect(pixel(out, 10, 0)).toEqual([200, 200, 200]);
  });
});

describe('colour adjustments (torchvision functional_tensor)', () => {
  const { input, width, height, cases } = REFERENCE.jitter;
  const img = { width, height, data: Uint8Array.from(input) };
  const ops = { brightness: adjustBrightness, contrast: adjustContrast, saturation: adjustSaturation, hue: adjustHue };

  it.each(cases.map((c) => [c.op, c.factor, c.out] as const))(
    'adjust %s(%s) matches torchvision on primaries, greys and mixtures',
    (op, factor, expected) => {
      // torchvision works in float; we round once to 8 bits.
      expect(maxAbsDiff(ops[op](img, factor).data, expected)).toBeLessThanOrEqual(0.5 + 1e-6);
    },
  );

  it('factor 1 (hue 0) is the identity', () => {
    const img = pattern(16, 16);
    expect(adjustBrightness(img, 1).data).toEqual(img.data);
    expect(adjustContrast(img, 1).data).toEqual(img.data);
    expect(adjustSaturation(img, 1).data).toEqual(img.data);
    expect(adjustHue(img, 0).data).toEqual(img.data);
    // A full turn of the hue circle comes back to the start (to rounding).
    expect(maxAbsDiff(adjustHue(adjustHue(img, 0.5), -0.5).data, img.data)).toBeLessThanOrEqual(1);
  });

  it('hue 1/3 turns red into green; saturation 0 gives luma grey; brightness 0 black', () => {
    const red = { width: 1, height: 1, data: Uint8Array.from([255, 0, 0]) };
    expect([...adjustHue(red, 1 / 3).data]).toEqual([0, 255, 0]);
    expect([...adjustSaturation(red, 0).data]).toEqual([76, 76, 76]); // 0.2989 · 255
    expect([...adjustBrightness(red, 0).data]).toEqual([0, 0, 0]);
  });

  it('the jitter applies its adjustments in the drawn order (they do not commute)', () => {
    const img = pattern(8, 8);
    const base = { brightness: 1.8, contrast: 0.3, saturation: null, hue: null };
    const a = colorJitterInPlace({ ...img, data: img.data.slice() }, { order: [0, 1, 2, 3], ...base });
    const b = colorJitterInPlace({ ...img, data: img.data.slice() }, { order: [1, 0, 2, 3], ...base });
    // One rounding at the end vs one per step: within a level.
    expect(maxAbsDiff(a.data, adjustContrast(adjustBrightness(img, 1.8), 0.3).data)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(b.data, adjustBrightness(adjustContrast(img, 0.3), 1.8).data)).toBeLessThanOrEqual(1);
    expect(a.data).not.toEqual(b.data);
  });
});
