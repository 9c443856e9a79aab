// The 1cycle policy (Smith & Topin 2018) in its two published forms.
import { cosAnneal, fastaiCos, linAnneal } from './formulas.js';

export interface OneCycleParams {
  maxLr: number;
  totalSteps: number;
  pctStart: number;
  divFactor: number;
  finalDivFactor: number;
  anneal: 'cos' | 'linear';
  threePhase: boolean;
  baseMomentum: number;
  maxMomentum: number;
  convention: 'fastai' | 'pytorch';
}

export interface LrMomentum {
  lr: number;
  momentum: number;
}

/** Rate and momentum at time x for one layer group. */
export function oneCycle(p: OneCycleParams, x: number): LrMomentum {
  const initial = p.maxLr / p.divFactor;
  const min = initial / p.finalDivFactor;
  return p.convention === 'pytorch' ? torchOneCycle(p, initial, min, x) : fastaiOneCycle(p, initial, min, x);
}

interface Phase {
  end: number;
  lr: [number, number];
  mom: [number, number];
}

/**
 * torch.optim.lr_scheduler.OneCycleLR.get_lr: walk the phases, take the first whose end step is
 * >= x (or the last, which then extrapolates), anneal by the fraction of it done.
 */
function torchOneCycle(p: OneCycleParams, initial: number, min: number, x: number): LrMomentum {
  const T = p.totalSteps;
  const up = p.pctStart * T - 1;
  const phases: Phase[] = p.threePhase
    ? [
        { end: up, lr: [initial, p.maxLr], mom: [p.maxMomentum, p.baseMomentum] },
        { end: 2 * p.pctStart * T - 2, lr: [p.maxLr, initial], mom: [p.baseMomentum, p.maxMomentum] },
        { end: T - 1, lr: [initial, min], mom: [p.maxMomentum, p.maxMomentum] },
      ]
    : [
        { end: up, lr: [initial, p.maxLr], mom: [p.maxMomentum, p.baseMomentum] },
        { end: T - 1, lr: [p.maxLr, min], mom: [p.baseMomentum, p.maxMomentum] },
      ];
  const anneal = p.anneal === 'cos' ? cosAnneal : linAnneal;
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i]!;
    if (x <= phase.end || i === phases.length - 1) {
      // A phase of zero length (pctStart * T = 1) has nothing to anneal: it sits at its end.
      const span = phase.end - start;
      const pct = span === 0 ? 1 : (x - start) / span;
      return {
        lr: anneal(phase.lr[0], phase.lr[1], pct),
        momentum: anneal(phase.mom[0], phase.mom[1], pct),
      };
    }
    start = phase.end;
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last phase always matches');
}

/**
 * fastai fit_one_cycle: `combined_cos(pct_start, lr_max/div, lr_max, final)` driven by
 * pos = step / total (fastai/callback/schedule.py: combine_scheds, SchedCos). Momentum uses
 * `combined_cos(pct_start, *moms)` with moms = (max, base, max).
 */
function fastaiOneCycle(p: OneCycleParams, initial: number, min: number, x: number): LrMomentum {
  const anneal = p.anneal === 'cos' ? fastaiCos : linAnneal;
  const pos = x / p.totalSteps;
  if (pos < p.pctStart) {
    const q = pos / p.pctStart;
    return { lr: anneal(initial, p.maxLr, q), momentum: anneal(p.maxMomentum, p.baseMomentum, q) };
  }
  const q = (pos - p.pctStart) / (1 - p.pctStart);
  return { lr: anneal(p.maxLr, min, q), momentum: anneal(p.baseMomentum, p.maxMomentum, q) };
}
