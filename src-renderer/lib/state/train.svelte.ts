// The Train screen's job: start, pause, resume, stop, change the rate; and the live series its
// charts draw, fed by the engine's throttled progress events (~8/s). Epoch metrics (accuracy,
// validation) arrive once an epoch; rate, momentum and update ratio arrive with each step event.
import type { JobInfo } from '../../../src-main/contract/contract.js';
import type { ControlCommand, Progress } from '../../../src-main/engine/index.js';
import type { Client } from '../client/index.js';
import { waitingNote } from '../format.js';

type Series = (number | null)[];

export class TrainSession {
  #job = $state<JobInfo | null>(null);
  #error = $state<string | null>(null);
  #last = $state<Progress | null>(null);
  #updates = $state(0);
  // The series grow by a point per event over runs of 10,000s of steps. They are plain arrays,
  // appended in place, and `#grew` tells readers that they grew: deep $state would proxy every
  // point, and readers would copy every series on every event (O(n) per event, O(n²) per run).
  #grew = $state(0);
  // Step series (x = global step).
  #steps: number[] = [];
  #loss: Series = [];
  #lr: Series[] = [];
  #momentum: Series = [];
  #ratioSteps: number[] = [];
  #ratio: Series[] = [];
  // Epoch series (x = epoch, 1-based as shown).
  #epochs: number[] = [];
  #acc: Series = [];
  #valAcc: Series = [];
  #valLoss: Series = [];
  #epochLoss: Series = [];
  #startedAt = 0;
  #stepsAtStart = 0;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly client: Client,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#unsubscribe.push(
      client.on('job.update', (job) => {
        if (job.id === this.#job?.id) this.#job = job;
      }),
      client.on('job.progress', ({ jobId, progress }) => {
        if (jobId === this.#job?.id) this.accept(progress);
      }),
    );
  }

  dispose(): void {
    for (const u of this.#unsubscribe) u();
  }

  get job(): JobInfo | null {
    return this.#job;
  }
  get error(): string | null {
    return this.#error;
  }
  get last(): Progress | null {
    return this.#last;
  }
  /** Progress events received: the e2e test watches this grow. */
  get updates(): number {
    return this.#updates;
  }
  get active(): boolean {
    const s = this.#job?.state;
    return s === 'queued' || s === 'starting' || s === 'running' || s === 'paused';
  }
  /** While the job waits for the device (one training job at a time): why, and behind how many. */
  get queueNote(): string | null {
    const j = this.#job;
    if (j?.state !== 'queued') return null;
    return waitingNote(j.ahead ?? 0);
  }

  async start(config: Record<string, unknown>): Promise<void> {
    this.#reset();
    try {
      this.#job = await this.client.invoke('train.start', { config });
    } catch (e) {
      this.#error = (e as Error).message;
    }
  }

  async pause(): Promise<void> {
    await this.#send({ action: 'pause' });
  }
  async resume(): Promise<void> {
    await this.#send({ action: 'resume' });
  }
  async stop(): Promise<void> {
    await this.#send({ action: 'stop', reason: 'stopped from the app' });
  }
  /** Multiplies every group's rate by `scale` from the next step on. */
  async scaleLr(scale: number): Promise<void> {
    await this.#send({ action: 'lr', scale });
  }

  async #send(command: ControlCommand): Promise<void> {
    if (!this.#job) return;
    try {
      this.#job = await this.client.invoke('train.control', { jobId: this.#job.id, command });
      this.#error = null;
    } catch (e) {
      this.#error = (e as Error).message;
    }
  }

  /** One progress event (public for tests). */
  accept(p: Progress): void {
    // The pace is measured from the first step, not from the start: loading data and model first
    // says nothing about how fast steps go.
    if (this.#updates === 0) {
      this.#stepsAtStart = p.step;
      this.#startedAt = this.now();
    }
    this.#updates++;
    this.#last = p;
    this.#grew++;
    if (p.kind === 'step') {
      this.#steps.push(p.step);
      this.#loss.push(p.loss);
      p.lr.forEach((v, g) => (this.#lr[g] ??= Array(this.#steps.length - 1).fill(null)).push(v));
      for (const s of this.#lr) if (s.length < this.#steps.length) s.push(null);
      this.#momentum.push(p.momentum);
      if (p.updateRatio?.length) {
        this.#ratioSteps.push(p.step);
        // A frozen group does not move (ratio 0): a gap on the log-scale chart, not a point.
        p.updateRatio.forEach((v, g) =>
          (this.#ratio[g] ??= Array(this.#ratioSteps.length - 1).fill(null)).push(v > 0 ? v : null),
        );
      }
    } else if (p.epochLogs) {
      const e = p.epochLogs;
      this.#epochs.push(p.epoch + 1);
      this.#epochLoss.push(e.loss);
      this.#acc.push(e.accuracy);
      this.#valAcc.push(e.val_accuracy ?? null);
      this.#valLoss.push(e.val_loss ?? null);
    }
  }

  /** Fraction of the run's steps done, 0..1. */
  get fraction(): number {
    const p = this.#last;
    if (!p) return 0;
    const total = p.epochs * p.stepsPerEpoch;
    const done = p.epoch * p.stepsPerEpoch + Math.min(p.epochStep, p.stepsPerEpoch);
    return total > 0 ? Math.min(1, done / total) : 0;
  }

  /** Seconds left at the pace so far (steps per second since the first event), or null. */
  get etaSeconds(): number | null {
    const p = this.#last;
    if (!p || this.#updates < 2) return null;
    const elapsed = (this.now() - this.#startedAt) / 1000;
    const done = p.step - this.#stepsAtStart;
    if (done <= 0 || elapsed <= 0) return null;
    const left = p.epochs * p.stepsPerEpoch - (p.epoch * p.stepsPerEpoch + p.epochStep);
    return Math.max(0, left / (done / elapsed));
  }

  get lossChart(): Series[] {
    void this.#grew;
    return this.#steps.length ? [this.#steps, this.#loss] : [];
  }
  get lrChart(): Series[] {
    void this.#grew;
    return this.#steps.length ? [this.#steps, ...this.#lr] : [];
  }
  get momentumChart(): Series[] {
    void this.#grew;
    return this.#steps.length && this.#momentum.some((m) => m !== null) ? [this.#steps, this.#momentum] : [];
  }
  get ratioChart(): Series[] {
    void this.#grew;
    return this.#ratioSteps.length ? [this.#ratioSteps, ...this.#ratio] : [];
  }
  get accuracyChart(): Series[] {
    void this.#grew;
    return this.#epochs.length ? [this.#epochs, this.#acc, this.#valAcc] : [];
  }
  get epochLossChart(): Series[] {
    void this.#grew;
    return this.#epochs.length ? [this.#epochs, this.#epochLoss, this.#valLoss] : [];
  }

  #reset(): void {
    this.#job = null;
    this.#error = null;
    this.#last = null;
    this.#updates = 0;
    this.#steps = [];
    this.#loss = [];
    this.#lr = [];
    this.#momentum = [];
    this.#ratioSteps = [];
    this.#ratio = [];
    this.#epochs = [];
    this.#acc = [];
    this.#valAcc = [];
    this.#valLoss = [];
    this.#epochLoss = [];
    this.#grew++;
  }
}
