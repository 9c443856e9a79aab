// Decoded images to class probabilities through a classifier: the plain view (the eval transform),
// and with test-time augmentation n augmented views per image combined as fastai's tta does
// (tta/combine.ts). The augmented views are cut exactly as the training loader cuts them
// (data/pipeline/worker.ts): presized to round(size·8/7), then augmented from
// mulberry32(deriveSeed(seed, view, index)), so that `anneal eval --tta` and `anneal predict --tta`
// see the same pixels for the same image at the same index.
import { augment } from '../data/augment/augment.js';
import { deriveSeed, mulberry32 } from '../data/augment/rng.js';
import type { RgbImage } from '../data/types.js';
import { combineTta, type TtaRun } from '../tta/index.js';
import type { Classifier } from './classifier.js';
import { resizeAndCrop } from './image.js';

/** The presized square the training loader augments from (fastai presizing: 224 from 256). */
export const presizeFor = (size: number): number => Math.round((size * 8) / 7);

/** View `view` of image number `index` under `tta`'s augmentation: size × size pixels. */
export async function augmentedView(
  decoded: RgbImage,
  size: number,
  interpolation: 'bilinear' | 'bicubic',
  tta: Pick<TtaRun, 'augment' | 'seed'>,
  view: number,
  index: number,
): Promise<RgbImage> {
  const square = await resizeAndCrop(decoded, presizeFor(size), interpolation);
  return augment(square, tta.augment, size, mulberry32(deriveSeed(tta.seed, view, index)));
}

/**
 * Probabilities (and logits) of decoded images; `indices` number them for the views' seeds. With
 * TTA the logits are the log of the combined probabilities (what is then ranked and scored).
 */
export async function classifyDecoded(
  classifier: Classifier,
  decoded: readonly RgbImage[],
  indices: readonly number[],
  tta?: TtaRun,
): Promise<{ logits: Float32Array; probs: ArrayLike<number> }> {
  const { inputSize: S, preprocessing } = classifier.meta;
  const plain = await Promise.all(decoded.map((d) => resizeAndCrop(d, S, preprocessing.interpolation)));
  const out = await classifier.classify(plain);
  if (!tta || tta.n === 0) return out;
  const views: Float32Array[] = [];
  for (let v = 0; v < tta.n; v++) {
    const pixels = await Promise.all(
      decoded.map((d, k) => augmentedView(d, S, preprocessing.interpolation, tta, v, indices[k]!)),
    );
    views.push((await classifier.classify(pixels)).probs);
  }
  const probs = combineTta(out.probs, views, tta);
  return { logits: Float32Array.from(probs, (p) => Math.log(Math.max(p, Number.MIN_VALUE))), probs };
}
