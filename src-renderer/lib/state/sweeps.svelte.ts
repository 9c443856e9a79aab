// The Sweeps view (docs/sweeps.md): the sweeps under sweeps/, one opened; the metric against each
// parameter (log axis where the parameter was sampled in log space), the trials as parallel
// coordinates, their curves overlaid, and the best trial's config to train again.
import type { ReplyOf } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { Task } from './task.svelte.js';

type Detail = ReplyOf<'sweeps.show'>;
type Trial = Detail['trials'][number];

export interface Axis {
  path: string;
  log: boolean;
  min: number;
  max: number;
  /** Non-numeric choices (e.g. optimizer types) are drawn as evenly spaced categories. */
  categories: string[] | null;
}

export interface ParallelLine {
  index: number;
  rank: number | null;
  /** The trial on each axis, 0 (bottom) … 1 (top); the last axis is the metric. */
  y: number[];
}

/** A value as a number on its axis: itself, or its category's position. */
function position(v: unknown, categories: string[] | null): number | null {
  if (categories) return categories.indexOf(JSON.stringify(v));
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function axisOf(path: string, log: boolean, values: unknown[]): Axis {
  const numeric = values.every((v) => typeof v === 'number');
  if (!numeric) {
    const categories = [...new Set(values.map((v) => JSON.stringify(v)))].sort();
    return { path, log: false, min: 0, max: Math.max(1, categories.length - 1), categories };
  }
  const xs = values as number[];
  return { path, log: log && xs.every((x) => x > 0), min: Math.min(...xs), max: Math.max(...xs), categories: null };
}

/** Where v sits between the axis's ends, 0 … 1 (in log10 on a log axis). */
export function normalise(v: number, a: Pick<Axis, 'log' | 'min' | 'max'>): number {
  const f = a.log ? Math.log10 : (x: number) => x;
  const lo = f(a.min);
  const hi = f(a.max);
  return hi === lo ? 0.5 : (f(v) - lo) / (hi - lo);
}

export class SweepsState {
  readonly list = new Task<ReplyOf<'sweeps.list'>>();
  readonly detail = new Task<Detail>();
  #selected = $state<string | null>(null);
  #param = $state<string | null>(null);

  constructor(private readonly client: Client) {}

  /** Lists the sweeps (the Runs screen groups their runs). */
  async refreshList(): Promise<void> {
    await this.list.run(() => this.client.invoke('sweeps.list', {}));
  }

  /** Lists the sweeps, and opens the newest if none is open yet. */
  async refresh(): Promise<void> {
    await this.refreshList();
    const rows = this.list.result ?? [];
    const keep = rows.some((r) => r.dir === this.#selected);
    if (!keep) this.#selected = null;
    const dir = this.#selected ?? rows[0]?.dir;
    if (dir) await this.open(dir);
  }

  async open(sweepDir: string): Promise<void> {
    this.#selected = sweepDir;
    await this.detail.run(() => this.client.invoke('sweeps.show', { sweepDir }));
    const params = this.parameters.map((p) => p.path);
    if (!this.#param || !params.includes(this.#param)) this.#param = params[0] ?? null;
  }

  get selected(): string | null {
    return this.#selected;
  }

  get parameters(): { path: string; log: boolean; type: string }[] {
    return this.detail.result?.meta.parameters ?? [];
  }

  /** The parameter the scatter plots against. */
  get param(): string | null {
    return this.#param;
  }
  set param(path: string | null) {
    this.#param = path;
  }

  /** Trials with a value of the metric, best first. */
  get scored(): Trial[] {
    return (this.detail.result?.trials ?? []).filter((t) => t.value !== null);
  }

  /** The axis of a parameter over every trial of the sweep. */
  axis(path: string): Axis {
    const p = this.parameters.find((x) => x.path === path);
    const values = (this.detail.result?.trials ?? []).map((t) => t.params[path]);
    return axisOf(path, p?.log ?? false, values);
  }

  /**
   * uPlot data for the scatter of the metric against the chosen parameter: x ascending (uPlot's
   * requirement), one y series; a category parameter is plotted at its category's position.
   */
  get scatter(): { data: (number | null)[][]; log: boolean; categories: string[] | null } {
    const path = this.#param;
    if (!path) return { data: [], log: false, categories: null };
    const a = this.axis(path);
    const points = this.scored
      .map((t) => [position(t.params[path], a.categories), t.value] as const)
      .filter((p): p is readonly [number, number] => p[0] !== null)
      .sort((p, q) => p[0] - q[0]);
    return { data: [points.map((p) => p[0]), points.map((p) => p[1])], log: a.log, categories: a.categories };
  }

  /** Parallel coordinates: an axis per parameter and one for the metric, a line per scored trial. */
  get parallel(): { axes: Axis[]; lines: ParallelLine[] } {
    const d = this.detail.result;
    if (!d) return { axes: [], lines: [] };
    const axes = this.parameters.map((p) => this.axis(p.path));
    const values = this.scored.map((t) => t.value!);
    const metricAxis: Axis = {
      path: d.metric,
      log: false,
      min: values.length ? Math.min(...values) : 0,
      max: values.length ? Math.max(...values) : 1,
      categories: null,
    };
    const lines = this.scored.map((t) => ({
      index: t.index,
      rank: t.rank,
      y: [
        ...axes.map((a) => {
          const v = position(t.params[a.path], a.categories);
          return v === null ? 0.5 : normalise(v, a);
        }),
        normalise(t.value!, metricAxis),
      ],
    }));
    return { axes: [...axes, metricAxis], lines };
  }

  /** uPlot data for the trials' curves overlaid: x = epoch (1-based), one series per trial, best first. */
  get curves(): { data: (number | null)[][]; labels: string[] } {
    const trials = (this.detail.result?.trials ?? []).filter((t) => t.curve.length > 0);
    if (!trials.length) return { data: [], labels: [] };
    const n = Math.max(...trials.map((t) => t.curve.length));
    const x = Array.from({ length: n }, (_, i) => i + 1);
    return {
      data: [x, ...trials.map((t) => x.map((_, i) => t.curve[i] ?? null))],
      labels: trials.map((t) => `trial ${t.index}`),
    };
  }

  /** The best trial's run config: a plain run config the Train screen can start. */
  get bestConfig(): Record<string, unknown> | null {
    return this.detail.result?.best?.config ?? null;
  }
}
