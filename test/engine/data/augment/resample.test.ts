// Resizing: Pillow's resampler (what torchvision runs on PIL images), and the eval transform
// against `anneal predict`'s.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { evalBox, evalTransform, resampleBox, resizedCrop } from '../../../../src-main/engine/data/augment/index.js';
import { resizeAndCrop } from '../../../../src-main/engine/predict/index.js';
import { REFERENCE, maxAbsDiff, pattern, smooth } from './reference.js';

describe('resizedCrop (torchvision F.resized_crop on a PIL image)', () => {
  const { input, width, height, cases } = REFERENCE.resize;
  const img = { width, height, data: Uint8Array.from(input) };

  it.each(cases.map((c) => [`${c.w}×${c.h} at (${c.left}, ${c.top}) → ${c.size}, ${c.interpolation}`, c] as const))(
    '%s matches Pillow within 1 level',
    (_, c) => {
      const out = resizedCrop(img, c.top, c.left, c.h, c.w, c.size, c.interpolation);
      expect([out.width, out.height]).toEqual([c.size, c.size]);
      // Pillow rounds to 8 bits between its horizontal and vertical passes; we keep floats.
      expect(maxAbsDiff(out.data, c.out)).toBeLessThanOrEqual(1);
    },
  );

  it('is the identity when the crop is the whole image at its own size', () => {
    const img = pattern(9, 9);
    for (const interpolation of ['bilinear', 'bicubic'] as const) {
      expect(resizedCrop(img, 0, 0, 9, 9, 9, interpolation).data).toEqual(img.data);
    }
  });

  it('averages when it shrinks (antialiased): a 2:1 bilinear shrink of stripes is flat grey', () => {
    const w = 16;
    const data = new Uint8Array(w * w * 3);
    for (let i = 0; i < w * w; i++) data.fill(i % 2 === 0 ? 0 : 200, i * 3, i * 3 + 3);
    const out = resampleBox(
      { width: w, height: w, data },
      { x0: 0, y0: 0, x1: w, y1: w },
      { x0: 0, y0: 0, x1: w, y1: w },
      8,
      8,
      'bilinear',
    );
    // Inside, each output pixel's triangle covers the stripes evenly; the edges are clamped.
    for (let y = 0; y < 8; y++) for (let x = 1; x < 7; x++) expect(out.data[(y * 8 + x) * 3]).toBe(100);
  });
});

describe('evalTransform (resize the shorter side, centre crop)', () => {
  it('has the geometry of predict: shorter side to size, crop from floor((side - size) / 2)', () => {
    // 300 × 200 → 336 × 224, crop x from 56: the box is [56, 280] / 1.12 of the source.
    const box = evalBox(300, 200, 224);
    expect(box.x0).toBeCloseTo(50, 12);
    expect(box.x1).toBeCloseTo(250, 12);
    expect(box.y0).toBe(0);
    expect(box.y1).toBeCloseTo(200, 12);
  });

  it('equals resizing the whole image and then cropping, pixel for pixel', () => {
    const img = smooth(90, 60);
    for (const interpolation of ['bilinear', 'bicubic'] as const) {
      const whole = resampleBox(
        img,
        { x0: 0, y0: 0, x1: 90, y1: 60 },
        { x0: 0, y0: 0, x1: 90, y1: 60 },
        48,
        32,
        interpolation,
      );
      const cropped = new Uint8Array(32 * 32 * 3);
      for (let y = 0; y < 32; y++) cropped.set(whole.data.subarray((y * 48 + 8) * 3, (y * 48 + 40) * 3), y * 32 * 3);
      expect(evalTransform(img, 32, interpolation).data).toEqual(cropped);
    }
  });

  it('returns a copy of an image already at the size', () => {
    const img = pattern(32, 32);
    const out = evalTransform(img, 32);
    expect(out.data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
  });

  it('agrees with `anneal predict` (sharp/libvips) to within a level on average', async () => {
    // Different resamplers (libvips vs Pillow) but the same geometry and the same kind of filter.
    // A photo-like image decoded by sharp, as predict would decode it.
    const raw = smooth(640, 480);
    const png = await sharp(raw.data, { raw: { width: 640, height: 480, channels: 3 } })
      .png()
      .toBuffer();
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const img = { width: info.width, height: info.height, data: new Uint8Array(data) };
    for (const interpolation of ['bilinear', 'bicubic'] as const) {
      const ours = evalTransform(img, 224, interpolation);
      const predict = await resizeAndCrop(img, 224, interpolation);
      let sum = 0;
      for (let i = 0; i < ours.data.length; i++) sum += Math.abs(ours.data[i]! - predict.data[i]!);
      expect(sum / ours.data.length).toBeLessThan(0.5);
      expect(maxAbsDiff(ours.data, predict.data)).toBeLessThanOrEqual(3);
    }
  });
});
