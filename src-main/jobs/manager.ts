// Runs jobs (training, LR finder, evaluation, prediction, import) each in its own child process,
// never on the event loop that serves the window or the socket (docs/architecture.md, principle
// 4). Progress arrives as the engine throttles it (~8/s); pause, resume, stop and rate changes go
// through the run's control.jsonl, the same mechanism `anneal control` uses, so a job started here
// can be steered from a terminal too. Everything the job measures is in its run store already.
//
// Jobs queue for slots (issue 15, item 4: twelve started at once ran as twelve processes):
// training jobs (train, LR finder) take the device, one at a time by default (TF.js picks one
// accelerator per machine, and two trainings on it only slow each other and share its memory);
// light jobs (eval, predict, import, export) run alongside, a few at a time. A queued job has no
// process yet; it shows as "queued" with the number of jobs ahead of it.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { EventOf, JobInfo, TaskProgress } from '../contract/index.js';
import { InputError, sendControl, type ControlCommand } from '../engine/index.js';
import type { JobMessage, Task, TaskResults } from './protocol.js';
import { currentJobRuntime } from './runtime.js';

type JobEvent = 'job.update' | 'job.progress' | 'task.progress';
export type JobListener = <E extends JobEvent>(event: E, payload: EventOf<E>) => void;

/** A failure the user caused and can fix (bad config, missing folder): one line, no stack. */
export class JobInputError extends InputError {
  override readonly name = 'JobInputError';
}

interface Entry {
  info: JobInfo;
  task: Task;
  child: ChildProcess | null;
  done: Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  settled: boolean;
}

const ENTRY = fileURLToPath(new URL('./job-entry.mjs', import.meta.url));
const STDERR_TAIL = 4000;

export type JobClass = 'training' | 'light';

/** Training takes the device; the rest is light work beside it. */
export const jobClass = (kind: Task['kind']): JobClass =>
  kind === 'train' || kind === 'resume' || kind === 'lrFind' ? 'training' : 'light';

export interface JobLimits {
  /** Training jobs (train, LR finder) running at once on the device (default 1). */
  training: number;
  /** Light jobs (eval, predict, import, export) running at once (default 2). */
  light: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = { training: 1, light: 2 };

export interface JobManagerOptions {
  /** The job process's script (tests give a fake one). */
  entry?: string;
  limits?: Partial<JobLimits>;
  /**
   * Shutdown: how long a training job may take to stop at its next step (its run then records
   * the stop) before its process is ended; ms.
   */
  stopGraceMs?: number;
}

const ENDED = new Set<JobInfo['state']>(['done', 'failed', 'stopped']);

export class JobManager {
  readonly #jobs = new Map<string, Entry>();
  readonly #queue: Entry[] = [];
  readonly #listeners = new Set<JobListener>();
  readonly #entry: string;
  readonly #limits: JobLimits;
  readonly #stopGraceMs: number;
  #closing = false;

