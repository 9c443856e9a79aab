// One run in detail (the Runs screen's detail page): its config, a diff of its config against
// another run's, its curves with its events (pauses, rate changes, stops) marked on them, and
// Resume for a run that was stopped or killed (`anneal resume`, as a job).
import type { JobInfo, RunHistory } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { Task } from './task.svelte.js';

export interface ConfigChange {
  key: string;
  a: string;
  b: string;
}

/** Every leaf of a JSON value by dotted path ("recipe.baseLr", "augment.hflip"). */
function leaves(v: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(v));
  }
  return out;
}

/** The keys whose values differ between two configs ("–" where one lacks the key), sorted. */
export function configDiff(a: Record<string, unknown>, b: Record<string, unknown>): ConfigChange[] {
  const la = leaves(a, '', new Map());
  const lb = leaves(b, '', new Map());
  const keys = [...new Set([...la.keys(), ...lb.keys()])].sort();
  return keys.filter((k) => la.get(k) !== lb.get(k)).map((k) => ({ key: k, a: la.get(k) ?? '–', b: lb.get(k) ?? '–' }));
}

/** Events worth a mark on the curves, by name as people say them. */
const MARKED: Record<string, string> = {
  pause: 'pause',
  resume: 'resume',
  'lr-change': 'rate ×',
  stop: 'stop',
  'early-stop': 'early stop',
  divergence: 'diverged',
  'resume-from-checkpoint': 'resumed',
  'image-size': 'px',
};

/** A marker's label: the rate change's factor, the new image size (progressive resizing), else the event's name. */
function markerLabel(e: { type: string; [k: string]: unknown }): string {
  if (e.type === 'lr-change') return `rate ×${Number(e.scaleTo).toPrecision(2)}`;
  if (e.type === 'image-size') return `${Number(e.size)} px`;
  return MARKED[e.type]!;
}

export class RunDetailState {
  readonly history = new Task<RunHistory>();
  readonly other = new Task<RunHistory>();
  readonly resuming = new Task<JobInfo>();
  #dir = $state<string | null>(null);

  constructor(private readonly client: Client) {}

  get dir(): string | null {
    return this.#dir;
  }

  async open(runDir: string): Promise<void> {
    this.#dir = runDir;
    this.other.clear();
    await this.history.run(() => this.client.invoke('runs.history', { runDir }));
  }

  close(): void {
    this.#dir = null;
    this.history.clear();
    this.other.clear();
  }

  async compareWith(runDir: string): Promise<void> {
    await this.other.run(() => this.client.invoke('runs.history', { runDir }));
  }

  get diff(): ConfigChange[] {
    const a = this.history.result?.meta.config;
    const b = this.other.result?.meta.config;
    return a && b ? configDiff(a, b) : [];
  }

  /** A stopped or killed run can go on from its last checkpoint. */
  get resumable(): boolean {
    const s = this.history.result?.summary.status;
    return s === 'stopped' || s === 'killed';
  }

  async resume(): Promise<JobInfo | null> {
    const runDir = this.#dir;
    if (!runDir) return null;
    return this.resuming.run(() => this.client.invoke('runs.resume', { runDir }));
  }

  /** x = step: loss per step (the running mean for older runs that lack it). */
  get lossChart(): (number | null)[][] {
    const steps = this.history.result?.steps ?? [];
    return steps.length ? [steps.map((s) => s.step), steps.map((s) => s.stepLoss ?? s.loss)] : [];
  }

  /** x = epoch (1-based): train and validation accuracy. */
  get accuracyChart(): (number | null)[][] {
    const e = this.history.result?.epochs ?? [];
    return e.length ? [e.map((r) => r.epoch + 1), e.map((r) => r.accuracy), e.map((r) => r.val_accuracy)] : [];
  }

  /** The run's events that have a step, as markers on the per-step chart. */
  get stepMarkers(): { x: number; label: string }[] {
    return (this.history.result?.events ?? [])
      .filter((e) => e.type in MARKED && typeof e.step === 'number')
      .map((e) => ({ x: e.step as number, label: markerLabel(e) }));
  }

  /** The same events on the per-epoch chart, at the epoch they happened in (1-based, as shown). */
  get epochMarkers(): { x: number; label: string }[] {
    return (this.history.result?.events ?? [])
      .filter((e) => e.type in MARKED && typeof e.epoch === 'number')
      .map((e) => ({ x: (e.epoch as number) + 1, label: e.type === 'image-size' ? markerLabel(e) : MARKED[e.type]! }));
  }
}
