// The schedule formulas for one layer group at time x (= t + offset), exactly as
// shared/docs/schedules.md states them. Each cites the library whose semantics it follows.

/** PyTorch StepLR: lr0 * factor^floor(x / every). */
export function stepLr(lr0: number, factor: number, every: number, x: number): number {
  return lr0 * factor ** Math.floor(x / every);
}

/** PyTorch MultiStepLR: one factor for each milestone already reached (repeats count twice). */
export function multiStepLr(lr0: number, milestones: readonly number[], factor: number, x: number): number {
  let n = 0;
  for (const m of milestones) if (m <= x) n++;
  return lr0 * factor ** n;
}

/** Keras PiecewiseConstantDecay: values[0] while x <= b[0], values[i] while b[i-1] < x <= b[i]. */
export function piecewiseIndex(boundaries: readonly number[], x: number): number {
  for (let i = 0; i < boundaries.length; i++) if (x <= boundaries[i]!) return i;
  return boundaries.length;
}

/** Keras ExponentialDecay. */
export function exponentialLr(
  lr0: number,
  decayRate: number,
  decaySteps: number,
  staircase: boolean,
  x: number,
): number {
  const p = staircase ? Math.floor(x / decaySteps) : x / decaySteps;
  return lr0 * decayRate ** p;
}

/** Keras InverseTimeDecay (the legacy Keras `decay=` argument is decaySteps = 1). */
export function inverseTimeLr(
  lr0: number,
  decayRate: number,
  decaySteps: number,
  staircase: boolean,
  x: number,
): number {
  const p = staircase ? Math.floor(x / decaySteps) : x / decaySteps;
  return lr0 / (1 + decayRate * p);
}

export type PolynomialCycle = 'none' | 'keras' | 'restart';

/**
 * Keras PolynomialDecay; cycle "keras" is its `cycle=True`, "restart" the seed articles'
 * sawtooth that jumps back to lr0 every decaySteps.
 */
export function polynomialLr(
  lr0: number,
  endLr: number,
  decaySteps: number,
  power: number,
  cycle: PolynomialCycle,
  x: number,
): number {
  let s: number;
  let d = decaySteps;
  if (cycle === 'none') {
    s = Math.min(x, decaySteps);
  } else if (cycle === 'keras') {
    d = decaySteps * Math.max(1, Math.ceil(x / decaySteps));
    s = x;
  } else {
    // Python's `x % d` (non-negative for d > 0); JS `%` is exact (fmod) but keeps x's sign.
    const r = x % decaySteps;
    s = r < 0 ? r + decaySteps : r;
  }
  return (lr0 - endLr) * (1 - s / d) ** power + endLr;
}

/** Keras CosineDecay, its optional linear warm-up included. */
export function cosineLr(
  lr0: number,
  decaySteps: number,
  alpha: number,
  warmupSteps: number,
  warmupTarget: number | null,
  x: number,
): number {
  const decay = (from: number, at: number): number => {
    const s = Math.min(at, decaySteps);
    const c = 0.5 * (1 + Math.cos((Math.PI * s) / decaySteps));
    return from * ((1 - alpha) * c + alpha);
  };
  if (warmupSteps > 0 && warmupTarget !== null) {
    if (x < warmupSteps) return lr0 + ((warmupTarget - lr0) * x) / warmupSteps;
    return decay(warmupTarget, x - warmupSteps);
  }
  return decay(lr0, x);
}

/** Keras CosineDecayRestarts (SGDR, Loshchilov & Hutter 2017). */
export function cosineRestartsLr(
  lr0: number,
  firstDecaySteps: number,
  tMul: number,
  mMul: number,
  alpha: number,
  x: number,
): number {
  let f = x / firstDecaySteps;
  let i: number;
  if (tMul === 1) {
    i = Math.floor(f);
    f = f - i;
  } else {
    i = Math.floor(Math.log(1 - f * (1 - tMul)) / Math.log(tMul));
    const sum = (1 - tMul ** i) / (1 - tMul);
    f = (f - sum) / tMul ** i;
  }
  return lr0 * ((1 - alpha) * 0.5 * mMul ** i * (1 + Math.cos(Math.PI * f)) + alpha);
}

export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

/** PyTorch CyclicLR (Smith 2017), scale applied per cycle or, for exp_range, per step. */
export function cyclicLr(
  baseLr: number,
  maxLr: number,
  stepSizeUp: number,
  stepSizeDown: number,
  mode: CyclicMode,
  gamma: number,
  x: number,
): number {
  const total = stepSizeUp + stepSizeDown;
  const r = stepSizeUp / total;
  const cycle = Math.floor(1 + x / total);
  const u = 1 + x / total - cycle;
  const s = u <= r ? u / r : (u - 1) / (r - 1);
  const h = (maxLr - baseLr) * s;
  if (mode === 'triangular') return baseLr + h;
  if (mode === 'triangular2') return baseLr + h / 2 ** (cycle - 1);
  return baseLr + h * gamma ** x;
}

/** torch OneCycleLR `_annealing_cos`: from a to b as p goes 0 → 1. */
export function cosAnneal(a: number, b: number, p: number): number {
  return b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1);
}

/** fastai SchedCos / sched_cos (fastai/callback/schedule.py). */
export function fastaiCos(a: number, b: number, p: number): number {
  return a + ((1 + Math.cos(Math.PI * (1 - p))) * (b - a)) / 2;
}

export function linAnneal(a: number, b: number, p: number): number {
  return a + (b - a) * p;
}
