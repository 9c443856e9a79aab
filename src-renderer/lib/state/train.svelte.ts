// The Train screen's job: start, pause, resume, stop, change the rate; and the live series its
// charts draw, fed by the engine's throttled progress events (~8/s). Epoch metrics (accuracy,
// validation) arrive once an epoch; rate, momentum and update ratio arrive with each step event.
// After a reload the series are rebuilt from the run's own store (runs.history: every step and
// epoch record), and a job still running is followed again; when a run ends, its headline (final
// and best validation numbers, wall time) comes from the same store.
import type { BackendsReport, JobInfo, ReplyOf, RunHistory } from '../../../src-main/contract/contract.js';
import { smoothLosses, type ControlCommand, type Progress } from '../../../src-main/engine/browser.js';
import type { Client } from '../client/index.js';
import { waitingNote } from '../format.js';
import { Task } from './task.svelte.js';

type Series = (number | null)[];
type Summary = ReplyOf<'runs.show'>['summary'];

const ENDED = new Set(['done', 'stopped', 'failed']);

export class TrainSession {
  #job = $state<JobInfo | null>(null);
  #error = $state<string | null>(null);
  #last = $state<Progress | null>(null);
  #updates = $state(0);
  /** The run shown when no job is attached (a finished run restored after a reload). */
  #runDir = $state<string | null>(null);
  #summary = $state<Summary | null>(null);
  #restoring = false;
  #buffer: Progress[] = [];
  // The series grow by a point per event over runs of 10,000s of steps. They are plain arrays,
  // appended in place, and `#grew` tells readers that they grew: deep $state would proxy every
  // point, and readers would copy every series on every event (O(n) per event, O(n²) per run).
  #grew = $state(0);
  // Step series (x = global step).
  #steps: number[] = [];
  #loss: Series = [];
  #smooth: Series = [];
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
  // The weights' moving average's validation (run config ema), beside the live one.
  #emaAcc: Series = [];
  #emaLoss: Series = [];
  /** Where the image size changed (progressive resizing): the first step and epoch (1-based) at each size. */
  #sizes: { step: number; epoch: number; size: number }[] = [];
  /** The last epoch drawn was cut short by a stop: a resumed run's whole epoch replaces it. */
  #lastCut = $state(false);
  #startedAt = 0;
  #stepsAtStart = 0;
  readonly #unsubscribe: (() => void)[] = [];
  /** What training would run on here (`anneal doctor`, probed once in a job). */
  readonly backends = new Task<BackendsReport>();
  /** Told the run folder once a job has one (the workspace keeps it for a reload). */
  onRun: (runDir: string) => void = () => {};

