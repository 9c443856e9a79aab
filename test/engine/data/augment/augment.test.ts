// The whole augmentation: its random draws, determinism, output size, and "all off = eval".
import { describe, expect, it } from 'vitest';
import {
  AugmentConfig,
  DEFAULT_AUGMENT,
  NO_AUGMENT,
  augment,
  augmentWithSeed,
  evalTransform,
  hflip,
  mulberry32,
  parseAugmentConfig,
  resizedCrop,
  rotate,
  sampleAugmentParams,
  adjustBrightness,
} from '../../../../src-main/engine/data/augment/index.js';
import { counting, maxAbsDiff, pattern, smooth } from './reference.js';

const img = smooth(160, 120);

describe('augment', () => {
  it('gives a size × size image for any input shape and config', () => {
    const strong = parseAugmentConfig({ rotate: 30, vflip: 0.5, colorJitter: { hue: 0.2 } });
    for (const [w, h] of [
      [160, 120],
      [33, 200],
      [7, 5],
      [224, 224],
    ] as const) {
      for (const c of [DEFAULT_AUGMENT, NO_AUGMENT, strong]) {
        for (const size of [1, 32, 224]) {
          const out = augment(smooth(w, h), c, size, mulberry32(w + size));
          expect([out.width, out.height, out.data.length]).toEqual([size, size, size * size * 3]);
        }
      }
    }
  });

  it('is deterministic under a seed, and different seeds give different pixels', () => {
    const a = augment(img, DEFAULT_AUGMENT, 64, mulberry32(42));
    const b = augment(img, DEFAULT_AUGMENT, 64, mulberry32(42));
    const c = augment(img, DEFAULT_AUGMENT, 64, mulberry32(43));
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(augmentWithSeed(img, {}, 64, 42).data).toEqual(a.data);
  });

  it('with every block off is exactly the eval transform', () => {
    for (const interpolation of ['bilinear', 'bicubic'] as const) {
      const off = { ...NO_AUGMENT, interpolation };
      const rng = counting(mulberry32(1));
      expect(augment(img, off, 96, rng).data).toEqual(evalTransform(img, 96, interpolation).data);
      expect(rng.taken()).toBe(0);
    }
    // Zero probabilities and ranges are off as well.
    const zero = parseAugmentConfig({
      randomResizedCrop: false,
      hflip: 0,
      vflip: 0,
      rotate: 0,
      colorJitter: { brightness: 0, contrast: 0, saturation: 0, hue: 0 },
    });
    expect(augment(img, zero, 96, mulberry32(1)).data).toEqual(evalTransform(img, 96).data);
  });

  it('draws in the documented order: crop, hflip, vflip, rotation, jitter order, jitter factors', () => {
    const c = parseAugmentConfig({ hflip: 0.5, vflip: 0.5, rotate: 10, colorJitter: { hue: 0.1 } });
    // The crop's draws: 2 per attempt + 2; on a 160 × 120 image with the defaults the first
    // attempt usually fits. Count the rest exactly with a crop that is off.
    const noCrop = { ...c, randomResizedCrop: false as const };
    const rng = counting(mulberry32(5));
    sampleAugmentParams(160, 120, noCrop, rng);
    // hflip 1 + vflip 1 + rotate 1 + permutation of 4 (3) + 4 factors = 10.
    expect(rng.taken()).toBe(10);
    // brightness 0 (off) draws no factor: 9.
    const rng2 = counting(mulberry32(5));
    sampleAugmentParams(
      160,
      120,
      { ...noCrop, colorJitter: { brightness: 0, contrast: 0.2, saturation: 0.2, hue: 0.1 } },
      rng2,
    );
    expect(rng2.taken()).toBe(9);
  });

  it('applies its draws: a forced flip and a fixed crop give the hand-composed image', () => {
    const c = AugmentConfig.parse({
      randomResizedCrop: { scale: [1, 1], ratio: [4 / 3, 4 / 3] },
      hflip: 1,
      colorJitter: false,
    });
    // 160 × 120 at scale 1, ratio 4/3 can only be the whole image.
    const out = augment(img, c, 48, mulberry32(9));
    expect(out.data).toEqual(hflip(resizedCrop(img, 0, 0, 120, 160, 48, 'bilinear')).data);
  });

  it('rotation and brightness compose as the separate operations do', () => {
    const c = parseAugmentConfig({
      randomResizedCrop: false,
      hflip: false,
      rotate: [90, 90],
      colorJitter: { brightness: [0.5, 0.5], contrast: 0, saturation: 0 },
    });
    const square = pattern(40, 40);
    const out = augment(square, c, 40, mulberry32(3));
    expect(maxAbsDiff(out.data, adjustBrightness(rotate(square, 90), 0.5).data)).toBeLessThanOrEqual(1);
  });

  it('jitter factors are drawn inside their ranges', () => {
    const c = parseAugmentConfig({ colorJitter: { brightness: 0.3, contrast: [0.5, 0.6], saturation: 0, hue: 0.05 } });
    const rng = mulberry32(11);
    for (let n = 0; n < 2000; n++) {
      const p = sampleAugmentParams(100, 100, c, rng);
      expect(p.jitter!.brightness!).toBeGreaterThanOrEqual(0.7);
      expect(p.jitter!.brightness!).toBeLessThanOrEqual(1.3);
      expect(p.jitter!.contrast!).toBeGreaterThanOrEqual(0.5);
      expect(p.jitter!.contrast!).toBeLessThanOrEqual(0.6);
      expect(p.jitter!.saturation).toBeNull();
      expect(Math.abs(p.jitter!.hue!)).toBeLessThanOrEqual(0.05);
      expect([...p.jitter!.order].sort()).toEqual([0, 1, 2, 3]);
    }
  });

  it('flips about as often as asked', () => {
    const count = () => {
      const rng = mulberry32(2024);
      let flips = 0;
      for (let n = 0; n < 10_000; n++) if (sampleAugmentParams(50, 50, DEFAULT_AUGMENT, rng).hflip) flips++;
      return flips;
    };
    const flips = count();
    // Seeded, so the same every time; binomial(10000, 0.5) has a standard deviation of 50.
    expect(count()).toBe(flips);
    expect(Math.abs(flips - 5000)).toBeLessThan(150);
  });
});
