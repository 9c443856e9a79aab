// RandomResizedCrop's choice of crop (Szegedy et al. 2015, "Going deeper with convolutions",
// §6: "patches whose size is distributed evenly between 8% and 100% of the image area with aspect
// ratio constrained to the interval [3/4, 4/3]").
import type { Rng } from './rng.js';
import { randint, uniform } from './rng.js';

/** A crop in torchvision's order: top row i, left column j, height h, width w. */
export interface CropParams {
  i: number;
  j: number;
  h: number;
  w: number;
}

/** Python 3's round(): halves go to the even neighbour (banker's rounding). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Transliterated from torchvision 0.14 RandomResizedCrop.get_params
 * (torchvision/transforms/transforms.py). Draws, in order, per attempt (at most 10):
 * the area fraction uniform in `scale`, the log aspect ratio uniform in log(`ratio`); on the first
 * crop that fits, the top row i then the left column j (torch.randint). If no attempt fits, no
 * more draws: the centre crop of the whole image, cut to the nearest allowed aspect ratio.
 */
export function randomResizedCropParams(
  width: number,
  height: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): CropParams {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * uniform(rng, scale[0], scale[1]);
    const aspectRatio = Math.exp(uniform(rng, logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspectRatio));
    const h = roundHalfEven(Math.sqrt(targetArea / aspectRatio));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const i = randint(rng, 0, height - h + 1);
      const j = randint(rng, 0, width - w + 1);
      return { i, j, h, w };
    }
  }
  // Fallback to central crop
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(...ratio)) {
    w = width;
    h = roundHalfEven(w / Math.min(...ratio));
  } else if (inRatio > Math.max(...ratio)) {
    h = height;
    w = roundHalfEven(h * Math.max(...ratio));
  } else {
    w = width;
    h = height;
  }
  return { i: Math.floor((height - h) / 2), j: Math.floor((width - w) / 2), h, w };
}
