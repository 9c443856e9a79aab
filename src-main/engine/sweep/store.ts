// A sweep folder: sweeps/<id>/ with sweep.json (the config and every trial's parameters),
// trials/<n>.json (each a plain run config: `anneal train --config trials/3.json` reproduces trial 3
// alone) and runs/<n>/<run id>/ (the run folder trial n's `anneal train` wrote). Plain files on
// shared storage: a Slurm array task or a Kubernetes pod on any node finds its trial by index.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs/index.js';
import { RUN_FILES, summarizeRun, type RunEvent, type RunStatus } from '../runs/index.js';
import { readRecords } from '../runs/jsonl.js';
import { EVENT_SCHEMAS } from '../runs/records.js';
import { ConfigError } from '../schedules/index.js';
import { parseRunConfig } from '../train/config.js';
import { InputError, type InputErrorKind } from '../errors.js';
import { parseSweepConfig, SweepConfig } from './config.js';
import { drawTrials, isLogScale, setPath, type TrialParams } from './sample.js';

export const SWEEP_FILES = { meta: 'sweep.json', trials: 'trials', runs: 'runs' } as const;

/** A sweep folder (or a file in it) that cannot be read or written as asked. One line. */
export class SweepError extends InputError {
  constructor(message: string, kind: InputErrorKind = 'invalid') {
    super(message, { kind });
    this.name = 'SweepError';
  }
}

export const SweepMeta = z.object({
  format: z.literal('anneal-sweep'),
  version: z.literal(1),
  id: z.string(),
  created: z.string(),
  config: SweepConfig,
  /** Each parameter: whether it was sampled in log space (its axis in the Sweeps view). */
  parameters: z.array(z.object({ path: z.string(), type: z.string(), log: z.boolean() })),
  trials: z.array(z.object({ index: z.number().int().min(0), params: z.record(z.string(), z.unknown()) })),
});
export type SweepMeta = z.infer<typeof SweepMeta>;

export interface CreateSweepOptions {
  /** The folder that holds sweeps (default "sweeps"). */
  root: string;
  /** Overrides the config's trial count (`--trials`). */
  trials?: number;
  /** Overrides base.data (`--data`). */
  data?: string;
  /** Relative paths in base (data, model) are taken from here (default: the working directory). */
  cwd?: string;
  created?: Date;
}

export const trialFile = (sweepDir: string, index: number): string =>
  join(sweepDir, SWEEP_FILES.trials, `${index}.json`);
export const trialRunsDir = (sweepDir: string, index: number): string =>
  join(sweepDir, SWEEP_FILES.runs, String(index));

const absolute = (p: unknown, cwd: string): unknown =>
  typeof p === 'string' && !isAbsolute(p) && (p.startsWith('.') || existsSync(resolve(cwd, p))) ? resolve(cwd, p) : p;

/** The run config of one trial: base with the trial's values, absolute paths, the stopping rule. */
export function trialConfig(
  config: SweepConfig,
  params: TrialParams,
  sweepDir: string,
  id: string,
  index: number,
  cwd = process.cwd(),
): Record<string, unknown> {
  let run: Record<string, unknown> = { ...config.base };
  for (const [path, value] of Object.entries(params)) run = setPath(run, path, value);
  // Absolute, so that a trial runs the same from any working directory on any node.
  run.data = absolute(run.data, cwd);
  run.model = absolute(run.model, cwd);
  if (run.data === undefined) delete run.data;
  if (run.model === undefined) delete run.model;
  run.name = `${id} trial ${index}`;
  if (config.earlyStopping) {
    run.medianStopping = {
      runs: resolve(sweepDir, SWEEP_FILES.runs),
      metric: config.metric,
      graceEpochs: config.earlyStopping.graceEpochs,
      minTrials: config.earlyStopping.minTrials,
    };
  }
  return run;
}

function makeSweepId(name: string, created: Date): string {
  return `${created.toISOString().slice(0, 19).replace(/:/g, '-')}-${name}-${randomBytes(2).toString('hex')}`;
}

/**
 * Draws the trials, checks every one as a run config, and writes the sweep folder, all before
 * anything runs. Written under a temporary name and renamed, so a bad config leaves nothing.
 */
