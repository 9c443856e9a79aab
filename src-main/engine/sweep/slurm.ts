// `--executor slurm`: the sweep as one Slurm job array (slurm.schedmd.com/job_array.html): task i
// runs trial i, `--array=0-N%K` keeps at most K trials running at once. Anneal writes the script
// and hands it to sbatch; Slurm schedules. The only coupling between nodes is the shared sweep
// folder, where each task writes its run folder and reads its siblings' metrics (median rule).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../fs/index.js';
import { shellQuote, trialCommand } from './shell.js';
import { SweepError, trialStatus, type SweepMeta, type TrialStatus } from './store.js';

export const SLURM_FILES = { script: 'sweep.sbatch', logs: 'slurm', job: 'slurm.json' } as const;

export interface SlurmOptions {
  /** The command that runs Anneal on a compute node, e.g. ['/usr/bin/node', '/opt/anneal/bin/anneal.js']. */
  anneal: readonly string[];
  /** Trials running at once (the array's %K; default the sweep's concurrency). */
  concurrency?: number;
  partition?: string;
  /** GPUs per trial (--gres=gpu:N), 0 for none. */
  gpus?: number;
  cpusPerTask?: number;
  /** Wall-clock limit per trial (--time, e.g. "02:00:00"). */
  time?: string;
}

/** The sbatch script: one array task per trial. */
export function sbatchScript(sweepDir: string, meta: SweepMeta, o: SlurmOptions): string {
  const n = meta.trials.length;
  const k = Math.min(n, o.concurrency ?? meta.config.concurrency);
  const directives = [
    `--job-name=anneal-${meta.config.name}`,
    `--array=0-${n - 1}%${k}`,
    `--output=${join(sweepDir, SLURM_FILES.logs, '%A_%a.out')}`,
    `--chdir=${sweepDir}`,
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.gpus ? [`--gres=gpu:${o.gpus}`] : []),
    ...(o.cpusPerTask ? [`--cpus-per-task=${o.cpusPerTask}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
  ];
  for (const d of directives) {
    // #SBATCH lines are not shell: a space would end the option.
    if (/\s/.test(d)) throw new SweepError(`slurm: ${d}: #SBATCH options cannot hold spaces (move the sweep folder)`);
  }
  return [
    '#!/bin/bash',
    `# Anneal sweep ${meta.id}: ${n} trials, at most ${k} at once. Written by \`anneal sweep --executor slurm\`;`,
    '# submit with `sbatch sweep.sbatch`, follow with `anneal sweep status`. Task i trains trials/<i>.json.',
    ...directives.map((d) => `#SBATCH ${d}`),
    'set -euo pipefail',
    `exec ${trialCommand(o.anneal, sweepDir, 'SLURM_ARRAY_TASK_ID')}`,
    '',
  ].join('\n');
}

export function writeSbatch(sweepDir: string, meta: SweepMeta, o: SlurmOptions): string {
  const path = join(sweepDir, SLURM_FILES.script);
  mkdirSync(join(sweepDir, SLURM_FILES.logs), { recursive: true });
  writeFileAtomic(path, sbatchScript(sweepDir, meta, o));
  return path;
}

/** Whether a program is on PATH (sbatch, squeue, sacct). */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, program)));
}

/** Submits the script; returns Slurm's job id, also kept in slurm.json for `sweep status`. */
export function submitSbatch(sweepDir: string, extraArgs: readonly string[] = []): string {
  const script = join(sweepDir, SLURM_FILES.script);
  const r = spawnSync('sbatch', ['--parsable', ...extraArgs, script], { encoding: 'utf8' });
  if (r.error) throw new SweepError(`sbatch: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  if (r.status !== 0)
    throw new SweepError(`sbatch refused ${script}: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}`);
  // --parsable prints "jobid" or "jobid;cluster".
  const jobId = r.stdout.trim().split(';')[0]!;
  if (!/^\d+$/.test(jobId)) throw new SweepError(`sbatch printed no job id: ${r.stdout.trim()}`);
  writeJsonAtomic(join(sweepDir, SLURM_FILES.job), { jobId, submitted: new Date().toISOString() });
  return jobId;
}

export const sbatchCommand = (sweepDir: string): string => `sbatch ${shellQuote(join(sweepDir, SLURM_FILES.script))}`;

/**
 * squeue's %i for array tasks: "123_4" (one task), "123_[5-7,9%2]" (pending tasks, compressed).
 * Returns task index → state.
 */
export function parseSqueue(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*\d+_(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, tasks, state] = m;
    const body = tasks!.replace(/^\[/, '').replace(/\]$/, '').replace(/%\d+$/, '');
    for (const part of body.split(',')) {
      const [a, b] = part.split('-').map(Number);
      if (!Number.isInteger(a)) continue;
      for (let i = a!; i <= (Number.isInteger(b) ? b! : a!); i++) out.set(i, state!);
    }
  }
  return out;
}

/** sacct -P (JobID|State): "123_4|COMPLETED"; steps ("123_4.batch") are left out. */
export function parseSacct(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+_(\d+)\|([A-Z_]+)/.exec(line.trim());
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

export interface SlurmTrialStatus {
  index: number;
  /** From the run folder: pending (none yet), running, done, stopped, failed, killed. */
  status: TrialStatus;
  epochs: number;
  /** What Slurm says of the task (squeue, else sacct), or null when it says nothing. */
  slurm: string | null;
}

export interface SlurmStatus {
  jobId: string | null;
  trials: SlurmTrialStatus[];
  /** Why squeue/sacct said nothing, if they could not be asked. */
  notes: string[];
}

/** `anneal sweep status` for a Slurm sweep: squeue (live tasks), sacct (ended ones) and the run folders. */
export function slurmStatus(sweepDir: string, meta: SweepMeta): SlurmStatus {
  const notes: string[] = [];
  const jobPath = join(sweepDir, SLURM_FILES.job);
  const jobId = existsSync(jobPath) ? (JSON.parse(readFileSync(jobPath, 'utf8')) as { jobId: string }).jobId : null;
  let queue = new Map<number, string>();
  let acct = new Map<number, string>();
  if (!jobId) notes.push('not submitted by Anneal (no slurm.json): statuses from the run folders only');
  else {
    if (onPath('squeue')) {
      const r = spawnSync('squeue', ['-h', '-r', '-j', jobId, '-o', '%i %T'], { encoding: 'utf8' });
      if (r.status === 0) queue = parseSqueue(r.stdout);
      else notes.push(`squeue: ${(r.stderr || '').trim().split('\n')[0]}`);
    } else notes.push('squeue is not on PATH');
    if (onPath('sacct')) {
      const r = spawnSync('sacct', ['-n', '-P', '-X', '-j', jobId, '--format=JobID,State'], { encoding: 'utf8' });
      if (r.status === 0) acct = parseSacct(r.stdout);
      // Without an accounting database sacct fails: the run folders still tell how trials ended.
      else notes.push(`sacct: ${(r.stderr || '').trim().split('\n')[0]}`);
    }
  }
  const trials = meta.trials.map(({ index }) => {
    const t = trialStatus(sweepDir, index);
    const slurm = queue.get(index) ?? acct.get(index) ?? null;
    // A task running on another node looks killed from here (its pid is not on this machine).
    const status = slurm === 'RUNNING' && t.status === 'killed' ? 'running' : t.status;
    return { index, status, epochs: t.epochs, slurm };
  });
  return { jobId, trials, notes };
}
