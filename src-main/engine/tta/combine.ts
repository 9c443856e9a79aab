// fastai's combination of test-time-augmented predictions, element for element
// (fastai/learner.py, `Learner.tta`):
//   aug_preds = stack(n augmented views' probabilities).mean(0)       (or .max(0) with use_max)
//   use_max:  preds = stack([plain, aug_preds]).max(0)
//   else:     preds = torch.lerp(aug_preds, plain, beta)
// fastai's get_preds returns the loss function's activation: softmax probabilities for
// cross-entropy, so views are combined as probabilities. torch.lerp's CPU kernel
// (aten/src/ATen/native/Lerp.h, lerp) computes start + w·(end − start) for |w| < 0.5 and
// end − (end − start)·(1 − w) otherwise, so beta = 1 gives the plain view exactly; the same
// branches are used here. Checked against torch by test/golden/generate_tta.py.
import type { TtaConfig } from './config.js';

/** torch.lerp(start, end, weight) for one element, with torch's two branches. */
export function lerp(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}

/**
 * Combines `plain` ([rows, C] probabilities of the plain view) with `views` (n arrays of the same
 * shape, the augmented views' probabilities). With n = 0 the result is the plain view (fastai
 * refuses n = 0; here it means "no augmented views").
 */
export function combineTta(
  plain: ArrayLike<number>,
  views: readonly ArrayLike<number>[],
  o: Pick<TtaConfig, 'beta' | 'useMax'>,
): Float64Array {
  const out = Float64Array.from(plain);
  if (views.length === 0) return out;
  for (const v of views)
    if (v.length !== plain.length) throw new RangeError('every view must have the plain view’s shape');
  for (let i = 0; i < out.length; i++) {
    let agg = o.useMax ? -Infinity : 0;
    for (const v of views) agg = o.useMax ? Math.max(agg, v[i]!) : agg + v[i]!;
    if (o.useMax) out[i] = Math.max(plain[i]!, agg);
    else out[i] = lerp(agg / views.length, plain[i]!, o.beta);
  }
  return out;
}
