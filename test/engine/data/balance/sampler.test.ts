// The samplers: balanced draws, permutations, seeded per epoch.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../src-main/engine/data/augment/index.js';
import {
  BalanceConfig,
  balancedIndices,
  epochOrder,
  parseBalanceConfig,
  shuffledIndices,
} from '../../../../src-main/engine/data/balance/index.js';
import { ConfigError } from '../../../../src-main/engine/schedules/index.js';

// 900 / 90 / 10: the long tail a balanced sampler is for.
const labels = [...new Array<number>(900).fill(0), ...new Array<number>(90).fill(1), ...new Array<number>(10).fill(2)];

function perClass(indices: readonly number[]): number[] {
  const counts = [0, 0, 0];
  for (const i of indices) counts[labels[i]!]!++;
  return counts;
}

describe('balancedIndices (WeightedRandomSampler with weights 1 / class count)', () => {
  it('draws each class about equally often over many draws (seeded: exact counts)', () => {
    const idx = balancedIndices(labels, 3, mulberry32(1), 30_000);
    expect(idx).toHaveLength(30_000);
    const counts = perClass(idx);
    // Each class 1/3: 10 000 ± 2σ (σ = 82).
    expect(counts).toEqual([9945, 10069, 9986]);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(164);
  });

  it('draws members of a class uniformly, with replacement', () => {
    const idx = balancedIndices(labels, 3, mulberry32(2), 30_000);
    const rare = new Array<number>(10).fill(0);
    for (const i of idx) if (labels[i] === 2) rare[i - 990]!++;
    // ~1000 each for the 10 rare images.
    for (const n of rare) expect(n).toBeGreaterThan(880);
    expect(rare.reduce((a, b) => a + b, 0)).toBeGreaterThan(9_800);
  });

  it('defaults to one epoch of N draws, skips empty classes, and is seeded', () => {
    expect(balancedIndices(labels, 3, mulberry32(3))).toHaveLength(1000);
    expect(balancedIndices(labels, 3, mulberry32(3))).toEqual(balancedIndices(labels, 3, mulberry32(3)));
    // Classes 1 and 3 have no samples: the two others get half the draws each.
    const small = [0, 0, 2];
    const idx = balancedIndices(small, 4, mulberry32(4), 1000);
    const byLabel = [0, 0, 0, 0];
    for (const i of idx) byLabel[small[i]!]!++;
    expect(byLabel).toEqual([477, 0, 523, 0]);
    expect(balancedIndices([], 3, mulberry32(0))).toEqual([]);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation', () => {
    const p = shuffledIndices(1000, mulberry32(5));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('epochOrder', () => {
  it('depends only on (seed, epoch)', () => {
    const a = epochOrder(labels, 3, { sampler: 'balanced' }, 7, 2);
    expect(epochOrder(labels, 3, { sampler: 'balanced' }, 7, 2)).toEqual(a);
    expect(epochOrder(labels, 3, { sampler: 'balanced' }, 7, 3)).not.toEqual(a);
    expect(epochOrder(labels, 3, { sampler: 'balanced' }, 8, 2)).not.toEqual(a);
    const s = epochOrder(labels, 3, { sampler: 'shuffle' }, 7, 2);
    expect(perClass(s)).toEqual([900, 90, 10]);
    expect(perClass(a).every((n) => n > 250)).toBe(true);
  });
});

describe('BalanceConfig', () => {
  it('defaults to no weights and a plain shuffle', () => {
    expect(parseBalanceConfig({})).toEqual({ classWeights: 'none', sampler: 'shuffle' });
    expect(BalanceConfig.parse({ classWeights: 'effective', beta: 0.99, sampler: 'balanced' })).toEqual({
      classWeights: 'effective',
      beta: 0.99,
      sampler: 'balanced',
    });
  });

  it.each([
    [{ classWeights: 'sqrt' }, 'classWeights: must be one of "none", "inverse", "effective"'],
    [{ sampler: 'oversample' }, 'sampler: must be one of "shuffle", "balanced"'],
    [{ classWeights: 'effective', beta: 1 }, 'beta: must be >= 0 and < 1'],
    [{ classWeights: 'effective', beta: '0.9' }, 'beta: expected number, got "0.9"'],
    [{ classWeights: 'inverse', beta: 0.9 }, 'beta: is only used with "classWeights": "effective" (got "inverse")'],
    [{ weights: 'inverse' }, 'unknown field "weights" (known: classWeights, beta, sampler)'],
    ['inverse', 'expected a JSON object such as {"classWeights": "inverse", "sampler": "shuffle"}'],
  ])('refuses %j: %s', (input, message) => {
    let error: unknown;
    try {
      parseBalanceConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(message);
  });

  it('names the field inside a bigger file', () => {
    expect(() => parseBalanceConfig({ sampler: 1 }, 'balance')).toThrow(/^balance\.sampler: /);
  });
});
