// A fixed pool of worker threads with a queue: tasks go to whichever worker is free.
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerResult, WorkerTask } from './protocol.js';

type Pending = { task: WorkerTask; resolve: (r: WorkerResult) => void; reject: (e: Error) => void };

export class WorkerPool {
  readonly size: number;
  #idle: Worker[] = [];
  #all: Worker[] = [];
  #queue: Pending[] = [];
  #running = new Map<Worker, Pending>();
  #closed = false;

  /** Default: one worker per core, at most 4 (decode is the bottleneck; sharp adds its own threads). */
  constructor(size = Math.max(1, Math.min(4, cpus().length))) {
    this.size = size;
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./worker-entry.mjs', import.meta.url));
      w.on('message', (r: WorkerResult) => this.#done(w, r));
      w.on('error', (e) => this.#failed(w, e));
      this.#all.push(w);
      this.#idle.push(w);
    }
  }

  run(task: WorkerTask): Promise<WorkerResult> {
    if (this.#closed) return Promise.reject(new Error('the data pipeline is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#idle.length && this.#queue.length) {
      const w = this.#idle.pop()!;
      const p = this.#queue.shift()!;
      this.#running.set(w, p);
      // Cached pixels are copied, not transferred: the cache keeps its own.
      w.postMessage(p.task);
    }
  }

  #done(w: Worker, r: WorkerResult): void {
    const p = this.#running.get(w);
    this.#running.delete(w);
    this.#idle.push(w);
    p?.resolve(r);
    this.#pump();
  }

  #failed(w: Worker, e: Error): void {
    const p = this.#running.get(w);
    this.#running.delete(w);
    p?.reject(new Error(`a data worker crashed: ${e.message}`));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue) p.reject(new Error('the data pipeline is closed'));
    this.#queue = [];
    await Promise.all(this.#all.map((w) => w.terminate()));
  }
}
