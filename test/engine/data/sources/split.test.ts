// stratifiedSplit: per class, seeded, deterministic; disjoint and complete; every class with two
// or more files in both parts; stable when other classes change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  mulberry32,
  namedSeed,
  shuffleInPlace,
  stratifiedSplit,
  valCount,
} from '../../../../src-main/engine/data/sources/index.js';
import type { Dataset, Sample } from '../../../../src-main/engine/data/types.js';

function dataset(counts: Record<string, number>): Pick<Dataset, 'classes' | 'samples'> {
  const classes = Object.keys(counts);
  const samples: Sample[] = classes.flatMap((c, label) =>
    Array.from({ length: counts[c]! }, (_, i) => ({ path: `/d/${c}/${i}.png`, label })),
  );
  return { classes, samples };
}

const paths = (s: readonly Sample[]) => s.map((x) => x.path);

describe('mulberry32 and seeds', () => {
  it('is deterministic, uniform-looking, in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 10_000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });

  it('namedSeed separates names and seeds, including seeds above 2^32', () => {
    const seeds = new Set([
      namedSeed(1, 'cat'),
      namedSeed(1, 'dog'),
      namedSeed(2, 'cat'),
      namedSeed(2 ** 32 + 1, 'cat'),
    ]);
    expect(seeds.size).toBe(4);
  });

  it('shuffleInPlace permutes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer(), (xs, seed) => {
        const out = shuffleInPlace([...xs], mulberry32(seed));
        expect([...out].sort()).toEqual([...xs].sort());
      }),
    );
  });
});

describe('stratifiedSplit', () => {
  it('holds out round(n × fraction) per class, at least 1, at most n − 1', () => {
    expect([1, 2, 3, 5, 10, 11, 100].map((n) => valCount(n, 0.2))).toEqual([0, 1, 1, 1, 2, 2, 20]);
    expect(valCount(2, 0.9)).toBe(1);
    const ds = dataset({ ant: 10, bee: 3, cow: 1, dog: 100 });
    const s = stratifiedSplit(ds, { seed: 7 });
    const per = (list: Sample[]) => ds.classes.map((_, c) => list.filter((x) => x.label === c).length);
    expect(per(s.val)).toEqual([2, 1, 0, 20]);
    expect(per(s.train)).toEqual([8, 2, 1, 80]);
    expect(s).toMatchObject({ method: 'stratified', seed: 7, valFraction: 0.2 });
  });

  it('is disjoint and complete, keeps labels, and keeps dataset order within each part (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (counts, seed, valFraction) => {
          const ds = dataset(Object.fromEntries(counts.map((n, i) => [`c${i}`, n])));
          const s = stratifiedSplit(ds, { seed, valFraction });
          const all = [...paths(s.train), ...paths(s.val)];
          expect(new Set(all).size).toBe(all.length);
          expect(all.sort()).toEqual(paths(ds.samples).sort());
          const labelOf = new Map(ds.samples.map((x) => [x.path, x.label]));
          for (const x of [...s.train, ...s.val]) expect(x.label).toBe(labelOf.get(x.path));
          const order = new Map(ds.samples.map((x, i) => [x.path, i]));
          for (const part of [s.train, s.val]) {
            const idx = part.map((x) => order.get(x.path)!);
            expect(idx).toEqual([...idx].sort((a, b) => a - b));
          }
          counts.forEach((n, c) => {
            const v = s.val.filter((x) => x.label === c).length;
            expect(v).toBe(valCount(n, valFraction));
            if (n >= 2) expect(n - v).toBeGreaterThanOrEqual(1);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is deterministic for a seed, differs between seeds', () => {
    const ds = dataset({ cat: 50, dog: 50 });
    expect(stratifiedSplit(ds, { seed: 1 })).toEqual(stratifiedSplit(ds, { seed: 1 }));
    expect(paths(stratifiedSplit(ds, { seed: 1 }).val)).not.toEqual(paths(stratifiedSplit(ds, { seed: 2 }).val));
  });

  it("adding a class leaves the other classes' split unchanged", () => {
    const before = stratifiedSplit(dataset({ cat: 30, dog: 30 }), { seed: 5 });
    const after = stratifiedSplit(dataset({ ant: 12, cat: 30, dog: 30 }), { seed: 5 });
    const without = (list: Sample[]) => paths(list).filter((p) => !p.includes('/ant/'));
    expect(without(after.val)).toEqual(paths(before.val));
    expect(without(after.train)).toEqual(paths(before.train));
  });

  it('refuses a fraction outside (0, 1), a bad seed, or a label outside the classes', () => {
    const ds = dataset({ cat: 5 });
    for (const valFraction of [0, 1, -0.1, Number.NaN]) {
      expect(() => stratifiedSplit(ds, { seed: 1, valFraction })).toThrow(DataError);
    }
    expect(() => stratifiedSplit(ds, { seed: 1.5 })).toThrow(/seed must be a whole number/);
    expect(() => stratifiedSplit({ classes: ['a'], samples: [{ path: 'x', label: 3 }] }, { seed: 1 })).toThrow(
      /has label 3/,
    );
  });
});