  constructor(
    private readonly client: Client,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#unsubscribe.push(
      client.on('job.update', (job) => {
        if (job.id !== this.#job?.id) return;
        const had = this.#job.runDir;
        this.#job = job;
        if (job.runDir && job.runDir !== had) this.onRun(job.runDir);
        if (ENDED.has(job.state) && job.runDir) void this.#loadSummary(job.runDir);
      }),
      client.on('job.progress', ({ jobId, progress }) => {
        if (jobId !== this.#job?.id) return;
        if (this.#restoring) this.#buffer.push(progress);
        else this.accept(progress);
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
    return j?.state === 'queued' ? waitingNote(j.ahead) : null;
  }
  /** The run the screen shows: the job's, or one restored from its folder. */
  get runDir(): string | null {
    return this.#job?.runDir ?? this.#runDir;
  }
  /** The ended run's headline (from its store), or null while it runs. */
  get summary(): Summary | null {
    return this.#summary;
  }
  /** "done", "stopped", … for the status line, also for a run restored without its job. */
  get state(): string | null {
    return this.#job?.state ?? this.#summary?.status ?? null;
  }

  /** Probes the backends once per page (it starts each, so it is not repeated). */
  async loadBackends(): Promise<void> {
    if (this.backends.result || this.backends.running) return;
    await this.backends.run(() => this.client.invoke('app.backends', {}));
  }

  async start(config: Record<string, unknown>): Promise<void> {
    this.#reset();
    try {
      this.#job = await this.client.invoke('train.start', { config });
    } catch (e) {
      this.#error = (e as Error).message;
    }
  }

  /** Shows a job started elsewhere (Resume on the Runs screen), from its run's records so far. */
  async follow(job: JobInfo, runDir: string): Promise<void> {
    this.#reset();
    this.#job = job;
    this.#runDir = runDir;
    this.onRun(runDir);
    await this.#rebuild(runDir);
  }

  /**
   * After a reload: the run's charts again from its store, and its job followed again if it
   * still runs (found by run folder among the server's jobs).
   */
  async restore(runDir: string): Promise<void> {
    this.#reset();
    this.#runDir = runDir;
    try {
      const jobs = await this.client.invoke('jobs.list', {});
      const job = jobs.findLast((j) => j.runDir === runDir);
      if (job) this.#job = job;
    } catch {
      // Without the job list the run's records still show.
    }
    await this.#rebuild(runDir);
    if (!this.active) await this.#loadSummary(runDir);
  }

  async #rebuild(runDir: string): Promise<void> {
    this.#restoring = true;
    this.#buffer = [];
    try {
      this.#fromHistory(await this.client.invoke('runs.history', { runDir }));
    } catch (e) {
      this.#error = (e as Error).message;
    } finally {
      this.#restoring = false;
      // Events that arrived while the history loaded (accept drops what the history already has).
      for (const p of this.#buffer.splice(0)) this.accept(p);
    }
  }

  #fromHistory(h: RunHistory): void {
    const groups = h.steps[0]?.lr.length ?? 0;
    this.#steps = h.steps.map((s) => s.step);
    // Runs from before per-step losses were recorded have only the epoch's running mean.
    const raw = h.steps.map((s) => s.stepLoss ?? s.loss);
    this.#loss = raw;
    const finite = raw.map((v) => (v === null || !Number.isFinite(v) ? NaN : v));
    this.#smooth = smoothLosses(finite).map((v) => (Number.isFinite(v) ? v : null));
    this.#lr = Array.from({ length: groups }, (_, g) => h.steps.map((s) => s.lr[g] ?? null));
    this.#momentum = h.steps.map((s) => s.momentum ?? null);
    const measured = h.steps.filter((s) => s.updateRatio?.length);
    this.#ratioSteps = measured.map((s) => s.step);
    this.#ratio = Array.from({ length: groups }, (_, g) =>
      measured.map((s) => {
        const v = s.updateRatio![g];
        return v != null && v > 0 ? v : null;
      }),
    );
    this.#epochs = h.epochs.map((e) => e.epoch + 1);
    this.#epochLoss = h.epochs.map((e) => e.loss);
    this.#acc = h.epochs.map((e) => e.accuracy);
    this.#valAcc = h.epochs.map((e) => e.val_accuracy);
    this.#valLoss = h.epochs.map((e) => e.val_loss);
    this.#emaAcc = h.epochs.map((e) => emaOf(e, 'ema_val_accuracy'));
    this.#emaLoss = h.epochs.map((e) => emaOf(e, 'ema_val_loss'));
    this.#sizes = [];
    for (const e of h.epochs) {
      const size = e.imageSize;
      if (size === undefined || size === this.#sizes.at(-1)?.size) continue;
      const step = h.steps.find((s) => s.epoch === e.epoch)?.step ?? 0;
      this.#sizes.push({ step, epoch: e.epoch + 1, size });
    }
    this.#lastCut = h.epochs.at(-1)?.partial === true;
    this.#grew++;
  }

  async #loadSummary(runDir: string): Promise<void> {
    try {
      this.#summary = (await this.client.invoke('runs.show', { runDir })).summary;
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
    // A step or epoch the charts already have (read from the store while its event was on the
    // way) is not drawn twice.
    if (p.kind === 'step' && p.step <= (this.#steps.at(-1) ?? -1)) return;
    if (p.kind === 'epoch' && p.epoch + 1 <= (this.#epochs.at(-1) ?? 0)) {
      // …except the epoch a stop cut short, which a resumed run finishes: its whole numbers replace the cut ones.
      if (!(this.#lastCut && p.epoch + 1 === this.#epochs.at(-1))) return;
      for (const series of [this.#epochs, this.#epochLoss, this.#acc, this.#valAcc, this.#valLoss]) series.pop();
    }
    // The pace is measured from the first step, not from the start: loading data and model first
    // says nothing about how fast steps go.
    if (this.#updates === 0) {
      this.#stepsAtStart = p.step;
      this.#startedAt = this.now();
    }
    this.#updates++;
    this.#last = p;
    this.#grew++;
    if (p.imageSize !== undefined && p.imageSize !== this.#sizes.at(-1)?.size) {
      this.#sizes.push({ step: p.step, epoch: p.epoch + 1, size: p.imageSize });
    }
    if (p.kind === 'step') {
      this.#steps.push(p.step);
      this.#loss.push(p.stepLoss ?? p.loss);
      this.#smooth.push(p.smoothLoss ?? null);
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
      this.#emaAcc.push(e.ema_val_accuracy ?? null);
      this.#emaLoss.push(e.ema_val_loss ?? null);
      this.#lastCut = p.partial === true;
    }
  }

  /** The epoch (from 1, as drawn) whose numbers a stop cut short, when it is the last one drawn; else null. */
  get partialEpoch(): number | null {
    void this.#grew;
    return this.#lastCut ? (this.#epochs.at(-1) ?? null) : null;
  }

  /** Fraction of the run's steps done, 0..1 (1 once it has ended). */
  get fraction(): number {
    const p = this.#last;
    if (this.#summary?.status === 'done') return 1;
    if (!p) return 0;
    const total = p.epochs * p.stepsPerEpoch;
    const done = p.epoch * p.stepsPerEpoch + Math.min(p.epochStep, p.stepsPerEpoch);
    return total > 0 ? Math.min(1, done / total) : 0;
  }

  /** Seconds left at the pace so far (steps per second since the first event); null unless it runs. */
  get etaSeconds(): number | null {
    const p = this.#last;
    if (!p || this.#updates < 2 || this.#job?.state !== 'running') return null;
    const elapsed = (this.now() - this.#startedAt) / 1000;
    const done = p.step - this.#stepsAtStart;
    if (done <= 0 || elapsed <= 0) return null;
    const left = p.epochs * p.stepsPerEpoch - (p.epoch * p.stepsPerEpoch + p.epochStep);
    return Math.max(0, left / (done / elapsed));
  }

  /** x = step; the loss of each step, and its debiased EMA (fastai's smooth_loss). */
  get lossChart(): Series[] {
    void this.#grew;
    return this.#steps.length ? [this.#steps, this.#loss, this.#smooth] : [];
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
    if (!this.#epochs.length) return [];
    return [this.#epochs, this.#acc, this.#valAcc, ...(this.hasEma ? [this.#emaAcc] : [])];
  }
  get epochLossChart(): Series[] {
    void this.#grew;
    if (!this.#epochs.length) return [];
    return [this.#epochs, this.#epochLoss, this.#valLoss, ...(this.hasEma ? [this.#emaLoss] : [])];
  }
  /** The run validates a moving average of its weights too (a third line on the epoch charts). */
  get hasEma(): boolean {
    void this.#grew;
    return this.#emaAcc.some((v) => v !== null);
  }
  /** The averaged weights' validation at the last epoch (null without ema). */
  get lastEma(): { accuracy: number | null; loss: number | null } | null {
    void this.#grew;
    return this.hasEma ? { accuracy: this.#emaAcc.at(-1) ?? null, loss: this.#emaLoss.at(-1) ?? null } : null;
  }
  /** Markers where the image size changes, on the step charts; none while the run keeps one size. */
  get stepSizeMarkers(): { x: number; label: string }[] {
    void this.#grew;
    return this.#sizes.length > 1 ? this.#sizes.map((c) => ({ x: c.step, label: `${c.size} px` })) : [];
  }
  /** The same markers on the per-epoch charts (x = epoch, 1-based). */
  get epochSizeMarkers(): { x: number; label: string }[] {
    void this.#grew;
    return this.#sizes.length > 1 ? this.#sizes.map((c) => ({ x: c.epoch, label: `${c.size} px` })) : [];
  }

  /** Layer groups in the rate series (for labels when no progress event has come yet). */
  get groups(): number {
    void this.#grew;
    return this.#lr.length;
  }

  #reset(): void {
    this.#job = null;
    this.#error = null;
    this.#last = null;
    this.#updates = 0;
    this.#runDir = null;
    this.#summary = null;
    this.#steps = [];
    this.#loss = [];
    this.#smooth = [];
    this.#lr = [];
    this.#momentum = [];
    this.#ratioSteps = [];
    this.#ratio = [];
    this.#epochs = [];
    this.#acc = [];
    this.#valAcc = [];
    this.#valLoss = [];
    this.#epochLoss = [];
    this.#emaAcc = [];
    this.#emaLoss = [];
    this.#sizes = [];
    this.#lastCut = false;
    this.#grew++;
  }
}

/** An epoch record's EMA metric (a run without ema has none). */
function emaOf(e: object, key: 'ema_val_accuracy' | 'ema_val_loss'): number | null {
  const v = (e as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : null;
}
