// The runs folder at a glance: one summary per run, from run.json, the epoch records and the events.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCheckpointInfo } from './checkpoint.js';
import { readRecords } from './jsonl.js';
import { isProcessAlive } from './liveness.js';
import { EpochRecord, EVENT_SCHEMAS, type RunEvent } from './records.js';
import { BEST_CHECKPOINT, RUN_FILES } from './layout.js';
import { readRunMeta } from './meta.js';
import { cutSteps, type EpochCutSteps } from './partial.js';

export type RunStatus = 'running' | 'done' | 'stopped' | 'failed' | 'killed';

export interface RunSummary {
  id: string;
  dir: string;
  created: string;
  arch: string;
  /** Epoch records in metrics.jsonl. */
  epochs: number;
  /** The epoch of checkpoints/best/, else the epoch with the lowest val_loss. */
  best: { epoch: number; val_accuracy: number | null; val_loss: number | null } | null;
  /** The last epoch record. */
  final: {
    epoch: number;
    loss: number | null;
    accuracy: number | null;
    val_loss: number | null;
    val_accuracy: number | null;
    /** A stop cut this epoch short: the steps it got through, of its stepsPerEpoch (partialLabel words it). */
    partial?: EpochCutSteps;
  } | null;
  /** Training time: the epochs' seconds added up. */
  seconds: number;
  status: RunStatus;
}

export interface ListRunsOptions {
  /** Told about each folder that has a run.json but cannot be read as a run (the rest are listed). */
  onSkip?: (dir: string, reason: string) => void;
}

const TERMINAL = new Set<string>(['start', 'done', 'stop', 'error']);
// Only epoch lines are parsed: metrics.jsonl is mostly step records, and there may be many runs.
const isEpochLine = (text: string): boolean => /"type"\s*:\s*"epoch"/.test(text);

/**
 * From the last start/done/stop/error event: done, stopped, failed; after a start (or with no
 * such event at all), running while the start event's process lives, else killed.
 */
export function runStatus(events: readonly RunEvent[]): RunStatus {
  const last = events.findLast((e) => TERMINAL.has(e.type));
  switch (last?.type) {
    case 'done':
      return 'done';
    case 'stop':
      return 'stopped';
    case 'error':
      return 'failed';
    case 'start': {
      const { pid, host } = last;
      const alive = typeof pid === 'number' && isProcessAlive(pid, typeof host === 'string' ? host : undefined);
      return alive ? 'running' : 'killed';
    }
    default:
      return 'killed';
  }
}

function bestEpoch(dir: string, epochs: readonly EpochRecord[]): EpochRecord | undefined {
  const bestDir = join(dir, RUN_FILES.checkpoints, BEST_CHECKPOINT);
  if (existsSync(bestDir)) {
    const { epoch } = readCheckpointInfo(bestDir, BEST_CHECKPOINT);
    const record = epochs.findLast((e) => e.epoch === epoch);
    if (record) return record;
  }
  let best: EpochRecord | undefined;
  for (const e of epochs) {
    // An epoch a stop cut short covers part of the data: never the best.
    if (e.partial) continue;
    if (e.val_loss !== null && (best === undefined || e.val_loss < best.val_loss!)) best = e;
  }
  return best;
}

export function summarizeRun(runDir: string): RunSummary {
  const dir = resolve(runDir);
  const meta = readRunMeta(dir);
  const epochs = readRecords(join(dir, RUN_FILES.metrics), { epoch: EpochRecord }, isEpochLine);
  const events = readRecords(join(dir, RUN_FILES.events), EVENT_SCHEMAS);
  const best = bestEpoch(dir, epochs);
  const last = epochs.at(-1);
  return {
    id: meta.id,
    dir,
    created: meta.created,
    arch: meta.arch,
    epochs: epochs.length,
    best: best ? { epoch: best.epoch, val_accuracy: best.val_accuracy, val_loss: best.val_loss } : null,
    final: last
      ? {
          epoch: last.epoch,
          loss: last.loss,
          accuracy: last.accuracy,
          val_loss: last.val_loss,
          val_accuracy: last.val_accuracy,
          ...cutSteps(last),
        }
      : null,
    seconds: epochs.reduce((s, e) => s + e.seconds, 0),
    status: runStatus(events),
  };
}

/**
 * Summaries of the runs in `root`, oldest first (ids sort by creation time). Folders without a
 * run.json are not runs and are passed over; damaged runs are reported to `onSkip` and left out.
 */
export function listRuns(root: string, options: ListRunsOptions = {}): RunSummary[] {
  const base = resolve(root);
  if (!existsSync(base)) return [];
  const out: RunSummary[] = [];
  const names = readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  for (const name of names) {
    const dir = join(base, name);
    if (!existsSync(join(dir, RUN_FILES.meta))) continue;
    try {
      out.push(summarizeRun(dir));
    } catch (e) {
      options.onSkip?.(dir, (e as Error).message);
    }
  }
  return out;
}
