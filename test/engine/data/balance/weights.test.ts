// Class weights against hand-computed values of their published formulas.
import { describe, expect, it } from 'vitest';
import {
  classCounts,
  classWeights,
  effectiveNumberWeights,
  inverseFrequencyWeights,
} from '../../../../src-main/engine/data/balance/index.js';

describe('classCounts', () => {
  it('counts labels, including classes with none', () => {
    expect(classCounts([0, 2, 2, 0, 2], 4)).toEqual([2, 0, 3, 0]);
  });
  it('refuses a label outside the classes', () => {
    expect(() => classCounts([0, 3], 3)).toThrow('label 3 is not a class index in [0, 3)');
  });
});

describe('inverse frequency (scikit-learn class_weight="balanced")', () => {
  it('is n_samples / (n_classes · count)', () => {
    // sklearn.utils.class_weight.compute_class_weight('balanced', classes=[0, 1, 2], y) with
    // counts 100, 10, 1: 111 / (3 · 100) = 0.37, 111 / 30 = 3.7, 111 / 3 = 37.
    const w = inverseFrequencyWeights([100, 10, 1]);
    expect(w[0]).toBeCloseTo(0.37, 14);
    expect(w[1]).toBeCloseTo(3.7, 14);
    expect(w[2]).toBeCloseTo(37, 12);
    // Each class then carries the same total weight, n_samples / n_classes.
    expect([100, 10, 1].map((n, c) => n * w[c]!)).toEqual([37, 37, 37].map((v) => expect.closeTo(v, 12)));
  });

  it('is 1 for every class of a balanced dataset', () => {
    expect(inverseFrequencyWeights([5, 5, 5, 5])).toEqual([1, 1, 1, 1]);
  });

  it('gives an empty class 0 and leaves it out of n_classes', () => {
    // 20 samples over the 2 classes present: 20 / (2 · 15), 20 / (2 · 5).
    const w = inverseFrequencyWeights([15, 0, 5]);
    expect(w[0]).toBeCloseTo(2 / 3, 14);
    expect(w[1]).toBe(0);
    expect(w[2]).toBeCloseTo(2, 14);
  });
});

describe('effective number of samples (Cui et al. 2019)', () => {
  it('is (1 - β) / (1 - β^n), normalised to sum to n_classes', () => {
    // β = 0.9, counts 100, 10, 1 (Cui et al., eq. 3–4, and their class_balanced_loss.py):
    // 1 - 0.9^100 = 0.9999734379, 1 - 0.9^10 = 0.6513215599, 1 - 0.9^1 = 0.1, so the raw weights
    // (1 - β) / (1 - β^n) are 0.1000026562, 0.1535339933, 1 (sum 1.2535366495), and normalised
    // to sum 3: 0.2393292360, 0.3674419731, 2.3932287909.
    const w = effectiveNumberWeights([100, 10, 1], 0.9);
    expect(w[0]).toBeCloseTo(0.239329236, 9);
    expect(w[1]).toBeCloseTo(0.3674419731, 9);
    expect(w[2]).toBeCloseTo(2.3932287909, 9);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 14);
  });

  it('defaults to β = 0.9999, where weights lie between uniform and inverse frequency', () => {
    const counts = [5000, 500, 50];
    const w = effectiveNumberWeights(counts);
    expect(w).toEqual(effectiveNumberWeights(counts, 0.9999));
    // β = 0.9999: 1 - β^5000 = 0.3934845044, 1 - β^500 = 0.0487729537, 1 - β^50 = 0.0049877696.
    const raw = [0.3934845044, 0.0487729537, 0.0049877696].map((e) => 1e-4 / e);
    const s = raw.reduce((a, b) => a + b, 0);
    raw.forEach((r, c) => expect(w[c]).toBeCloseTo((3 * r) / s, 8));
    const inv = inverseFrequencyWeights(counts);
    expect(w[2]! / w[0]!).toBeGreaterThan(1);
    expect(w[2]! / w[0]!).toBeLessThan(inv[2]! / inv[0]!);
  });

  it('is uniform at β = 0 and tends to inverse frequency as β → 1', () => {
    expect(effectiveNumberWeights([100, 10, 1], 0)).toEqual([1, 1, 1]);
    const near = effectiveNumberWeights([100, 10, 1], 1 - 1e-12);
    const inv = inverseFrequencyWeights([100, 10, 1]);
    const invNorm = inv.map((v) => (3 * v) / inv.reduce((a, b) => a + b, 0));
    near.forEach((v, c) => expect(v).toBeCloseTo(invNorm[c]!, 6));
  });

  it('gives an empty class 0 and refuses β outside [0, 1)', () => {
    expect(effectiveNumberWeights([10, 0, 10], 0.99)).toEqual([1, 0, 1]);
    expect(() => effectiveNumberWeights([1], 1)).toThrow('beta must be >= 0 and < 1');
  });
});

describe('classWeights', () => {
  it('dispatches on the config', () => {
    expect(classWeights([3, 1], { classWeights: 'none' })).toEqual([1, 1]);
    expect(classWeights([3, 1], { classWeights: 'inverse' })).toEqual(inverseFrequencyWeights([3, 1]));
    expect(classWeights([3, 1], { classWeights: 'effective' })).toEqual(effectiveNumberWeights([3, 1], 0.9999));
    expect(classWeights([3, 1], { classWeights: 'effective', beta: 0.5 })).toEqual(effectiveNumberWeights([3, 1], 0.5));
  });
});
