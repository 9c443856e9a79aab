// A run folder: runs/<id>/ with run.json, split.json, metrics.jsonl, events.jsonl and
// checkpoints/. Plain files, so that a person can read, plot, copy or archive a run with ordinary
// tools, and a run copied to another machine opens there as it did here.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { onFullDiskAsync, writeFileAtomic, writeJsonAtomic } from '../fs/index.js';
import {
  parseState,
  readCheckpointFiles,
  readCheckpointInfo,
  writeCheckpointFiles,
  type CheckpointData,
  type CheckpointInfo,
  type CheckpointInput,
} from './checkpoint.js';
import { errnoCode, firstIssue, RunStoreError } from './errors.js';
import { cleanTemps, discardDir, linkFiles, swapIntoPlace, syncDir, withTempDir } from './folders.js';
import { appendLine, completeLines, encodeLine, parseLine, readRecords, trimPartialTail } from './jsonl.js';
import { BEST_CHECKPOINT, EPOCH_DIR, epochDirName, RUN_FILES } from './layout.js';
import { makeRunId, readRunMeta, RunMeta, SplitFile, type NewRunMeta } from './meta.js';
import {
  EpochRecord,
  EVENT_SCHEMAS,
  RunEvent,
  StepRecord,
  type EpochInput,
  type RunEventType,
  type StepInput,
} from './records.js';

export interface WriteCheckpointOptions {
  /** Also make this checkpoint checkpoints/best/ (hard links to the epoch's files, or copies). */
  best?: boolean;
  /** false: keep only the newest epoch checkpoint (unless keepLast says more). Default true: keep all. */
  keepEvery?: boolean;
  /** Keep only the newest N epoch checkpoints (N ≥ 1). best/ is never pruned. */
  keepLast?: number;
}

/** The data layer's Split (or anything with train and val samples). */
export interface SplitInput {
  train: readonly { path: string; label: number }[];
  val: readonly { path: string; label: number }[];
  method?: 'stratified' | 'folders';
  seed?: number | null;
  valFraction?: number | null;
  duplicateGroups?: readonly string[][];
}

export interface RunMetrics {
  steps: StepRecord[];
  epochs: EpochRecord[];
}

export class RunStore {
  readonly dir: string;
  readonly meta: RunMeta;
  /** Files this store has checked for a partial last line before appending to them. */
  private readonly trimmed = new Set<string>();

  private constructor(dir: string, meta: RunMeta) {
    this.dir = dir;
    this.meta = meta;
  }

