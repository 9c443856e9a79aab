// The median stopping rule (Golovin et al. 2017, "Google Vizier: A Service for Black-Box
// Optimization", KDD, section 3.2.2): a trial is stopped at step s if its best objective value by
// step s is strictly worse than the median of the other trials' running averages of the objective
// up to step s. Here a step is an epoch and the objective the validation metric. The paper takes
// completed trials; a sweep runs trials side by side on several nodes, so any sibling that has
// reported epoch s counts (as Optuna's MedianPruner does), once at least `minTrials` have.
// Siblings are read from their metrics.jsonl in the shared sweep folder: no server is involved.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EpochRecord, RUN_FILES } from '../runs/index.js';
import { readRecords } from '../runs/jsonl.js';

export interface MedianRule {
  mode: 'max' | 'min';
  /** Epochs (0-based index below which) the rule never stops a trial. */
  graceEpochs: number;
  minTrials: number;
}

export interface MedianVerdict {
  stop: boolean;
  best: number;
  median: number | null;
  siblings: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Whether the trial whose metric per epoch is `own` should stop after epoch `own.length - 1`. */
export function medianStoppingVerdict(
  own: readonly number[],
  siblings: readonly (readonly number[])[],
  rule: MedianRule,
): MedianVerdict | null {
  const s = own.length - 1;
  if (s < 0) return null;
  const best = rule.mode === 'max' ? Math.max(...own) : Math.min(...own);
  if (s < rule.graceEpochs) return null;
  const averages = siblings
    .filter((c) => c.length > s)
    .map((c) => c.slice(0, s + 1).reduce((a, b) => a + b, 0) / (s + 1));
  if (averages.length < rule.minTrials) return { stop: false, best, median: null, siblings: averages.length };
  const m = median(averages);
  const stop = rule.mode === 'max' ? best < m : best > m;
  return { stop, best, median: m, siblings: averages.length };
}

const isEpochLine = (text: string): boolean => /"type"\s*:\s*"epoch"/.test(text);

/** The metric per epoch of one run folder (null values and unreadable lines left out). */
export function runCurve(runDir: string, metric: string): number[] {
  const path = join(runDir, RUN_FILES.metrics);
  if (!existsSync(path)) return [];
  try {
    const epochs = readRecords(path, { epoch: EpochRecord }, isEpochLine);
    const out: number[] = [];
    for (const e of epochs) {
      const v = (e as Record<string, unknown>)[metric];
      if (typeof v !== 'number') break;
      out[e.epoch] = v;
    }
    return out.filter((v) => v !== undefined);
  } catch {
    // A sibling being written or damaged says nothing; the rule waits for others.
    return [];
  }
}

/**
 * Every run folder under a sweep's runs/ folder (runs/<trial>/<run id>/), but `exclude`: the
 * siblings of a trial. A trial with several runs (restarted) counts once, with its newest.
 */
export function siblingRunDirs(runsDir: string, exclude: string): string[] {
  const root = resolve(runsDir);
  if (!existsSync(root)) return [];
  const own = resolve(exclude);
  const out: string[] = [];
  for (const trial of readdirSync(root, { withFileTypes: true })) {
    if (!trial.isDirectory()) continue;
    const trialDir = join(root, trial.name);
    const runs = readdirSync(trialDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(trialDir, e.name, RUN_FILES.meta)))
      .map((e) => join(trialDir, e.name))
      .sort();
    if (runs.some((r) => r === own)) continue;
    if (runs.length) out.push(runs.at(-1)!);
  }
  return out;
}
