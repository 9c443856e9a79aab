// Reduce-on-plateau as a pure function of (step, metric history): PyTorch ReduceLROnPlateau.step
// replayed over the finished epochs, so a preview with the same metrics equals training.
import type { PlateauSchedule } from './config.js';
import type { ScheduleContext, ScheduleValue } from './compile.js';
import { resolveRate } from './rates.js';
import type { z } from 'zod';

type Plateau = z.infer<typeof PlateauSchedule>;

/** torch `ReduceLROnPlateau` ignores changes smaller than eps = 1e-8. */
const EPS = 1e-8;

export interface PlateauState {
  lr: number[];
  best: number;
  bad: number;
  cooldownLeft: number;
}

export function plateauInitial(lr: number[], mode: 'min' | 'max'): PlateauState {
  return { lr: [...lr], best: mode === 'min' ? Infinity : -Infinity, bad: 0, cooldownLeft: 0 };
}

/** One epoch's update, after the epoch's value of the monitored metric is known. */
export function plateauStep(c: Plateau, minLr: readonly number[], s: PlateauState, a: number): PlateauState {
  const { mode, thresholdMode: tm, threshold: th } = c;
  const better =
    mode === 'min'
      ? tm === 'rel'
        ? a < s.best * (1 - th)
        : a < s.best - th
      : tm === 'rel'
        ? a > s.best * (1 + th)
        : a > s.best + th;
  let { best, bad, cooldownLeft } = s;
  let lr = s.lr;
  if (better) {
    best = a;
    bad = 0;
  } else {
    bad += 1;
  }
  if (cooldownLeft > 0) {
    cooldownLeft -= 1;
    bad = 0;
  }
  if (bad > c.patience) {
    lr = lr.map((old, i) => {
      const next = Math.max(old * c.factor, minLr[i]!);
      return old - next > EPS ? next : old;
    });
    cooldownLeft = c.cooldown;
    bad = 0;
  }
  return { lr, best, bad, cooldownLeft };
}

export function createPlateau(
  c: Plateau,
  ctx: ScheduleContext,
  path: string,
): (step: number, history?: readonly number[]) => ScheduleValue {
  const lr0 = resolveRate(c.lr, ctx.groups, ctx.k, `${path}.lr`);
  const minLr = resolveRate(c.minLr, ctx.groups, ctx.k, `${path}.minLr`);
  // states[e] = state in force during epoch e; grown on demand, reset if the history changes.
  let states: PlateauState[] = [plateauInitial(lr0, c.mode)];
  let seen: number[] = [];
  return (step, history = []) => {
    const epoch = Math.floor(step / ctx.stepsPerEpoch);
    const known = Math.min(epoch, history.length);
    for (let i = 0; i < Math.min(known, seen.length); i++) {
      if (!Object.is(seen[i], history[i])) {
        states = states.slice(0, i + 1);
        seen = seen.slice(0, i);
        break;
      }
    }
    while (states.length <= known) {
      const i = states.length - 1;
      states.push(plateauStep(c, minLr, states[i]!, history[i]!));
      seen[i] = history[i]!;
    }
    return { lr: [...states[known]!.lr], momentum: null };
  };
}
