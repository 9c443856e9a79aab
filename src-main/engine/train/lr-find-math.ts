// The LR range test's arithmetic (schedules.md "LR range test"; fastai/callback/schedule.py
// LRFinder, and the suggestion functions `minimum`, `steep` and `valley`).

export interface LrFindOptions {
  startLr?: number;
  endLr?: number;
  numIt?: number;
  /** Stop when the smoothed loss exceeds this many times its best (fastai stop_div at 4). */
  divergeFactor?: number;
}

/** The rate of iteration i: exponential from startLr to endLr (fastai SchedExp, pos = i / numIt). */
export function lrAt(i: number, o: Required<Pick<LrFindOptions, 'startLr' | 'endLr' | 'numIt'>>): number {
  return o.startLr * (o.endLr / o.startLr) ** (i / o.numIt);
}

/**
 * fastai AvgSmoothLoss (beta 0.98): an exponential moving average, debiased by 1 - beta^(i+1).
 * Returns the smoothed losses of the given raw ones.
 */
export function smoothLosses(raw: readonly number[], beta = 0.98): number[] {
  let avg = 0;
  return raw.map((l, i) => {
    let smoothed: number;
    [avg, smoothed] = smoothStep(avg, l, i, beta);
    return smoothed;
  });
}

/** One step of AvgSmoothLoss: the new running average, and its debiased value at step i. */
export function smoothStep(avg: number, loss: number, i: number, beta = 0.98): [number, number] {
  const next = beta * avg + (1 - beta) * loss;
  return [next, next / (1 - beta ** (i + 1))];
}

export interface Suggestions {
  /** Rate at the lowest smoothed loss, divided by 10. */
  minimum: number;
  /** Rate where the smoothed loss falls fastest (most negative slope against log rate). */
  steep: number;
  /** fastai's default: the middle of the longest descending stretch. */
  valley: number;
}

/**
 * fastai Learner.lr_find drops the first tenth and the last five points before suggesting
 * (`lrs[num_it//10:-5]`), where the loss is still settling or already exploding.
 */
export function trimForSuggestions(
  lrs: readonly number[],
  losses: readonly number[],
  numIt: number,
): { lrs: number[]; losses: number[] } {
  const from = Math.floor(numIt / 10);
  const to = Math.max(from + 1, lrs.length - 5);
  return { lrs: lrs.slice(from, to), losses: losses.slice(from, to) };
}

export function suggest(lrs: readonly number[], losses: readonly number[]): Suggestions {
  const n = losses.length;
  if (n === 0) throw new Error('no points to suggest a rate from');
  let argmin = 0;
  for (let i = 1; i < n; i++) if (losses[i]! < losses[argmin]!) argmin = i;
  // steep: grads = (l[1:] - l[:-1]) / (log lr[1:] - log lr[:-1]); lrs[argmin(grads)].
  let steepIdx = 0;
  let best = Infinity;
  for (let i = 0; i + 1 < n; i++) {
    const g = (losses[i + 1]! - losses[i]!) / (Math.log(lrs[i + 1]!) - Math.log(lrs[i]!));
    if (g < best) {
      best = g;
      steepIdx = i;
    }
  }
  return { minimum: lrs[argmin]! / 10, steep: lrs[steepIdx]!, valley: lrs[valleyIndex(losses)]! };
}

/** fastai `valley`: longest decreasing subsequence, then 1/3 + 1/6 of the way into it. */
export function valleyIndex(losses: readonly number[]): number {
  const n = losses.length;
  let maxStart = 0;
  let maxEnd = 0;
  const lds = new Array<number>(n).fill(1);
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i]! < losses[j]! && lds[i]! < lds[j]! + 1) lds[i] = lds[j]! + 1;
      if (lds[maxEnd]! < lds[i]!) {
        maxEnd = i;
        maxStart = maxEnd - lds[maxEnd]!;
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  return maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
}
