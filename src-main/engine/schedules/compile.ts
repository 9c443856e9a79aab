// Turns a validated schedule config into a pure function of the optimizer step (and, for
// plateau, of the per-epoch metric history): the preview and training call the same function.
import type { ScheduleConfig } from './config.js';
import { ConfigError } from './errors.js';
import {
  cosineLr,
  cosineRestartsLr,
  cyclicLr,
  exponentialLr,
  inverseTimeLr,
  multiStepLr,
  piecewiseIndex,
  polynomialLr,
  stepLr,
} from './formulas.js';
import { oneCycle } from './one-cycle.js';
import { createPlateau } from './plateau.js';
import { resolveRate } from './rates.js';

export interface ScheduleContext {
  /** Number of layer groups (stem … head); every rate is resolved to one value per group. */
  groups: number;
  stepsPerEpoch: number;
  /** Batch-size scaling factor k (rates.ts `scalingFactor`). */
  k: number;
  /** Length in steps of the fit the schedule drives, when known (a training stage). */
  fitSteps?: number;
}

/** The rate of every group, and the momentum (SGD momentum or Adam beta1) when one sets it. */
export interface ScheduleValue {
  lr: number[];
  momentum: number | null;
}

export interface LrSchedule {
  readonly groups: number;
  /** True when some part cycles momentum (one-cycle with cycleMomentum). */
  readonly cyclesMomentum: boolean;
  /** The metric a plateau schedule watches, or null. */
  readonly monitor: string | null;
  /**
   * Value at global optimizer step `step` (0-based) of the fit. `history` holds the monitored
   * metric of each finished epoch; only plateau reads it.
   */
  at(step: number, history?: readonly number[]): ScheduleValue;
}

type Evaluate = (g: number) => ScheduleValue;
interface Node {
  evaluate: Evaluate;
  cyclesMomentum: boolean;
}

export function compileSchedule(config: ScheduleConfig, ctx: ScheduleContext, path = 'schedule'): LrSchedule {
  if (config.type === 'plateau') {
    const plateau = createPlateau(config, ctx, path);
    return { groups: ctx.groups, cyclesMomentum: false, monitor: config.monitor, at: plateau };
  }
  const node = compileNode(config, ctx, path);
  return {
    groups: ctx.groups,
    cyclesMomentum: node.cyclesMomentum,
    monitor: null,
    at: (step) => usable(node.evaluate(step), step, path),
  };
}

/**
 * Every field is checked on its own (config.ts), but a combination can still leave the range of a
 * learning rate, e.g. exponential growth that overflows to Infinity: refuse it where it happens,
 * naming the schedule, rather than hand an optimizer a rate it cannot use.
 */
function usable(v: ScheduleValue, step: number, path: string): ScheduleValue {
  for (const lr of v.lr) {
    if (!(Number.isFinite(lr) && lr >= 0)) {
      throw new ConfigError(path, `gives the learning rate ${lr} at step ${step}; rates must be finite and >= 0`);
    }
  }
  if (v.momentum !== null && !(v.momentum >= 0 && v.momentum < 1)) {
    throw new ConfigError(path, `gives the momentum ${v.momentum} at step ${step}; momentum must be in [0, 1)`);
  }
  return v;
}

