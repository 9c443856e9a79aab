// Runs side by side, from their folders alone: the sortable list, one run in detail, and one
// metric of several runs per global epoch (what `anneal runs list|show|compare` print and plot).
import { resolve } from 'node:path';
import {
  higherIsBetter,
  RunStore,
  summarizeRun,
  type EpochRecord,
  type RunEvent,
  type RunMeta,
  type RunSummary,
} from '../runs/index.js';
import { parseScheduleFile } from '../schedules/index.js';
import { EvalError } from './errors.js';

export const COMPARE_METRICS = ['val_accuracy', 'val_loss', 'accuracy', 'loss'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

/** Columns `runs list --sort` takes. */
export const RUN_SORT_COLUMNS = [
  'id',
  'arch',
  'status',
  'epochs',
  'time',
  'loss',
  'acc',
  'val_loss',
  'val_acc',
  'best_val_acc',
] as const;
export type RunSortColumn = (typeof RUN_SORT_COLUMNS)[number];

function sortKey(r: RunSummary, column: RunSortColumn): string | number | null {
  switch (column) {
    case 'id':
    case 'arch':
    case 'status':
      return r[column];
    case 'epochs':
      return r.epochs;
    case 'time':
      return r.seconds;
    case 'loss':
      return r.final?.loss ?? null;
    case 'acc':
      return r.final?.accuracy ?? null;
    case 'val_loss':
      return r.final?.val_loss ?? null;
    case 'val_acc':
      return r.final?.val_accuracy ?? null;
    case 'best_val_acc':
      return r.best?.val_accuracy ?? null;
  }
}

/** Sorted by `column` (ties by id, so creation order); runs without the value last either way. */
export function sortRuns(runs: readonly RunSummary[], column: RunSortColumn, desc = false): RunSummary[] {
  const sign = desc ? -1 : 1;
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return [...runs].sort((a, b) => {
    const ka = sortKey(a, column);
    const kb = sortKey(b, column);
    if (ka === null || kb === null) return ka === kb ? cmp(a.id, b.id) : ka === null ? 1 : -1;
    return sign * cmp(ka, kb) || cmp(a.id, b.id);
  });
}

/** The runs with the highest final val_accuracy (several on a tie), for marking in a list. */
export function bestRunIds(runs: readonly RunSummary[]): Set<string> {
  const values = runs.map((r) => r.final?.val_accuracy).filter((v): v is number => typeof v === 'number');
  if (!values.length) return new Set();
  const top = Math.max(...values);
  return new Set(runs.filter((r) => r.final?.val_accuracy === top).map((r) => r.id));
}

/** One record per global epoch (the last, should a file hold two), in epoch order. */
function byEpoch(records: readonly EpochRecord[]): EpochRecord[] {
  const m = new Map<number, EpochRecord>();
  for (const r of records) m.set(r.epoch, r);
  return [...m.values()].sort((a, b) => a.epoch - b.epoch);
}

/**
 * Stage names from the run's config (fine_tune: frozen, unfrozen), or "stage i" if it cannot say;
 * with the stage's image size where it gives one (progressive resizing): "unfrozen (48 px)".
 */
export function stageNames(meta: RunMeta): string[] {
  try {
    return parseScheduleFile(meta.config).stages.map((s) => (s.imageSize ? `${s.name} (${s.imageSize} px)` : s.name));
  } catch {
    return [];
  }
}

export interface RunDetail {
  meta: RunMeta;
  summary: RunSummary;
  stages: string[];
  epochs: EpochRecord[];
  events: RunEvent[];
}

/** Everything `runs show` prints; a missing or foreign folder is a RunStoreError. */
export function describeRun(runDir: string): RunDetail {
  const store = RunStore.open(runDir);
  return {
    meta: store.meta,
    summary: summarizeRun(store.dir),
    stages: stageNames(store.meta),
    epochs: byEpoch(store.readMetrics().epochs),
    events: store.readEvents(),
  };
}

export interface RunSeries {
  id: string;
  dir: string;
  /** Short name for tables and legends: the id without its timestamp where that stays unique. */
  label: string;
  arch: string;
  status: RunSummary['status'];
  seconds: number;
  /** The metric per global epoch (0-based, as in metrics.jsonl); null where it was not measured. */
  points: { epoch: number; value: number | null }[];
  /** The best value of the metric and its epoch (the first, on a tie). */
  best: { epoch: number; value: number } | null;
  final: number | null;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-/;

/** Ids without their leading timestamp, unless that makes two alike. */
export function shortLabels(ids: readonly string[]): string[] {
  const short = ids.map((id) => id.replace(TIMESTAMP, '') || id);
  return new Set(short).size === short.length ? short : [...ids];
}

export function compareRuns(runDirs: readonly string[], metric: CompareMetric): RunSeries[] {
  const seen = new Set<string>();
  for (const d of runDirs) {
    const abs = resolve(d);
    if (seen.has(abs)) throw new EvalError(`${d} is given twice`);
    seen.add(abs);
  }
  const runs = runDirs.map((d) => {
    const store = RunStore.open(d);
    return { store, summary: summarizeRun(store.dir), epochs: byEpoch(store.readMetrics().epochs) };
  });
  const labels = shortLabels(runs.map((r) => r.store.id));
  const better = higherIsBetter(metric);
  return runs.map(({ store, summary, epochs }, i) => {
    const points = epochs.map((e) => ({ epoch: e.epoch, value: e[metric] }));
    let best: RunSeries['best'] = null;
    for (const p of points) {
      if (p.value === null) continue;
      if (!best || (better ? p.value > best.value : p.value < best.value)) best = { epoch: p.epoch, value: p.value };
    }
    return {
      id: store.id,
      dir: store.dir,
      label: labels[i]!,
      arch: summary.arch,
      status: summary.status,
      seconds: summary.seconds,
      points,
      best,
      final: points.at(-1)?.value ?? null,
    };
  });
}
