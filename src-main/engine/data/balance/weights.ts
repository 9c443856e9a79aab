// Per-class loss weights against class imbalance.
import { DEFAULT_BETA, type BalanceConfig } from './config.js';

/** How many samples carry each label 0…numClasses-1. */
export function classCounts(labels: readonly number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) {
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) {
      throw new RangeError(`label ${l} is not a class index in [0, ${numClasses})`);
    }
    counts[l]!++;
  }
  return counts;
}

/**
 * scikit-learn's class_weight="balanced" (sklearn.utils.class_weight.compute_class_weight):
 * w_c = n_samples / (n_classes · count_c), so every class contributes the same total weight and
 * the mean weight per sample is 1. A class with no samples gets weight 0 (it never reaches the
 * loss) and does not count in n_classes; scikit-learn refuses such a class outright.
 */
export function inverseFrequencyWeights(counts: readonly number[]): number[] {
  const present = counts.filter((n) => n > 0).length;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((n) => (n > 0 ? total / (present * n) : 0));
}

/**
 * Cui, Jia, Lin, Song & Belongie, "Class-Balanced Loss Based on Effective Number of Samples",
 * CVPR 2019, eq. (3)–(4): the effective number of a class of n samples is E_n = (1 - β^n) / (1 - β),
 * its weight w_c = 1 / E_n = (1 - β) / (1 - β^n), normalised so the weights sum to n_classes (as
 * in the authors' code, class_balanced_loss.py). β = 0 weighs every class 1; β → 1 tends to
 * inverse frequency. Classes with no samples: weight 0, not counted (see inverseFrequencyWeights).
 */
export function effectiveNumberWeights(counts: readonly number[], beta = DEFAULT_BETA): number[] {
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`beta must be >= 0 and < 1, got ${beta}`);
  // 1 - β^n as -expm1(n·ln β), with ln β = log1p(β - 1) (β - 1 is exact): no cancellation for β
  // near 1 and small n, where 1 - β^n is tiny.
  const raw = counts.map((n) => (n > 0 ? (beta === 0 ? 1 : (1 - beta) / -Math.expm1(n * Math.log1p(beta - 1))) : 0));
  const present = counts.filter((n) => n > 0).length;
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => (w * present) / sum);
}

/** The loss weight of each class under a balance config (all 1 for "none"). */
export function classWeights(
  counts: readonly number[],
  config: Pick<BalanceConfig, 'classWeights' | 'beta'>,
): number[] {
  switch (config.classWeights) {
    case 'none':
      return counts.map(() => 1);
    case 'inverse':
      return inverseFrequencyWeights(counts);
    case 'effective':
      return effectiveNumberWeights(counts, config.beta ?? DEFAULT_BETA);
  }
}
