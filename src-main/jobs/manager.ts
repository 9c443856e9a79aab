// Runs jobs (training, LR finder, evaluation, prediction, import) each in its own child process,
// never on the event loop that serves the window or the socket (docs/architecture.md, principle
// 4). Progress arrives as the engine throttles it (~8/s); pause, resume, stop and rate changes go
// through the run's control.jsonl, the same mechanism `anneal control` uses, so a job started here
// can be steered from a terminal too. Everything the job measures is in its run store already.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { EventOf, JobInfo } from '../contract/index.js';
import { sendControl, type ControlCommand } from '../engine/train/index.js';
import type { JobMessage, Task } from './protocol.js';

export type JobListener = <E extends 'job.update' | 'job.progress'>(event: E, payload: EventOf<E>) => void;

/** A failure the user caused and can fix (bad config, missing folder): one line, no stack. */
export class JobInputError extends Error {
  override readonly name = 'JobInputError';
}

interface Entry {
  info: JobInfo;
  child: ChildProcess;
  done: Promise<unknown>;
}

const ENTRY = fileURLToPath(new URL('./job-entry.mjs', import.meta.url));
const STDERR_TAIL = 4000;

export class JobManager {
  readonly #jobs = new Map<string, Entry>();
  readonly #listeners = new Set<JobListener>();

  constructor(private readonly entry = ENTRY) {}

  /** Subscribes to job events; returns the unsubscribe function. */
  on(listener: JobListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((e) => ({ ...e.info }));
  }

  get(id: string): JobInfo {
    return { ...this.#entry(id).info };
  }

  /** Starts a job; its result (or failure) is `wait(id)`'s. */
  start(task: Task): JobInfo {
    const id = randomUUID();
    const info: JobInfo = {
      id,
      kind: task.kind,
      state: 'starting',
      runDir: null,
      backend: null,
      device: null,
      threads: null,
      error: null,
      started: new Date().toISOString(),
    };
    // A plain Node process in serve mode; in Electron, fork runs Electron's binary as Node
    // (ELECTRON_RUN_AS_NODE), which is what utilityProcess offers for a script like this.
    // Said explicitly so that the job's own children (the WebGPU probe spawns execPath) are Node too.
    const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
    const child = fork(this.entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], env });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    });
    child.stdout!.resume();
    const entry: Entry = { info, child, done: Promise.resolve() };
    this.#jobs.set(id, entry);
    entry.done = new Promise((resolve, reject) => {
      let settled = false;
      child.on('message', (m: JobMessage) => {
        if (m.type === 'started') {
          this.#update(entry, {
            state: 'running',
            runDir: m.runDir,
            backend: m.backend,
            device: m.device,
            threads: m.threads ?? null,
          });
        } else if (m.type === 'progress') {
          this.#emit('job.progress', { jobId: id, progress: m.progress });
        } else if (m.type === 'done') {
          settled = true;
          this.#update(entry, { state: m.stopped ? 'stopped' : 'done' });
          resolve(m.result);
        } else if (m.type === 'error') {
          settled = true;
          this.#update(entry, { state: 'failed', error: m.message });
          reject(m.usage ? new JobInputError(m.message) : new Error(m.message));
        }
      });
      child.on('exit', (code, signal) => {
        if (settled) return;
        const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
        const last = stderr.trim().split('\n').slice(-3).join(' | ');
        const message = info.state === 'stopped' ? 'stopped' : `the job process ${why}${last ? `: ${last}` : ''}`;
        this.#update(entry, { state: info.state === 'stopped' ? 'stopped' : 'failed', error: message });
        reject(new Error(message));
      });
    });
    // Nobody has to wait; an unobserved failure is still in the job's state.
    entry.done.catch(() => undefined);
    child.send(task);
    this.#emit('job.update', { ...info });
    return { ...info };
  }

  /** The job's result; rejects with its failure. */
  wait(id: string): Promise<unknown> {
    return this.#entry(id).done;
  }

  /** Starts a job and waits for it. */
  async run(task: Task): Promise<unknown> {
    return this.wait(this.start(task).id);
  }

  /** Pause, resume, stop or rescale the rate of a training job (applied before its next step). */
  control(id: string, command: ControlCommand): JobInfo {
    const entry = this.#entry(id);
    const { info } = entry;
    if (info.state === 'done' || info.state === 'failed' || info.state === 'stopped') {
      throw new JobInputError(`job ${id} has ended (${info.state})`);
    }
    if (!info.runDir) {
      // Still loading data and model: there is no run to steer yet, only a process to end.
      if (command.action !== 'stop') throw new JobInputError('the job is still starting; try again in a moment');
      this.#update(entry, { state: 'stopped' });
      entry.child.kill();
      return { ...entry.info };
    }
    sendControl(info.runDir, command);
    if (command.action === 'pause') this.#update(entry, { state: 'paused' });
    else if (command.action === 'resume') this.#update(entry, { state: 'running' });
    return { ...entry.info };
  }

  /** Ends every job process (the app quits, the server closes); their runs stay resumable. */
  async dispose(): Promise<void> {
    const live = [...this.#jobs.values()].filter((e) => e.child.exitCode === null && e.child.signalCode === null);
    await Promise.all(
      live.map(
        (e) =>
          new Promise<void>((resolve) => {
            e.child.once('exit', () => resolve());
            e.child.kill();
          }),
      ),
    );
  }

  #entry(id: string): Entry {
    const e = this.#jobs.get(id);
    if (!e) throw new JobInputError(`no job ${id}`);
    return e;
  }

  #update(entry: Entry, patch: Partial<JobInfo>): void {
    Object.assign(entry.info, patch);
    this.#emit('job.update', { ...entry.info });
  }

  #emit<E extends 'job.update' | 'job.progress'>(event: E, payload: EventOf<E>): void {
    for (const l of this.#listeners) l(event, payload);
  }
}
