// The Runs screen: seed 000's comparison table (every run, sortable by any column) and the
// selected runs' curves overlaid (the engine's compareRuns: one metric per global epoch).
import type { ReplyOf } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { Task } from './task.svelte.js';

type Summary = ReplyOf<'runs.list'>[number];
export type CompareMetric = 'val_accuracy' | 'val_loss' | 'accuracy' | 'loss';

export const RUN_COLUMNS = [
  { id: 'id', label: 'run', value: (r: Summary) => r.id },
  { id: 'arch', label: 'model', value: (r: Summary) => r.arch },
  { id: 'status', label: 'status', value: (r: Summary) => r.status },
  { id: 'epochs', label: 'epochs', value: (r: Summary) => r.epochs },
  { id: 'time', label: 'time (s)', value: (r: Summary) => r.seconds },
  { id: 'loss', label: 'loss', value: (r: Summary) => r.final?.loss ?? null },
  { id: 'acc', label: 'accuracy', value: (r: Summary) => r.final?.accuracy ?? null },
  { id: 'val_loss', label: 'val loss', value: (r: Summary) => r.final?.val_loss ?? null },
  { id: 'val_acc', label: 'val accuracy', value: (r: Summary) => r.final?.val_accuracy ?? null },
  { id: 'best_val_acc', label: 'best val acc', value: (r: Summary) => r.best?.val_accuracy ?? null },
] as const;
export type RunColumn = (typeof RUN_COLUMNS)[number]['id'];

export class RunsTable {
  readonly list = new Task<ReplyOf<'runs.list'>>();
  readonly comparison = new Task<ReplyOf<'runs.compare'>>();
  #sortBy = $state<RunColumn>('id');
  #descending = $state(false);
  #selected = $state<string[]>([]);
  metric = $state<CompareMetric>('val_accuracy');

  constructor(private readonly client: Client) {}

  async refresh(): Promise<void> {
    await this.list.run(() => this.client.invoke('runs.list', {}));
    const dirs = new Set(this.list.result?.map((r) => r.dir) ?? []);
    this.#selected = this.#selected.filter((d) => dirs.has(d));
  }

  get sortBy(): RunColumn {
    return this.#sortBy;
  }
  get descending(): boolean {
    return this.#descending;
  }

  /** Clicking a column sorts by it; clicking it again reverses the order. */
  sort(column: RunColumn): void {
    if (this.#sortBy === column) this.#descending = !this.#descending;
    else {
      this.#sortBy = column;
      this.#descending = false;
    }
  }

  /** The runs in the table's order; runs without a value sort last either way. */
  get rows(): Summary[] {
    const column = RUN_COLUMNS.find((c) => c.id === this.#sortBy)!;
    const sign = this.#descending ? -1 : 1;
    return [...(this.list.result ?? [])].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
      return sign * String(x).localeCompare(String(y));
    });
  }

  get selected(): string[] {
    return this.#selected;
  }

  toggle(dir: string): void {
    this.#selected = this.#selected.includes(dir) ? this.#selected.filter((d) => d !== dir) : [...this.#selected, dir];
  }

  async compare(): Promise<void> {
    if (this.#selected.length === 0) return;
    const runDirs = [...this.#selected];
    await this.comparison.run(() => this.client.invoke('runs.compare', { runDirs, metric: this.metric }));
  }

  /** uPlot data: x = epoch (1-based), one series per compared run, null where not measured. */
  get chartData(): (number | null)[][] {
    const series = this.comparison.result;
    if (!series?.length) return [];
    const last = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.epoch)));
    const x = Array.from({ length: last + 1 }, (_, i) => i + 1);
    return [
      x,
      ...series.map((s) => {
        const row: (number | null)[] = Array(x.length).fill(null);
        for (const p of s.points) row[p.epoch] = p.value;
        return row;
      }),
    ];
  }

  get chartLabels(): string[] {
    return this.comparison.result?.map((s) => s.label) ?? [];
  }
}
