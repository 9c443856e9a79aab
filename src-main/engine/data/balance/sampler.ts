// Which samples an epoch visits, in what order. Both samplers are seeded per epoch, so an epoch's
// order depends only on (seed, epoch), never on what ran before it.
import { deriveSeed, mulberry32, permutation, type Rng } from '../augment/rng.js';
import type { BalanceConfig } from './config.js';
import { classCounts } from './weights.js';

/**
 * N draws with replacement, each sample picked with probability ∝ 1 / count(its class): torch's
 * WeightedRandomSampler(weights = 1 / class_count[label], num_samples = N, replacement=True).
 * Every class then has total probability 1 / n_present, so it is drawn as two steps: a class
 * uniformly among those with samples, then a member uniformly (2 draws per index). The same
 * distribution, in O(1) per draw, with no cumulative sums to lose precision.
 */
export function balancedIndices(labels: readonly number[], numClasses: number, rng: Rng, n = labels.length): number[] {
  const counts = classCounts(labels, numClasses);
  const members: number[][] = counts.map(() => []);
  labels.forEach((l, i) => members[l]!.push(i));
  const present = members.filter((m) => m.length > 0);
  if (present.length === 0) return [];
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const m = present[Math.floor(rng() * present.length)]!;
    out[k] = m[Math.floor(rng() * m.length)]!;
  }
  return out;
}

/** Every index once, in random order (torch's RandomSampler without replacement): n-1 draws. */
export function shuffledIndices(n: number, rng: Rng): number[] {
  return permutation(n, rng);
}

/**
 * The sample indices of one epoch under a balance config: a permutation ("shuffle") or N balanced
 * draws ("balanced"), from mulberry32(deriveSeed(seed, epoch)).
 */
export function epochOrder(
  labels: readonly number[],
  numClasses: number,
  config: Pick<BalanceConfig, 'sampler'>,
  seed: number,
  epoch: number,
): number[] {
  const rng = mulberry32(deriveSeed(seed, epoch));
  return config.sampler === 'balanced' ? balancedIndices(labels, numClasses, rng) : shuffledIndices(labels.length, rng);
}
