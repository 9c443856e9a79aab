// Per-group rates and batch-size scaling (shared/docs/schedules.md, "Rates per layer group" and
// "Batch-size scaling").
import type { LrScaling, RateValue } from './config.js';
import { ConfigError } from './errors.js';

/**
 * fastai `even_mults(start, stop, n)` (fastai/torch_core.py): n rates spaced geometrically from
 * start to stop; n = 1 gives stop.
 */
export function evenMults(lo: number, hi: number, n: number): number[] {
  if (n === 1) return [hi];
  return Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
}

/**
 * One rate per group. `k` is the batch-size scaling factor, applied to the field's numbers
 * "before anything else", so a slice is scaled at its bounds and then spread.
 */
export function resolveRate(value: RateValue, groups: number, k: number, path: string): number[] {
  if (typeof value === 'number') return Array.from({ length: groups }, () => value * k);
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new ConfigError(
        path,
        `has ${value.length} per-group values but the model has ${groups} layer group${groups === 1 ? '' : 's'}`,
      );
    }
    return value.map((v) => v * k);
  }
  const s = value.slice;
  if (s.length === 1) {
    // fastai Optimizer.set_hyper with slice(hi): every group but the last gets hi/10.
    const hi = s[0] * k;
    return Array.from({ length: groups }, (_, i) => (i === groups - 1 ? hi : hi / 10));
  }
  return evenMults(s[0] * k, s[1] * k, groups);
}

/** k for a batch of `batchSize` (Goyal et al. 2017, "Accurate, Large Minibatch SGD"). */
export function scalingFactor(scaling: LrScaling | undefined, batchSize: number | undefined): number {
  if (!scaling || scaling.rule === 'none') return 1;
  if (batchSize === undefined) {
    throw new ConfigError('lrScaling', `rule "${scaling.rule}" needs the batch size: set batchSize`);
  }
  const ratio = batchSize / scaling.baseBatch;
  return scaling.rule === 'linear' ? ratio : Math.sqrt(ratio);
}
