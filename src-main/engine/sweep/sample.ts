// Drawing trials from a sweep config. Random search samples each parameter independently (Bergstra
// & Bengio 2012, "Random search for hyper-parameter optimization"), rates in log space as seed 002
// recommends; grid search takes the Cartesian product of grid/choice values. Seeded with the data
// sources' mulberry32, so a sweep's seed reproduces its trials exactly.
import { ConfigError } from '../schedules/index.js';
import { mulberry32, type Rng } from '../data/sources/index.js';
import type { ParameterSpec, SweepConfig } from './config.js';

/** Values are rounded to 6 significant digits, so a trial file reads 0.000316228, not 0.00031622776601683794. */
const tidy = (v: number): number => Number(v.toPrecision(6));

/**
 * The 1-3-10 ladder from min to max: 1·10^k and 3·10^k (seed 002: "1e-5, 3e-5, 1e-4, 3e-4, …"),
 * every rung within [min, max] (with a relative tolerance so that 3e-4 given as 0.0003 counts).
 */
export function ladder(min: number, max: number): number[] {
  const out: number[] = [];
  const eps = 1e-9;
  for (let k = Math.floor(Math.log10(min)) - 1; k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of [1, 3]) {
      const v = tidy(m * 10 ** k);
      if (v >= min * (1 - eps) && v <= max * (1 + eps)) out.push(v);
    }
  }
  return out;
}

/** The finite values of a grid or choice parameter. */
export function gridValues(spec: ParameterSpec): unknown[] | null {
  if (spec.type === 'choice') return spec.values;
  if (spec.type === 'grid') return 'values' in spec ? spec.values : ladder(spec.min, spec.max);
  return null;
}

/** Whether a parameter is sampled in log space (the Sweeps view draws its axis logarithmic). */
export function isLogScale(spec: ParameterSpec): boolean {
  return (
    spec.type === 'logUniform' || spec.type === 'oneMinusLogUniform' || (spec.type === 'grid' && !('values' in spec))
  );
}

/** One draw from a parameter's distribution. */
export function sampleParameter(spec: ParameterSpec, rng: Rng): unknown {
  const u = rng();
  switch (spec.type) {
    case 'uniform':
      return tidy(spec.min + u * (spec.max - spec.min));
    case 'logUniform': {
      const lo = Math.log10(spec.min);
      return tidy(10 ** (lo + u * (Math.log10(spec.max) - lo)));
    }
    case 'oneMinusLogUniform': {
      const lo = Math.log10(spec.min);
      return tidy(1 - 10 ** (lo + u * (Math.log10(spec.max) - lo)));
    }
    default: {
      const values = gridValues(spec)!;
      return values[Math.min(values.length - 1, Math.floor(u * values.length))];
    }
  }
}

export type TrialParams = Record<string, unknown>;

/** The parameter values of every trial, in trial order. */
export function drawTrials(config: SweepConfig): TrialParams[] {
  const names = Object.keys(config.parameters).sort();
  if (config.method === 'grid') {
    let rows: TrialParams[] = [{}];
    for (const name of names) {
      const values = gridValues(config.parameters[name]!)!;
      rows = rows.flatMap((row) => values.map((v) => ({ ...row, [name]: v })));
    }
    if (config.trials !== undefined && config.trials > rows.length) {
      throw new ConfigError('trials', `the grid has ${rows.length} points; ask for at most that many`);
    }
    return rows.slice(0, config.trials ?? rows.length);
  }
  if (config.trials === undefined) throw new ConfigError('trials', 'random search needs a number of trials');
  const rng = mulberry32(config.seed);
  const out: TrialParams[] = [];
  // Names in sorted order, so adding a parameter later does not depend on how the JSON was written.
  for (let i = 0; i < config.trials; i++)
    out.push(Object.fromEntries(names.map((n) => [n, sampleParameter(config.parameters[n]!, rng)])));
  return out;
}

/** A copy of `base` with `value` at the dotted `path`; objects on the way are created, others refused. */
export function setPath(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const root = structuredClone(base);
  const keys = path.split('.');
  let cur: Record<string, unknown> = root;
  for (const [i, key] of keys.slice(0, -1).entries()) {
    const next = cur[key];
    if (next === undefined) cur[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new ConfigError(`parameters.${path}`, `${keys.slice(0, i + 1).join('.')} in base is not an object`);
    }
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys.at(-1)!] = value;
  return root;
}
