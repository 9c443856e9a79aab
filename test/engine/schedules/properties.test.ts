// Invariants of the schedule library over random configs (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScheduleFile, previewSchedule, resolveRate, SCHEDULE_TYPES } from '../../../src-main/engine/index.js';

const rate = fc.double({ min: 1e-7, max: 1, noNaN: true });
const small = fc.integer({ min: 1, max: 12 });

/** A random valid config of every non-plateau leaf type, rates non-negative. */
const leaf = fc.oneof(
  fc.record({ type: fc.constant('constant'), lr: rate }),
  fc.record({
    type: fc.constant('step'),
    lr: rate,
    factor: fc.double({ min: 0, minExcluded: true, max: 1, noNaN: true }),
    every: small,
  }),
  fc.record({
    type: fc.constant('multiStep'),
    lr: rate,
    milestones: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
    factor: fc.double({ min: 0, minExcluded: true, max: 1, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('exponential'),
    lr: rate,
    decayRate: fc.double({ min: 0.01, max: 1, noNaN: true }),
    decaySteps: small,
    staircase: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('inverseTime'),
    lr: rate,
    decayRate: fc.double({ min: 0, max: 5, noNaN: true }),
    decaySteps: small,
  }),
  fc.record({
    type: fc.constant('polynomial'),
    lr: rate,
    endLr: fc.constant(0),
    decaySteps: small,
    power: fc.double({ min: 0.5, max: 3, noNaN: true }),
    cycle: fc.constantFrom('none', 'keras', 'restart'),
  }),
  fc.record({
    type: fc.constant('cosine'),
    lr: rate,
    decaySteps: small,
    alpha: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('cosineRestarts'),
    lr: rate,
    firstDecaySteps: small,
    tMul: fc.constantFrom(1, 1.5, 2),
    mMul: fc.double({ min: 0.1, max: 1, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('cyclic'),
    baseLr: fc.constant(1e-4),
    maxLr: rate,
    stepSizeUp: small,
    stepSizeDown: small,
  }),
  fc.record({
    type: fc.constant('oneCycle'),
    maxLr: rate,
    totalSteps: fc.integer({ min: 4, max: 60 }),
    pctStart: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
    convention: fc.constantFrom('fastai', 'pytorch'),
  }),
);

const schedule = fc.oneof(
  { weight: 3, arbitrary: leaf },
  fc.record({ type: fc.constant('warmup'), steps: small, inner: leaf }),
  fc.record({
    type: fc.constant('sequential'),
    parts: fc.array(fc.record({ schedule: leaf, length: small }), { minLength: 1, maxLength: 3 }),
  }),
);

describe('schedule invariants', () => {
  it('every type of the contract is known', () => {
    expect(SCHEDULE_TYPES).toHaveLength(14);
  });

  it('a preview of E epochs has E×S rows, one rate per group, no negative or non-finite rate', () => {
    fc.assert(
      fc.property(schedule, small, small, fc.integer({ min: 1, max: 5 }), (s, E, S, N) => {
        const p = previewSchedule(parseScheduleFile({ schedule: s }), { epochs: E, stepsPerEpoch: S, groups: N });
        expect(p.step).toHaveLength(E * S);
        expect(p.epoch).toHaveLength(E * S);
        expect(p.lr).toHaveLength(E * S);
        for (const row of p.lr) {
          expect(row).toHaveLength(N);
          for (const v of row) {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
        }
        if (p.momentum) expect(p.momentum).toHaveLength(E * S);
      }),
      { numRuns: 300 },
    );
  });

  it('one-cycle peaks at maxLr at the end of the warm-up phase, and never above it', () => {
    fc.assert(
      fc.property(
        rate,
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 19 }),
        fc.constantFrom('fastai', 'pytorch'),
        (maxLr, quarter, upSteps, convention) => {
          const total = quarter * 20;
          const up = Math.min(upSteps * quarter, total - 2);
          const pctStart = up / total;
          const p = previewSchedule(
            parseScheduleFile({ schedule: { type: 'oneCycle', maxLr, totalSteps: total, pctStart, convention } }),
            { epochs: 1, stepsPerEpoch: total },
          );
          const lr = p.lr.map((r) => r[0]!);
          // fastai reaches maxLr at pos == pctStart; torch at step pctStart*T - 1.
          const peakStep = convention === 'fastai' ? up : up - 1;
          expect(lr[peakStep]).toBeCloseTo(maxLr, 12);
          for (const v of lr) expect(v).toBeLessThanOrEqual(maxLr * (1 + 1e-12));
          expect(Math.max(...p.momentum!.map(Number))).toBeLessThanOrEqual(0.95 + 1e-12);
          expect(Math.min(...p.momentum!.map(Number))).toBeCloseTo(0.85, 12);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('slice spacing is geometric: every neighbour ratio is (hi/lo)^(1/(N-1))', () => {
    fc.assert(
      fc.property(rate, fc.double({ min: 1, max: 1e4, noNaN: true }), fc.integer({ min: 2, max: 8 }), (lo, mult, n) => {
        const lr = resolveRate({ slice: [lo, lo * mult] }, n, 1, 'lr');
        const ratio = mult ** (1 / (n - 1));
        expect(lr[0]).toBeCloseTo(lo, 15);
        expect(lr[n - 1]! / (lo * mult)).toBeCloseTo(1, 12);
        for (let i = 1; i < n; i++) expect(lr[i]! / lr[i - 1]!).toBeCloseTo(ratio, 9);
      }),
    );
  });

  it('warm-up is continuous where it ends: its ramp reaches the inner first value at x = L', () => {
    fc.assert(
      fc.property(leaf, fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), (inner, L, sf) => {
        const p = previewSchedule(
          parseScheduleFile({ schedule: { type: 'warmup', steps: L, startFactor: sf, inner } }),
          {
            epochs: 1,
            stepsPerEpoch: L + 1,
          },
        );
        const first = p.lr[L]![0]!;
        const last = p.lr[L - 1]![0]!;
        // One more ramp step from the last warm-up value lands exactly on the inner's time-0 value.
        expect(last + (first * (1 - sf)) / L).toBeCloseTo(first, 12);
        for (let i = 1; i < L; i++) expect(p.lr[i]![0]!).toBeGreaterThanOrEqual(p.lr[i - 1]![0]!);
      }),
      { numRuns: 200 },
    );
  });

  it('the preview is a pure function: the same config gives the same numbers bit for bit', () => {
    fc.assert(
      fc.property(schedule, small, small, (s, E, S) => {
        const a = previewSchedule(parseScheduleFile({ schedule: s }), { epochs: E, stepsPerEpoch: S, groups: 2 });
        const b = previewSchedule(parseScheduleFile(structuredClone({ schedule: s })), {
          epochs: E,
          stepsPerEpoch: S,
          groups: 2,
        });
        expect(Object.is(JSON.stringify(a), JSON.stringify(b))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
