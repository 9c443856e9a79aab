// `--executor local`: the trials as child processes on this machine, at most `concurrency` at once
// (default one per device: trials on one GPU only slow each other). Each child is one
// `anneal train --config trials/<i>.json --out runs/<i>` (or `anneal resume` of the trial's killed
// run), its output appended to runs/<i>/trial.log. Resume: an interrupted sweep run again skips
// finished trials (done, or stopped by a rule), waits for ones still running (a child of a killed
// sweep lives on), resumes killed ones from their checkpoint, and starts the rest.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { isFinished, readSweepMeta, trialFile, trialRunsDir, trialStatus, type TrialStatus } from './store.js';

export interface LocalOptions {
  /** The command that runs Anneal, e.g. [process.execPath, '<checkout>/bin/anneal.js']. */
  anneal: readonly string[];
  concurrency?: number;
  /** How often a trial that another process runs is looked at (ms). */
  pollMs?: number;
  onEvent?: (e: LocalEvent) => void;
  /** Set to stop: no new trial starts; running children get SIGINT (they checkpoint and stop). */
  signal?: AbortSignal;
}

export type LocalEvent =
  | { kind: 'skip'; index: number; status: TrialStatus }
  | { kind: 'start'; index: number; resume: boolean; pid: number }
  | { kind: 'wait'; index: number }
  | { kind: 'end'; index: number; status: TrialStatus; code: number | null };

export interface LocalSummary {
  trials: number;
  /** Trials this call started or resumed. */
  ran: number[];
  /** Finished before this call: not run again. */
  skipped: number[];
  statuses: Record<number, TrialStatus>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLocal(sweepDir: string, o: LocalOptions): Promise<LocalSummary> {
  const meta = readSweepMeta(sweepDir);
  const concurrency = Math.max(1, o.concurrency ?? meta.config.concurrency);
  const pollMs = o.pollMs ?? 2000;
  const summary: LocalSummary = { trials: meta.trials.length, ran: [], skipped: [], statuses: {} };
  const queue = meta.trials.map((t) => t.index);
  const children = new Set<ReturnType<typeof spawn>>();
  const onAbort = () => {
    for (const c of children) c.kill('SIGINT');
  };
  o.signal?.addEventListener('abort', onAbort);

  const runOne = async (index: number): Promise<void> => {
    const before = trialStatus(sweepDir, index);
    if (isFinished(before.status)) {
      summary.skipped.push(index);
      summary.statuses[index] = before.status;
      o.onEvent?.({ kind: 'skip', index, status: before.status });
      return;
    }
    if (before.status === 'running') {
      // A child of an earlier, killed sweep is still training this trial: wait, do not start another.
      o.onEvent?.({ kind: 'wait', index });
      while (trialStatus(sweepDir, index).status === 'running' && !o.signal?.aborted) await sleep(pollMs);
      const after = trialStatus(sweepDir, index);
      summary.statuses[index] = after.status;
      o.onEvent?.({ kind: 'end', index, status: after.status, code: null });
      return;
    }
    if (o.signal?.aborted) return;
    // A killed or interrupted run continues from its checkpoint; a failed or absent one starts afresh.
    const resume = (before.status === 'killed' || before.status === 'interrupted') && before.runDir !== null;
    const outDir = trialRunsDir(sweepDir, index);
    mkdirSync(outDir, { recursive: true });
    const args = resume
      ? ['resume', before.runDir!]
      : ['train', '--config', trialFile(sweepDir, index), '--out', outDir];
    const log = openSync(join(outDir, 'trial.log'), 'a');
    const [cmd, ...pre] = o.anneal;
    // Its own process group: a terminal's Ctrl+C reaches only the sweep, which passes one SIGINT on
    // (two would make `anneal train` quit at once instead of checkpointing and stopping).
    const child = spawn(cmd!, [...pre, ...args], { stdio: ['ignore', log, log], cwd: sweepDir, detached: true });
    closeSync(log);
    children.add(child);
    summary.ran.push(index);
    o.onEvent?.({ kind: 'start', index, resume, pid: child.pid ?? -1 });
    const code = await new Promise<number | null>((res) => {
      child.on('error', () => res(null));
      child.on('exit', (c) => res(c));
    });
    children.delete(child);
    const after = trialStatus(sweepDir, index);
    summary.statuses[index] = after.status;
    o.onEvent?.({ kind: 'end', index, status: after.status, code });
  };

  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (o.signal?.aborted) return;
      await runOne(next);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  return summary;
}