export function createSweep(input: unknown, o: CreateSweepOptions): { dir: string; meta: SweepMeta } {
  const parsed = parseSweepConfig(input);
  const config: SweepConfig = { ...parsed, trials: o.trials ?? parsed.trials };
  if (o.data !== undefined) config.base = { ...config.base, data: o.data };
  const cwd = o.cwd ?? process.cwd();
  if (config.base.data === undefined)
    throw new ConfigError('base.data', 'the dataset is missing: give --data or base.data');
  const drawn = drawTrials(config);
  const created = o.created ?? new Date();
  const id = makeSweepId(config.name, created);
  const root = resolve(o.root);
  const dir = join(root, id);
  const trials = drawn.map((params, index) => {
    const run = trialConfig(config, params, dir, id, index, cwd);
    try {
      parseRunConfig(run);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // A field a parameter set names the parameter; any other the base.
      const param = Object.keys(params).find(
        (p) => e.field === p || e.field.startsWith(`${p}.`) || p.startsWith(`${e.field}.`),
      );
      const field = param ? `parameters.${param}` : `base${e.field ? `.${e.field}` : ''}`;
      throw new ConfigError(
        field,
        `trial ${index} (${JSON.stringify(params)}): ${e.field ? `${e.field}: ` : ''}${e.reason}`,
      );
    }
    return { index, params, run };
  });
  const meta: SweepMeta = {
    format: 'anneal-sweep',
    version: 1,
    id,
    created: created.toISOString(),
    config,
    parameters: Object.entries(config.parameters).map(([path, spec]) => ({
      path,
      type: spec.type,
      log: isLogScale(spec),
    })),
    trials: trials.map(({ index, params }) => ({ index, params })),
  };
  const tmp = join(root, `.${id}.tmp`);
  try {
    mkdirSync(join(tmp, SWEEP_FILES.trials), { recursive: true });
    mkdirSync(join(tmp, SWEEP_FILES.runs), { recursive: true });
    for (const t of trials) writeJsonAtomic(trialFile(tmp, t.index), t.run);
    writeJsonAtomic(join(tmp, SWEEP_FILES.meta), meta);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new SweepError(
      `cannot write the sweep folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return { dir, meta };
}

/** A sweep by folder, or by id under `root`. */
export function resolveSweepDir(ref: string, root = 'sweeps'): string {
  for (const dir of [resolve(ref), resolve(root, ref)]) if (existsSync(join(dir, SWEEP_FILES.meta))) return dir;
  throw new SweepError(`no sweep ${ref}: neither ${resolve(ref)} nor ${resolve(root, ref)} holds a sweep.json`);
}

export function readSweepMeta(sweepDir: string): SweepMeta {
  const path = join(sweepDir, SWEEP_FILES.meta);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SweepError(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = SweepMeta.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SweepError(`${path}: ${issue.path.join('.') || 'the file'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A run's status, 'pending' before it started, 'interrupted' when a person stopped it (Ctrl+C): resumable. */
export type TrialStatus = RunStatus | 'pending' | 'interrupted';

/** A trial's newest run folder (runs/<n>/<run id>/, ids sort by time), or null before it started. */
export function trialRunDir(sweepDir: string, index: number): string | null {
  const dir = trialRunsDir(sweepDir, index);
  if (!existsSync(dir)) return null;
  const runs = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, RUN_FILES.meta)))
    .map((e) => e.name)
    .sort();
  return runs.length ? join(dir, runs.at(-1)!) : null;
}

/** Whether the run's last stop was Ctrl+C (train's 'interrupted (Ctrl+C)'), not a rule's decision. */
function wasInterrupted(runDir: string): boolean {
  const events: RunEvent[] = readRecords(join(runDir, RUN_FILES.events), EVENT_SCHEMAS);
  const stop = events.findLast((e) => e.type === 'stop');
  return typeof stop?.reason === 'string' && stop.reason.startsWith('interrupted');
}

/** Finished trials are not run again: done, or stopped (by the median rule, early stopping, a person). */
export const isFinished = (s: TrialStatus): boolean => s === 'done' || s === 'stopped';

export function trialStatus(
  sweepDir: string,
  index: number,
): { status: TrialStatus; runDir: string | null; epochs: number } {
  const runDir = trialRunDir(sweepDir, index);
  if (!runDir) return { status: 'pending', runDir: null, epochs: 0 };
  try {
    const s = summarizeRun(runDir);
    const status = s.status === 'stopped' && wasInterrupted(runDir) ? 'interrupted' : s.status;
    return { status, runDir, epochs: s.epochs };
  } catch {
    return { status: 'failed', runDir, epochs: 0 };
  }
}