  constructor(o: JobManagerOptions = {}) {
    this.#entry = o.entry ?? ENTRY;
    this.#limits = { ...DEFAULT_JOB_LIMITS, ...o.limits };
    for (const [k, v] of Object.entries(this.#limits))
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`job limit ${k} must be a whole number ≥ 1, got ${v}`);
    this.#stopGraceMs = o.stopGraceMs ?? 5000;
  }

  get limits(): JobLimits {
    return { ...this.#limits };
  }

  /** Subscribes to job events; returns the unsubscribe function. */
  on(listener: JobListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((e) => ({ ...e.info }));
  }

  get(id: string): JobInfo {
    return { ...this.#get(id).info };
  }

  /**
   * Queues a job; it starts when a slot of its class is free. Its result (or failure) is
   * `wait(id)`'s. The task must serialize to the job process: checked here, before any process
   * exists, so a task that cannot be sent never leaves an idle process behind.
   */
  start(task: Task): JobInfo {
    if (this.#closing) throw new JobInputError('the server is shutting down');
    try {
      JSON.stringify(task);
    } catch (e) {
      throw new JobInputError(`the job's settings cannot be sent to its process (${(e as Error).message})`);
    }
    const id = randomUUID();
    // Which binary the job will run in, and why (runtime.ts); #launch forks it.
    const runtime = currentJobRuntime();
    const info: JobInfo = {
      id,
      kind: task.kind,
      state: 'queued',
      ahead: 0,
      runDir: null,
      backend: null,
      device: null,
      runtime: runtime.reason,
      threads: null,
      error: null,
      started: new Date().toISOString(),
    };
    let resolve!: (v: unknown) => void;
    let reject!: (e: Error) => void;
    const done = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody has to wait; an unobserved failure is still in the job's state.
    done.catch(() => undefined);
    const entry: Entry = { info, task, child: null, done, resolve, reject, settled: false };
    this.#jobs.set(id, entry);
    this.#queue.push(entry);
    this.#emit('job.update', { ...info });
    this.#pump();
    return { ...entry.info };
  }

  /** Progress of a call made with a progressTag (also from work outside a job: inspection). */
  notify(progress: TaskProgress): void {
    this.#emit('task.progress', progress);
  }

  /** The job's result; rejects with its failure. */
  wait(id: string): Promise<unknown> {
    return this.#get(id).done;
  }

  /** Starts a job and waits for it: its result, typed by its kind. */
  async run<T extends Task>(task: T): Promise<TaskResults[T['kind']]> {
    // The one place a result crossing the process boundary gets its type: tasks.ts sends it.
    return (await this.wait(this.start(task).id)) as TaskResults[T['kind']];
  }

  /** Pause, resume, stop or rescale the rate of a training job (applied before its next step). */
  control(id: string, command: ControlCommand): JobInfo {
    const entry = this.#get(id);
    const { info } = entry;
    if (ENDED.has(info.state)) throw new JobInputError(`job ${id} has ended (${info.state})`);
    if (info.state === 'queued') {
      if (command.action !== 'stop') throw new JobInputError('the job is queued: it starts when a slot is free');
      this.#queue.splice(this.#queue.indexOf(entry), 1);
      this.#settle(entry, { state: 'stopped', ahead: null, error: 'stopped while queued' }, new Error('stopped'));
      this.#pump();
      return { ...entry.info };
    }
    if (!info.runDir) {
      // Still loading data and model: there is no run to steer yet, only a process to end.
      if (command.action !== 'stop') throw new JobInputError('the job is still starting; try again in a moment');
      this.#update(entry, { state: 'stopped' });
      entry.child?.kill();
      return { ...entry.info };
    }
    sendControl(info.runDir, command);
    if (command.action === 'pause') this.#update(entry, { state: 'paused' });
    else if (command.action === 'resume') this.#update(entry, { state: 'running' });
    return { ...entry.info };
  }

  /**
   * Ends every job (the app quits, the server closes); their runs stay resumable. Queued jobs are
   * dropped; a training job with a run is asked to stop at its next step, so that its run records
   * the stop, and ended after `stopGraceMs` if it has not; anything else is ended at once
   * (SIGTERM, then SIGKILL a second later).
   */
  async dispose(): Promise<void> {
    this.#closing = true;
    for (const e of this.#queue.splice(0))
      this.#settle(e, { state: 'stopped', ahead: null, error: 'the server shut down' }, new Error('stopped'));
    const live = [...this.#jobs.values()].filter(
      (e) => e.child && e.child.exitCode === null && e.child.signalCode === null,
    );
    await Promise.all(live.map((e) => this.#end(e)));
  }

  async #end(e: Entry): Promise<void> {
    const child = e.child!;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const within = (ms: number) =>
      Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    if (e.info.runDir && e.info.state !== 'stopped') {
      try {
        sendControl(e.info.runDir, { action: 'stop', reason: 'the server shut down' });
        if (e.info.state === 'paused') sendControl(e.info.runDir, { action: 'resume' });
        if (await within(this.#stopGraceMs)) return;
      } catch {
        // The run folder is gone or unwritable: end the process instead.
      }
    }
    child.kill('SIGTERM');
    if (await within(1000)) return;
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts queued jobs, oldest first, while their class has a free slot. */
  #pump(): void {
    if (this.#closing) return;
    const running = (c: JobClass) =>
      [...this.#jobs.values()].filter((e) => e.child && !e.settled && jobClass(e.task.kind) === c).length;
    for (const entry of [...this.#queue]) {
      const c = jobClass(entry.task.kind);
      if (running(c) >= this.#limits[c]) continue;
      this.#queue.splice(this.#queue.indexOf(entry), 1);
      try {
        this.#launch(entry);
      } catch (e) {
        // fork itself failed (EAGAIN, ENOMEM): this job fails; the server goes on.
        const message = `could not start the job process: ${(e as Error).message}`;
        this.#settle(entry, { state: 'failed', error: message }, new Error(message));
      }
    }
    // Jobs ahead of each one still queued: the running ones of its class and those queued before it.
    const ahead: Record<JobClass, number> = { training: running('training'), light: running('light') };
    for (const entry of this.#queue) {
      const c = jobClass(entry.task.kind);
      if (entry.info.ahead !== ahead[c]) this.#update(entry, { ahead: ahead[c] });
      ahead[c]++;
    }
  }

  #launch(entry: Entry): void {
    const { info } = entry;
    this.#update(entry, { state: 'starting', ahead: null, started: new Date().toISOString() });
    // Serve mode: this Node. In Electron: a plain Node binary, because WebGPU (dawn.node) cannot
    // run in Electron's V8, Node mode included; failing one, Electron as Node (ELECTRON_RUN_AS_NODE,
    // said explicitly so the job's own children, e.g. the WebGPU probe, are Node too). runtime.ts.
    const runtime = currentJobRuntime();
    const env = { ...process.env, ...runtime.env };
    const child = fork(this.#entry, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
      env,
      execPath: runtime.execPath,
    });
    entry.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    });
    child.stdout!.resume();
    child.on('message', (m: JobMessage) => {
      if (entry.settled) return;
      if (m.type === 'started') {
        this.#update(entry, {
          state: 'running',
          runDir: m.runDir,
          backend: m.backend,
          device: m.device,
          threads: m.threads ?? null,
        });
      } else if (m.type === 'progress') {
        this.#emit('job.progress', { jobId: info.id, progress: m.progress });
      } else if (m.type === 'count') {
        const tag = 'tag' in entry.task ? entry.task.tag : undefined;
        if (tag)
          this.notify({ tag, done: m.done, total: m.total, unit: m.unit, ...(m.point ? { point: m.point } : {}) });
      } else if (m.type === 'done') {
        this.#settle(entry, { state: m.stopped ? 'stopped' : 'done' }, null, m.result);
      } else if (m.type === 'error') {
        this.#settle(
          entry,
          { state: 'failed', error: m.message },
          m.usage ? new JobInputError(m.message) : new Error(m.message),
        );
      }
    });
    child.on('exit', (code, signal) => {
      if (entry.settled) return;
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      const stopped = info.state === 'stopped' || this.#closing;
      const message = stopped ? 'stopped' : `the job process ${why}${last ? `: ${last}` : ''}`;
      this.#settle(entry, { state: stopped ? 'stopped' : 'failed', error: message }, new Error(message));
    });
    // The task serialized in start(); a send that still fails (the process died at once) ends it.
    child.send(entry.task, (err) => {
      if (err) child.kill('SIGKILL');
    });
  }

  /** Records a job's end, resolves or rejects its waiters, and gives its slot to the queue. */
  #settle(entry: Entry, patch: Partial<JobInfo>, error: Error | null, result?: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    this.#update(entry, patch);
    if (error) entry.reject(error);
    else entry.resolve(result);
    this.#pump();
  }

  #get(id: string): Entry {
    const e = this.#jobs.get(id);
    if (!e) throw new JobInputError(`no job ${id}`);
    return e;
  }

  #update(entry: Entry, patch: Partial<JobInfo>): void {
    Object.assign(entry.info, patch);
    this.#emit('job.update', { ...entry.info });
  }

  #emit<E extends JobEvent>(event: E, payload: EventOf<E>): void {
    for (const l of this.#listeners) l(event, payload);
  }
}
