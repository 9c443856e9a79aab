// A sweep's results: each trial's parameters, status and validation metric (its best epoch),
// ranked; the curves for the Sweeps view; the best trial's run config, ready for `anneal train`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { summarizeRun, type RunSummary } from '../runs/index.js';
import { metricMode } from './config.js';
import { runCurve } from './median.js';
import { readSweepMeta, SWEEP_FILES, trialFile, trialStatus, type SweepMeta, type TrialStatus } from './store.js';

export interface TrialResult {
  index: number;
  params: Record<string, unknown>;
  status: TrialStatus;
  runDir: string | null;
  epochs: number;
  /** The best value of the sweep's metric over the trial's epochs; null before its first. */
  value: number | null;
  /** The metric per epoch. */
  curve: number[];
  /** 1 for the best trial; null for trials with no value yet. */
  rank: number | null;
}

export interface SweepResults {
  dir: string;
  meta: SweepMeta;
  metric: string;
  mode: 'max' | 'min';
  /** Best first; trials without a value last, by index. */
  trials: TrialResult[];
  counts: Record<TrialStatus, number>;
  best: { index: number; value: number; config: Record<string, unknown> } | null;
}

export function sweepResults(sweepDir: string): SweepResults {
  const meta = readSweepMeta(sweepDir);
  const metric = meta.config.metric;
  const mode = metricMode(metric);
  const counts: Record<TrialStatus, number> = {
    pending: 0,
    running: 0,
    done: 0,
    stopped: 0,
    interrupted: 0,
    failed: 0,
    killed: 0,
  };
  const trials: TrialResult[] = meta.trials.map(({ index, params }) => {
    const { status, runDir, epochs } = trialStatus(sweepDir, index);
    counts[status] += 1;
    const curve = runDir ? runCurve(runDir, metric) : [];
    const value = curve.length ? (mode === 'max' ? Math.max(...curve) : Math.min(...curve)) : null;
    return { index, params, status, runDir, epochs, value, curve, rank: null };
  });
  const better = (a: number, b: number) => (mode === 'max' ? b - a : a - b);
  trials.sort((a, b) =>
    a.value === null || b.value === null
      ? (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || a.index - b.index
      : better(a.value, b.value) || a.index - b.index,
  );
  trials.forEach((t, i) => (t.rank = t.value === null ? null : i + 1));
  const top = trials[0];
  const best =
    top && top.value !== null
      ? { index: top.index, value: top.value, config: bestRunConfig(sweepDir, top.index) }
      : null;
  return { dir: sweepDir, meta, metric, mode, trials, counts, best };
}

/**
 * The best trial's run config as a config for a fresh run outside the sweep: its values as
 * sampled, without the sweep's name and stopping rule.
 */
export function bestRunConfig(sweepDir: string, index: number): Record<string, unknown> {
  const config = JSON.parse(readFileSync(trialFile(sweepDir, index), 'utf8')) as Record<string, unknown>;
  delete config.medianStopping;
  delete config.name;
  return config;
}

/** One sweep in a list: what the Sweeps view and the Runs screen's groups show. */
export interface SweepListRow {
  id: string;
  dir: string;
  name: string;
  created: string;
  metric: string;
  trials: number;
  counts: Record<TrialStatus, number>;
  best: { index: number; value: number } | null;
  /** Each trial's newest run folder, with the run's summary and the trial's value of the sweep's metric (the Runs screen groups them). */
  runs: { trial: number; value: number | null; run: RunSummary }[];
}

/** The sweeps under `root` (sweeps/), newest first; damaged ones are reported to onSkip and left out. */
export function listSweeps(root: string, onSkip?: (dir: string, reason: string) => void): SweepListRow[] {
  const base = resolve(root);
  if (!existsSync(base)) return [];
  const out: SweepListRow[] = [];
  for (const name of readdirSync(base).sort().reverse()) {
    const dir = join(base, name);
    if (name.startsWith('.') || !existsSync(join(dir, SWEEP_FILES.meta))) continue;
    try {
      const r = sweepResults(dir);
      const runs = r.trials
        .filter((t) => t.runDir !== null)
        .sort((a, b) => a.index - b.index)
        .flatMap((t) => {
          try {
            return [{ trial: t.index, value: t.value, run: summarizeRun(t.runDir!) }];
          } catch {
            return [];
          }
        });
      out.push({
        id: r.meta.id,
        dir,
        name: r.meta.config.name,
        created: r.meta.created,
        metric: r.metric,
        trials: r.trials.length,
        counts: r.counts,
        best: r.best ? { index: r.best.index, value: r.best.value } : null,
        runs,
      });
    } catch (e) {
      onSkip?.(dir, (e as Error).message);
    }
  }
  return out;
}