  get id(): string {
    return this.meta.id;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private get checkpointsDir(): string {
    return this.path(RUN_FILES.checkpoints);
  }

  /** Makes root/<new id>/ with run.json (written atomically), empty logs and checkpoints/. */
  static create(root: string, input: NewRunMeta): RunStore {
    const created = input.created ?? new Date();
    const base = resolve(root);
    try {
      mkdirSync(base, { recursive: true });
    } catch (e) {
      throw new RunStoreError(`cannot create ${base}: ${errnoCode(e)}`);
    }
    const { arch, config, seed, versions, backend, dataset } = input;
    const rest: Record<string, unknown> = { ...input };
    delete rest.created;
    // Checked before anything is made, so that bad input leaves no empty run folder behind. The
    // fields are listed to fix their order in run.json: what a person wants first comes first.
    const head = { format: 'anneal-run', version: 1, id: 'x', created: created.toISOString() };
    const checked = RunMeta.safeParse({ ...head, arch, config, seed, versions, backend, dataset, ...rest });
    if (!checked.success) throw new RunStoreError(`run.json: ${firstIssue(checked.error)}`);
    // Reserve a fresh folder: mkdir without `recursive` fails on a name already taken.
    for (let attempt = 0; ; attempt++) {
      const id = makeRunId(arch, created);
      const dir = join(base, id);
      try {
        mkdirSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 20) continue;
        throw new RunStoreError(`cannot create ${dir}: ${errnoCode(e)}`);
      }
      const meta: RunMeta = { ...checked.data, id };
      try {
        writeJsonAtomic(join(dir, RUN_FILES.meta), meta);
        writeFileSync(join(dir, RUN_FILES.metrics), '', { flag: 'a' });
        writeFileSync(join(dir, RUN_FILES.events), '', { flag: 'a' });
        mkdirSync(join(dir, RUN_FILES.checkpoints), { recursive: true });
      } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw new RunStoreError(`cannot write the run folder ${dir}: ${errnoCode(e)}`);
      }
      return new RunStore(dir, meta);
    }
  }

  /** Opens an existing run folder; a foreign or damaged one gives one RunStoreError naming the problem. */
  static open(runDir: string): RunStore {
    return new RunStore(resolve(runDir), readRunMeta(runDir));
  }

  /** split.json: the exact files trained and validated on. */
  writeSplit(split: SplitInput): void {
    // Only path and label: a Split from the data layer carries more than split.json holds.
    const only = (s: SplitInput['train']) => s.map(({ path, label }) => ({ path, label }));
    const how = split.method
      ? { method: split.method, seed: split.seed ?? null, valFraction: split.valFraction ?? null }
      : {};
    const groups = split.duplicateGroups ? { duplicateGroups: split.duplicateGroups } : {};
    const parsed = SplitFile.safeParse({ train: only(split.train), val: only(split.val), ...how, ...groups });
    if (!parsed.success) throw new RunStoreError(`split.json: ${firstIssue(parsed.error)}`);
    writeJsonAtomic(this.path(RUN_FILES.split), parsed.data);
  }

  readSplit(): SplitFile | null {
    const path = this.path(RUN_FILES.split);
    if (!existsSync(path)) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new RunStoreError(`${path} is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = SplitFile.safeParse(raw);
    if (!parsed.success) throw new RunStoreError(`${path}: ${firstIssue(parsed.error)}`);
    return parsed.data;
  }

  private append(file: string, line: string): void {
    const path = this.path(file);
    if (!this.trimmed.has(file)) {
      trimPartialTail(path);
      this.trimmed.add(file);
    }
    appendLine(path, line);
  }

  appendStep(record: StepInput): void {
    this.append(RUN_FILES.metrics, encodeLine(StepRecord, typed('step', record), 'step record'));
  }

  appendEpoch(record: EpochInput): void {
    this.append(RUN_FILES.metrics, encodeLine(EpochRecord, typed('epoch', record), 'epoch record'));
  }

  /**
   * Appends {time, type, ...details}. A 'start' event also gets this process's pid and host
   * (unless given), which is how listRuns tells a live run from a killed one.
   */
  appendEvent(type: RunEventType, details: Record<string, unknown> = {}): RunEvent {
    const rest = Object.fromEntries(Object.entries(details).filter(([k]) => k !== 'time' && k !== 'type'));
    const extra = type === 'start' ? { pid: process.pid, host: hostname(), ...rest } : rest;
    const event = { time: new Date().toISOString(), type, ...extra };
    this.append(RUN_FILES.events, encodeLine(RunEvent, event, `${type} event`));
    return event;
  }

  readMetrics(): RunMetrics {
    const records = readRecords<StepRecord | EpochRecord>(this.path(RUN_FILES.metrics), {
      step: StepRecord,
      epoch: EpochRecord,
    });
    const steps: StepRecord[] = [];
    const epochs: EpochRecord[] = [];
    for (const r of records) {
      if (r.type === 'step') steps.push(r);
      else epochs.push(r);
    }
    return { steps, epochs };
  }

  readEvents(): RunEvent[] {
    return readRecords(this.path(RUN_FILES.events), EVENT_SCHEMAS);
  }

  /**
   * For resuming from `state`: rewrites metrics.jsonl (atomically) keeping only the step records
   * up to the checkpoint's step and the epoch records up to its epoch, so that the epochs run
   * again after resuming are each recorded once. Lines are kept byte for byte.
   */
  truncateMetricsAfter(state: { step: number; epoch: number }): { removed: number } {
    const path = this.path(RUN_FILES.metrics);
    const kept: string[] = [];
    let removed = 0;
    for (const l of completeLines(path)) {
      const r = parseLine(path, l);
      const drop =
        (r.type === 'step' && typeof r.step === 'number' && r.step > state.step) ||
        (r.type === 'epoch' && typeof r.epoch === 'number' && r.epoch > state.epoch);
      if (drop) removed++;
      else kept.push(`${l.text}\n`);
    }
    writeFileAtomic(path, kept.join(''));
    this.trimmed.add(RUN_FILES.metrics); // rewritten whole: no partial tail left
    return { removed };
  }

  /** Writes checkpoints/epoch-NNNN/ (NNNN = state.epoch) through a temp folder and a rename. */
  async writeCheckpoint(data: CheckpointInput, options: WriteCheckpointOptions = {}): Promise<CheckpointInfo> {
    const { keepLast } = options;
    if (keepLast !== undefined && !(Number.isInteger(keepLast) && keepLast >= 1)) {
      throw new RunStoreError(`keepLast must be an integer ≥ 1, got ${keepLast}`);
    }
    const state = parseState(data.state, 'checkpoint');
    const parent = this.checkpointsDir;
    mkdirSync(parent, { recursive: true });
    const name = epochDirName(state.epoch);
    const final = join(parent, name);
    // On a full disk the half-written temp folder is removed and earlier checkpoints stay whole.
    await onFullDiskAsync(final, 'the checkpoints written before it are intact', () =>
      withTempDir(parent, name, async (tmp) => {
        await writeCheckpointFiles(tmp, data, state);
        swapIntoPlace(tmp, final);
      }),
    );
    if (options.best) {
      await withTempDir(parent, BEST_CHECKPOINT, async (tmp) => {
        linkFiles(final, tmp);
        swapIntoPlace(tmp, join(parent, BEST_CHECKPOINT));
      });
    }
    await syncDir(parent);
    const keep = keepLast ?? (options.keepEvery === false ? 1 : Infinity);
    if (keep !== Infinity) this.prune(keep, name);
    const { step, stage, stageEpoch, epoch } = state;
    return { name, dir: final, epoch, stage, stageEpoch, step };
  }

  /** Removes all but the newest `keep` epoch checkpoints, never `justWritten`. */
  private prune(keep: number, justWritten: string): void {
    const others = this.epochDirs().filter((d) => d.name !== justWritten);
    const old = others.slice(0, Math.max(0, others.length - (keep - 1)));
    for (const d of old) discardDir(join(this.checkpointsDir, d.name));
  }

  /** Epoch checkpoint folders by epoch, oldest first (temp folders are not among them). */
  private epochDirs(): { name: string; epoch: number }[] {
    const parent = this.checkpointsDir;
    if (!existsSync(parent)) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => {
        const m = EPOCH_DIR.exec(e.name);
        return m ? [{ name: e.name, epoch: Number(m[1]) }] : [];
      })
      .sort((a, b) => a.epoch - b.epoch);
  }

  /** Epoch checkpoints, oldest first. Also clears away what interrupted writes left. */
  listCheckpoints(): CheckpointInfo[] {
    cleanTemps(this.checkpointsDir);
    return this.epochDirs().map((d) => readCheckpointInfo(join(this.checkpointsDir, d.name), d.name));
  }

  /** The newest complete epoch checkpoint, or null if there is none. */
  async latestCheckpoint(): Promise<CheckpointData | null> {
    cleanTemps(this.checkpointsDir);
    const newest = this.epochDirs().at(-1);
    return newest ? readCheckpointFiles(join(this.checkpointsDir, newest.name)) : null;
  }

  /** A checkpoint by folder name (`epoch-0003`, `best`), or null if there is no such checkpoint. */
  async readCheckpoint(name: string): Promise<CheckpointData | null> {
    cleanTemps(this.checkpointsDir);
    if (name !== BEST_CHECKPOINT && !EPOCH_DIR.test(name)) return null;
    const dir = join(this.checkpointsDir, name);
    return existsSync(dir) ? readCheckpointFiles(dir) : null;
  }

  /** checkpoints/best/, or null if no checkpoint has been marked best. */
  async bestCheckpoint(): Promise<CheckpointData | null> {
    cleanTemps(this.checkpointsDir);
    const dir = join(this.checkpointsDir, BEST_CHECKPOINT);
    return existsSync(dir) ? readCheckpointFiles(dir) : null;
  }
}

/** {type, ...record}: "type" first, for people reading the file, and not overridable by an extra field. */
function typed(type: string, record: object): Record<string, unknown> {
  const out: Record<string, unknown> = { type, ...record };
  out.type = type;
  return out;
}
