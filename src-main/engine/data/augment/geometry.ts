// Flips and rotation on 8-bit RGB, HWC. The `…InPlace` forms overwrite their argument (augment()
// owns a fresh buffer by then); the plain forms return a new image.
import type { RgbImage } from '../types.js';

/** Mirror left–right (torchvision F.hflip). */
export function hflip(img: RgbImage): RgbImage {
  return hflipInPlace(copy(img));
}

/** Mirror upside down (torchvision F.vflip). */
export function vflip(img: RgbImage): RgbImage {
  return vflipInPlace(copy(img));
}

export function hflipInPlace(img: RgbImage): RgbImage {
  const { width, height, data } = img;
  for (let y = 0; y < height; y++) {
    let a = y * width * 3;
    let b = a + (width - 1) * 3;
    for (; a < b; a += 3, b -= 3) {
      for (let c = 0; c < 3; c++) {
        const t = data[a + c]!;
        data[a + c] = data[b + c]!;
        data[b + c] = t;
      }
    }
  }
  return img;
}

export function vflipInPlace(img: RgbImage): RgbImage {
  const { height, data } = img;
  const row = img.width * 3;
  const tmp = new Uint8Array(row);
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    tmp.set(data.subarray(top * row, top * row + row));
    data.copyWithin(top * row, bottom * row, bottom * row + row);
    data.set(tmp, bottom * row);
  }
  return img;
}

/**
 * Rotate by `degrees` counter-clockwise about the image centre, keeping the size (torchvision
 * F.rotate with expand=False, center=None). Output pixel (x, y) samples the source at the inverse
 * rotation of (x, y) about ((w - 1) / 2, (h - 1) / 2), bilinearly; source pixels outside the image
 * count as `fill` (torchvision's fill=0 default), so uncovered corners are black. torchvision's
 * default here is nearest-neighbour; bilinear avoids jagged edges at no real cost.
 */
export function rotate(img: RgbImage, degrees: number, fill = 0): RgbImage {
  const { width, height, data } = img;
  const out = new Uint8Array(width * height * 3);
  if (degrees % 360 === 0) {
    out.set(data);
    return { width, height, data: out };
  }
  const clamped = new Uint8ClampedArray(out.buffer);
  const theta = (degrees * Math.PI) / 180;
  // Snap cos/sin of exact quarter turns so 90° moves pixels exactly (Math.cos(π/2) is 6e-17).
  const cos = snap(Math.cos(theta));
  const sin = snap(Math.sin(theta));
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const row = width * 3;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    for (let x = 0; x < width; x++, o += 3) {
      const dx = x - cx;
      // Inverse of the counter-clockwise (on screen, y down) rotation.
      const sx = cx + dx * cos - dy * sin;
      const sy = cy + dx * sin + dy * cos;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
        clamped[o] = clamped[o + 1] = clamped[o + 2] = fill;
        continue;
      }
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < width;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < height;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const p00 = y0 * row + x0 * 3;
      for (let c = 0; c < 3; c++) {
        const v00 = inX0 && inY0 ? data[p00 + c]! : fill;
        const v10 = inX1 && inY0 ? data[p00 + 3 + c]! : fill;
        const v01 = inX0 && inY1 ? data[p00 + row + c]! : fill;
        const v11 = inX1 && inY1 ? data[p00 + row + 3 + c]! : fill;
        clamped[o + c] = v00 * w00 + v10 * w10 + v01 * w01 + v11 * w11;
      }
    }
  }
  return { width, height, data: out };
}

function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-12 ? r : v;
}

function copy(img: RgbImage): RgbImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}
