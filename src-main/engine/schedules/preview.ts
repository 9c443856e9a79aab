// The schedule preview (schedules.md, "Output of the schedule preview command"): every step's
// rate per group and momentum, from the same compiled functions training calls.
import { compileSchedule, type LrSchedule } from './compile.js';
import { ConfigError } from './errors.js';
import type { SchedulePlan } from './plan.js';
import { scalingFactor } from './rates.js';

export interface PreviewOptions {
  /** Epochs to preview; defaults to the plan's total when every stage has a length. */
  epochs?: number | undefined;
  stepsPerEpoch: number;
  groups?: number | undefined;
  /** Overrides the config's batchSize for lrScaling. */
  batchSize?: number | undefined;
  /** Per-epoch values of the monitored metric, for plateau. */
  metrics?: readonly number[] | undefined;
}

export interface SchedulePreview {
  step: number[];
  epoch: number[];
  lr: number[][];
  momentum: (number | null)[] | null;
}

export interface CompiledStage {
  name: string;
  freeze: 'backbone' | 'none';
  /** First epoch of the stage, counted across stages from 0. */
  startEpoch: number;
  epochs: number;
  schedule: LrSchedule;
}

/** Compiles every stage of a plan for a model of `groups` layer groups. */
export function compilePlan(
  plan: SchedulePlan,
  opts: { stepsPerEpoch: number; groups: number; batchSize?: number | undefined; epochs?: number | undefined },
): CompiledStage[] {
  const k = scalingFactor(plan.lrScaling, opts.batchSize ?? plan.batchSize);
  let start = 0;
  return plan.stages.map((s) => {
    // A lone `schedule` spans the whole preview; a stage is a fit of its own length.
    const epochs = s.epochs > 0 ? s.epochs : (opts.epochs ?? 0);
    const fitSteps = s.epochs > 0 ? s.epochs * opts.stepsPerEpoch : undefined;
    const ctx = { groups: opts.groups, stepsPerEpoch: opts.stepsPerEpoch, k, fitSteps };
    const stage: CompiledStage = {
      name: s.name,
      freeze: s.freeze,
      startEpoch: start,
      epochs,
      schedule: compileSchedule(s.schedule, ctx, s.path),
    };
    start += epochs;
    return stage;
  });
}

export function previewSchedule(plan: SchedulePlan, opts: PreviewOptions): SchedulePreview {
  const S = opts.stepsPerEpoch;
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(S) || S < 1) throw new ConfigError('stepsPerEpoch', 'must be a whole number >= 1');
  if (!Number.isInteger(groups) || groups < 1) throw new ConfigError('groups', 'must be a whole number >= 1');
  const planned = plan.stages.every((s) => s.epochs > 0) ? plan.stages.reduce((n, s) => n + s.epochs, 0) : undefined;
  const E = opts.epochs ?? planned;
  if (E === undefined) throw new ConfigError('epochs', 'is required to preview a single schedule');
  if (!Number.isInteger(E) || E < 1) throw new ConfigError('epochs', 'must be a whole number >= 1');

  const stages = compilePlan(plan, { stepsPerEpoch: S, groups, batchSize: opts.batchSize, epochs: E });
  const metrics = opts.metrics ?? [];
  const out: SchedulePreview = { step: [], epoch: [], lr: [], momentum: [] };
  let anyMomentum = false;
  for (let g = 0; g < E * S; g++) {
    const epoch = Math.floor(g / S);
    // The stage in force: the last one that has started (the last runs on past its end).
    let i = 0;
    while (i + 1 < stages.length && stages[i + 1]!.startEpoch <= epoch) i++;
    const stage = stages[i]!;
    const local = g - stage.startEpoch * S;
    const v = stage.schedule.at(local, metrics.slice(stage.startEpoch));
    anyMomentum ||= stage.schedule.cyclesMomentum;
    out.step.push(g);
    out.epoch.push(epoch);
    out.lr.push(v.lr);
    out.momentum!.push(v.momentum);
  }
  if (!anyMomentum) out.momentum = null;
  return out;
}

/** CSV: `step,epoch,lr_0,…,lr_{N-1}[,momentum]`, an empty momentum cell where none is set. */
export function previewToCsv(p: SchedulePreview): string {
  const groups = p.lr[0]?.length ?? 0;
  const header = ['step', 'epoch', ...Array.from({ length: groups }, (_, i) => `lr_${i}`)];
  if (p.momentum) header.push('momentum');
  const rows = [header.join(',')];
  for (let i = 0; i < p.step.length; i++) {
    const cells = [p.step[i], p.epoch[i], ...p.lr[i]!].map(String);
    if (p.momentum) cells.push(p.momentum[i] === null ? '' : String(p.momentum[i]));
    rows.push(cells.join(','));
  }
  return rows.join('\n') + '\n';
}
