// A small, bounded pool of image worker threads (worker.ts), started on first use: at most `size`
// images decode at once, whatever the screens ask for, and none on the caller's event loop. Tasks
// wait in order. A worker that dies (a native crash in a decoder) fails its own task only; the
// next task gets a fresh worker.
import { Worker } from 'node:worker_threads';
import { JobInputError } from '../../jobs/index.js';
import type { MediaResult, MediaTask } from './protocol.js';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

interface Pending {
  task: MediaTask;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Two: thumbnails are small work; the rest of the machine is for training. */
export const DEFAULT_MEDIA_WORKERS = 2;

export class MediaPool {
  readonly size: number;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending>();
  readonly #queue: Pending[] = [];
  #count = 0;
  #closed = false;

  constructor(size = DEFAULT_MEDIA_WORKERS) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`image workers must be ≥ 1, got ${size}`);
    this.size = size;
  }

  /**
   * Runs a task in a worker; rejects with a JobInputError for the user's mistakes. A task that
   * reports progress (inspect) calls `onProgress` as it goes.
   */
  run<T>(task: MediaTask, onProgress?: (done: number, total: number) => void): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the image workers are closed'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ task, resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.#pump();
    });
  }

  /** Tasks queued or running (tests). */
  get pending(): number {
    return this.#queue.length + this.#busy.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new Error('the image workers are closed'));
    const all = [...this.#idle.splice(0), ...this.#busy.keys()];
    await Promise.all(all.map((w) => w.terminate()));
  }

  #pump(): void {
    while (this.#queue.length) {
      const w = this.#idle.pop() ?? (this.#count < this.size ? this.#spawn() : null);
      if (!w) return;
      const p = this.#queue.shift()!;
      this.#busy.set(w, p);
      w.ref();
      w.postMessage(p.task);
    }
  }

  #spawn(): Worker {
    this.#count++;
    const w = new Worker(ENTRY);
    w.on('message', (r: MediaResult) => {
      if ('progress' in r) {
        this.#busy.get(w)?.onProgress?.(r.progress.done, r.progress.total);
        return;
      }
      const p = this.#busy.get(w);
      this.#busy.delete(w);
      // An idle worker must not keep the process alive.
      w.unref();
      if (!this.#closed) this.#idle.push(w);
      if (p) {
        if (r.ok) p.resolve(r.value);
        else p.reject(r.usage ? new JobInputError(r.message) : new Error(r.message));
      }
      this.#pump();
    });
    const lost = (why: string) => {
      const p = this.#busy.get(w);
      this.#busy.delete(w);
      const i = this.#idle.indexOf(w);
      if (i >= 0) this.#idle.splice(i, 1);
      this.#count--;
      p?.reject(new Error(`an image worker ${why}`));
      if (!this.#closed) this.#pump();
    };
    w.on('error', (e) => lost(`failed: ${e.message}`));
    w.on('exit', (code) => {
      if (this.#busy.has(w) || this.#idle.includes(w)) lost(`exited (code ${code})`);
    });
    return w;
  }
}
