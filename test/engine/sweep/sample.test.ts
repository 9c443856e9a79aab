// The sweep samplers: 10k draws per distribution stay in their bounds and follow it (a one-sample
// Kolmogorov-Smirnov test of log10 values against the uniform law they should have), the 1-3-10
// ladder, grid products, seeded reproducibility, and config errors that name the field.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';
import {
  drawTrials,
  ladder,
  parseSweepConfig,
  sampleParameter,
  setPath,
  type ParameterSpec,
} from '../../../src-main/engine/sweep/index.js';

const N = 10_000;

/** sup |F_n(x) - F(x)| for samples against U(lo, hi) (Kolmogorov 1933; Massey 1951). */
function ksUniform(xs: number[], lo: number, hi: number): number {
  const s = [...xs].sort((a, b) => a - b);
  let d = 0;
  s.forEach((x, i) => {
    const f = (x - lo) / (hi - lo);
    d = Math.max(d, Math.abs((i + 1) / s.length - f), Math.abs(f - i / s.length));
  });
  return d;
}
// The KS critical value at alpha = 0.001 for large n: sqrt(-ln(alpha/2)/2)/sqrt(n) = 1.949/sqrt(n).
const KS_CRIT = 1.949 / Math.sqrt(N);

const draws = (spec: ParameterSpec, seed = 1): number[] => {
  const rng = mulberry32(seed);
  return Array.from({ length: N }, () => sampleParameter(spec, rng) as number);
};

describe('samplers (10k draws each)', () => {
  it('logUniform: 10 ** U(-5, -1) stays in [1e-5, 1e-1] and log10 is uniform (KS)', () => {
    const xs = draws({ type: 'logUniform', min: 1e-5, max: 1e-1 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1e-1);
    const logs = xs.map(Math.log10);
    expect(ksUniform(logs, -5, -1)).toBeLessThan(KS_CRIT);
    // Each decade gets about a quarter: what "uniform in log space" means (a linear uniform would
    // put ~90% in the top decade).
    const top = logs.filter((l) => l > -2).length / N;
    expect(top).toBeGreaterThan(0.22);
    expect(top).toBeLessThan(0.28);
  });

  it('logUniform: a linear-uniform sample fails the same KS test (the test can fail)', () => {
    const rng = mulberry32(1);
    const linear = Array.from({ length: N }, () => 1e-5 + rng() * (1e-1 - 1e-5));
    expect(ksUniform(linear.map(Math.log10), -5, -1)).toBeGreaterThan(KS_CRIT);
  });

  it('oneMinusLogUniform: momentum = 1 - 10 ** U(-3, -1) in [0.9, 0.999], log10(1 - m) uniform', () => {
    const xs = draws({ type: 'oneMinusLogUniform', min: 1e-3, max: 1e-1 }, 7);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...xs)).toBeLessThanOrEqual(0.999);
    // Values are rounded to 6 significant digits, so 1 - m is exact only to ~1e-6 relative to 1.
    expect(
      ksUniform(
        xs.map((m) => Math.log10(1 - m)),
        -3,
        -1,
      ),
    ).toBeLessThan(KS_CRIT + 0.005);
  });

  it('uniform: in [min, max] and uniform (KS)', () => {
    const xs = draws({ type: 'uniform', min: 0.1, max: 0.5 }, 3);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...xs)).toBeLessThanOrEqual(0.5);
    expect(ksUniform(xs, 0.1, 0.5)).toBeLessThan(KS_CRIT);
  });

  it('choice: every value, about equally often', () => {
    const rng = mulberry32(5);
    const counts = new Map<unknown, number>();
    for (let i = 0; i < N; i++) {
      const v = sampleParameter({ type: 'choice', values: [16, 32, 64] }, rng);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([16, 32, 64]);
    for (const c of counts.values()) expect(Math.abs(c / N - 1 / 3)).toBeLessThan(0.02);
  });
});

describe('the 1-3-10 ladder and grids', () => {
  it('is seed 002s coarse grid, ends included', () => {
    expect(ladder(1e-5, 1e-1)).toEqual([1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]);
    expect(ladder(3e-4, 0.003)).toEqual([3e-4, 1e-3, 3e-3]);
    expect(ladder(2e-4, 2e-3)).toEqual([3e-4, 1e-3]);
  });

  it('grid search is the Cartesian product; trials caps it', () => {
    const c = parseSweepConfig({
      base: { data: 'x' },
      method: 'grid',
      parameters: {
        'recipe.baseLr': { type: 'grid', min: 1e-4, max: 1e-3 },
        batchSize: { type: 'choice', values: [16, 32] },
      },
    });
    const t = drawTrials(c);
    expect(t).toHaveLength(6);
    expect(new Set(t.map((p) => JSON.stringify(p))).size).toBe(6);
    expect(drawTrials({ ...c, trials: 4 })).toEqual(t.slice(0, 4));
    expect(() => drawTrials({ ...c, trials: 7 })).toThrow(/trials: the grid has 6 points/);
  });

  it('random search is reproducible from its seed, and another seed differs', () => {
    const c = parseSweepConfig({
      base: {},
      trials: 5,
      seed: 2,
      parameters: { 'optimizer.weightDecay': { type: 'logUniform', min: 1e-7, max: 1e-1 } },
    });
    expect(drawTrials(c)).toEqual(drawTrials(c));
    expect(drawTrials({ ...c, seed: 3 })).not.toEqual(drawTrials(c));
  });
});

describe('sweep config errors name the field', () => {
  const base = { base: { data: 'x' }, trials: 2 };
  it.each([
    [{ ...base, parameters: { lr: { type: 'logUniform', min: 0, max: 1 } } }, /^parameters\.lr\.min: /],
    [
      { ...base, parameters: { lr: { type: 'logUniform', min: 1e-2, max: 1e-4 } } },
      /^parameters\.lr\.max: must be >= min/,
    ],
    [
      { ...base, parameters: { m: { type: 'oneMinusLogUniform', min: 1.5, max: 2 } } },
      /^parameters\.m\.min: must be < 1/,
    ],
    [{ ...base, parameters: { x: { type: 'gaussian' } } }, /^parameters\.x/],
    [{ ...base, parameters: {} }, /^parameters: name at least one/],
    [
      { ...base, method: 'grid', parameters: { lr: { type: 'uniform', min: 0, max: 1 } } },
      /^parameters\.lr\.type: method "grid"/,
    ],
    [{ ...base, trials: 0, parameters: { b: { type: 'choice', values: [1] } } }, /^trials: /],
    [{ ...base, parameters: { b: { type: 'choice', values: [1] } }, bogus: 1 }, /bogus/],
  ])('%j', (input, message) => {
    expect(() => parseSweepConfig(input)).toThrow(message);
  });

  it('setPath makes missing objects and refuses to go through a value', () => {
    expect(setPath({ a: { b: 1 } }, 'a.c.d', 2)).toEqual({ a: { b: 1, c: { d: 2 } } });
    expect(() => setPath({ a: 3 }, 'a.b', 1)).toThrow(/parameters\.a\.b: a in base is not an object/);
  });
});