function compileNode(c: ScheduleConfig, ctx: ScheduleContext, path: string): Node {
  const S = ctx.stepsPerEpoch;
  const unitSteps = c.unit === 'epoch' ? S : 1;
  // x = t + offset, with t the node's own time in its unit (schedules.md, "Time").
  const timeOf = (g: number): number => (c.unit === 'epoch' ? Math.floor(g / S) : g);
  const rate = (field: string, v: Parameters<typeof resolveRate>[0]): number[] =>
    resolveRate(v, ctx.groups, ctx.k, `${path}.${field}`);
  const perGroup = (f: (group: number, x: number) => number): Node => ({
    cyclesMomentum: false,
    evaluate: (g) => {
      const x = timeOf(g) + c.offset;
      return { lr: Array.from({ length: ctx.groups }, (_, i) => f(i, x)), momentum: null };
    },
  });

  switch (c.type) {
    case 'constant': {
      const lr = rate('lr', c.lr);
      return perGroup((i) => lr[i]!);
    }
    case 'step': {
      const lr = rate('lr', c.lr);
      return perGroup((i, x) => stepLr(lr[i]!, c.factor, c.every, x));
    }
    case 'multiStep': {
      const lr = rate('lr', c.lr);
      return perGroup((i, x) => multiStepLr(lr[i]!, c.milestones, c.factor, x));
    }
    case 'piecewise': {
      const values = c.values.map((v, j) => rate(`values[${j}]`, v));
      return perGroup((i, x) => values[piecewiseIndex(c.boundaries, x)]![i]!);
    }
    case 'exponential': {
      const lr = rate('lr', c.lr);
      return perGroup((i, x) => exponentialLr(lr[i]!, c.decayRate, c.decaySteps, c.staircase, x));
    }
    case 'inverseTime': {
      const lr = rate('lr', c.lr);
      return perGroup((i, x) => inverseTimeLr(lr[i]!, c.decayRate, c.decaySteps, c.staircase, x));
    }
    case 'polynomial': {
      const lr = rate('lr', c.lr);
      const end = rate('endLr', c.endLr);
      return perGroup((i, x) => polynomialLr(lr[i]!, end[i]!, c.decaySteps, c.power, c.cycle, x));
    }
    case 'cosine': {
      const lr = rate('lr', c.lr);
      const target = c.warmupTarget === null ? null : rate('warmupTarget', c.warmupTarget);
      return perGroup((i, x) => cosineLr(lr[i]!, c.decaySteps, c.alpha, c.warmupSteps, target ? target[i]! : null, x));
    }
    case 'cosineRestarts': {
      const lr = rate('lr', c.lr);
      return perGroup((i, x) => cosineRestartsLr(lr[i]!, c.firstDecaySteps, c.tMul, c.mMul, c.alpha, x));
    }
    case 'cyclic': {
      const lo = rate('baseLr', c.baseLr);
      const hi = rate('maxLr', c.maxLr);
      const down = c.stepSizeDown ?? c.stepSizeUp;
      return perGroup((i, x) => cyclicLr(lo[i]!, hi[i]!, c.stepSizeUp, down, c.mode, c.gamma, x));
    }
    case 'oneCycle': {
      const maxLr = rate('maxLr', c.maxLr);
      const totalSteps = c.totalSteps ?? ctx.fitSteps;
      if (totalSteps === undefined) throw new ConfigError(`${path}.totalSteps`, 'is required');
      return {
        cyclesMomentum: c.cycleMomentum,
        evaluate: (g) => {
          const x = timeOf(g) + c.offset;
          const values = maxLr.map((m) => oneCycle({ ...c, maxLr: m, totalSteps }, x));
          return {
            lr: values.map((v) => v.lr),
            // Momentum is not rate-valued, so every group shares it.
            momentum: c.cycleMomentum ? values[0]!.momentum : null,
          };
        },
      };
    }
    case 'warmup': {
      // Gradual warm-up (Goyal et al. 2017, section 2.2): ramp from startFactor × the inner
      // schedule's first value, then run the inner schedule from its own time 0.
      const inner = compileNode(c.inner, remainingFit(ctx, c.steps * unitSteps), `${path}.inner`);
      const first = inner.evaluate(0);
      const startFactor = c.startFactor ?? (ctx.k > 1 ? 1 / ctx.k : 0.1);
      const L = c.steps;
      return {
        cyclesMomentum: inner.cyclesMomentum,
        evaluate: (g) => {
          const t = timeOf(g);
          if (t >= L) return inner.evaluate(g - L * unitSteps);
          const f = startFactor + ((1 - startFactor) * (t + c.offset)) / L;
          return { lr: first.lr.map((v) => v * f), momentum: first.momentum };
        },
      };
    }
    case 'sequential': {
      // PyTorch SequentialLR: part j starts its own time at 0 when it begins; the last part
      // runs on to the end.
      let start = 0;
      const parts = c.parts.map((part, j) => {
        const begin = start;
        start += part.length;
        const partCtx =
          j === c.parts.length - 1
            ? remainingFit(ctx, begin * unitSteps)
            : { ...ctx, fitSteps: part.length * unitSteps };
        return {
          begin: begin * unitSteps,
          node: compileNode(part.schedule, partCtx, `${path}.parts[${j}].schedule`),
        };
      });
      return {
        cyclesMomentum: parts.some((p) => p.node.cyclesMomentum),
        evaluate: (g) => {
          const shifted = g + c.offset * unitSteps;
          let k = 0;
          while (k + 1 < parts.length && parts[k + 1]!.begin <= shifted) k++;
          return parts[k]!.node.evaluate(shifted - parts[k]!.begin);
        },
      };
    }
    case 'plateau':
      throw new ConfigError(`${path}.type`, 'plateau is only allowed at the top level of a schedule');
  }
}

/** The fit left to a nested schedule that starts `used` steps into its parent's fit. */
function remainingFit(ctx: ScheduleContext, used: number): ScheduleContext {
  return { ...ctx, fitSteps: ctx.fitSteps === undefined ? undefined : ctx.fitSteps - used };
}
