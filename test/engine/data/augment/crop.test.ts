// RandomResizedCrop's choice of crop against the real torchvision get_params (fixed draws), and
// its bounds over many seeded draws.
import { describe, expect, it } from 'vitest';
import { mulberry32, randomResizedCropParams, roundHalfEven } from '../../../../src-main/engine/data/augment/index.js';
import { REFERENCE, fixedDraws } from './reference.js';

describe('roundHalfEven (Python 3 round)', () => {
  it('rounds halves to the even neighbour and everything else to the nearest', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2]);
    expect([2.4999, 2.5001, 7, 7.2, 7.8].map(roundHalfEven)).toEqual([2, 3, 7, 7, 8]);
  });
});

describe('randomResizedCropParams', () => {
  const rows = REFERENCE.crop.rows;

  it(`matches torchvision's RandomResizedCrop.get_params on ${rows.length} fixed draw sequences (${REFERENCE.reference})`, () => {
    let fallbacks = 0;
    for (const [width, height, s0, s1, r0, r1, c0, i, j, h, w, draws] of rows) {
      const rng = fixedDraws(c0);
      const got = randomResizedCropParams(width, height, [s0, s1], [r0, r1], rng);
      expect({ case: [width, height, s0, s1, r0, r1, c0], ...got }).toEqual({
        case: [width, height, s0, s1, r0, r1, c0],
        i,
        j,
        h,
        w,
      });
      // The same number of draws: 2 per attempt, 2 for the accepted crop, none for the fallback.
      expect(rng.taken()).toBe(draws);
      if (draws === 20) fallbacks++;
    }
    // The reference covers both paths.
    expect(fallbacks).toBeGreaterThan(10);
    expect(fallbacks).toBeLessThan(rows.length);
  });

  it('stays inside the image, within scale and ratio up to rounding, over 20 000 seeded draws', () => {
    const rng = mulberry32(1234);
    const scale = [0.08, 1] as const;
    const ratio = [3 / 4, 4 / 3] as const;
    for (let n = 0; n < 20_000; n++) {
      const width = 50 + Math.floor(rng() * 600);
      const height = 50 + Math.floor(rng() * 600);
      const { i, j, h, w } = randomResizedCropParams(width, height, scale, ratio, rng);
      expect(i >= 0 && j >= 0 && h >= 1 && w >= 1 && i + h <= height && j + w <= width).toBe(true);
      // w and h are each rounded to a whole pixel: allow half a pixel on each side.
      expect((w + 1) * (h + 1)).toBeGreaterThanOrEqual(scale[0] * width * height);
      const fallback = w === width || h === height;
      if (!fallback) {
        expect((w - 1) * (h - 1)).toBeLessThanOrEqual(scale[1] * width * height);
        expect((w + 0.5) / (h - 0.5)).toBeGreaterThanOrEqual(ratio[0]);
        expect((w - 0.5) / (h + 0.5)).toBeLessThanOrEqual(ratio[1]);
      }
    }
  });

  it('covers the scale range: small and whole-image crops both occur', () => {
    const rng = mulberry32(7);
    const areas = Array.from({ length: 5000 }, () => {
      const { h, w } = randomResizedCropParams(400, 400, [0.08, 1], [3 / 4, 4 / 3], rng);
      return (h * w) / 160_000;
    });
    expect(Math.min(...areas)).toBeLessThan(0.1);
    expect(Math.max(...areas)).toBeGreaterThan(0.95);
  });

  it('falls back to the centre crop at the nearest allowed ratio when nothing fits', () => {
    // 1000 × 100 is ratio 10; no crop of ratio ≤ 4/3 can hold 90 % of its area.
    const never = () => 0.999;
    expect(randomResizedCropParams(1000, 100, [0.9, 1], [3 / 4, 4 / 3], never)).toEqual({
      i: 0,
      j: Math.floor((1000 - 133) / 2),
      h: 100,
      w: 133,
    });
    expect(randomResizedCropParams(100, 1000, [0.9, 1], [3 / 4, 4 / 3], never)).toEqual({
      i: Math.floor((1000 - 133) / 2),
      j: 0,
      h: 133,
      w: 100,
    });
  });
});
