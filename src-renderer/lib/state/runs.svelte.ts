// The Runs screen: seed 000's comparison table (every run, sortable by any column) and the
// selected runs' curves overlaid (the engine's compareRuns: one metric per global epoch).
import type { ReplyOf } from '../../../src-main/contract/contract.js';
import { partialLabel } from '../../../src-main/engine/browser.js';
import type { Client } from '../client/index.js';
import { Task } from './task.svelte.js';

type Summary = ReplyOf<'runs.list'>[number];
export type CompareMetric = 'val_accuracy' | 'val_loss' | 'accuracy' | 'loss';

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** A rate field: a number, or fastai's slice [first group, head] (the head's is the one quoted). */
const headOf = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  const slice = obj(v)?.slice;
  return Array.isArray(slice) && typeof slice.at(-1) === 'number' ? (slice.at(-1) as number) : null;
};

/** What schedule a run used, in a few words: "fine_tune 1+3", "fit: oneCycle", "oneCycle". */
export function recipeOf(config: Record<string, unknown>): string {
  const recipe = obj(config.recipe);
  if (recipe) {
    const name = recipe.type === 'fineTune' ? 'fine_tune' : String(recipe.type);
    return `${name} ${String(recipe.freezeEpochs ?? 1)}+${String(recipe.epochs ?? '?')}`;
  }
  if (Array.isArray(config.stages)) {
    return config.stages
      .map((s) => {
        const st = obj(s);
        return `${String(st?.name ?? 'stage')}: ${String(obj(st?.schedule)?.type ?? '?')}`;
      })
      .join(' + ');
  }
  return String(obj(config.schedule)?.type ?? '–');
}

/** The head's peak (or base) rate the config sets, or null when it does not say. */
export function rateOf(config: Record<string, unknown>): number | null {
  const recipe = obj(config.recipe);
  if (recipe) return headOf(recipe.baseLr) ?? 2e-3; // fastai fine_tune's default base_lr
  const schedules = Array.isArray(config.stages)
    ? config.stages.map((s) => obj(obj(s)?.schedule))
    : [obj(config.schedule)];
  const last = schedules.at(-1);
  return last ? (headOf(last.maxLr) ?? headOf(last.lr) ?? headOf(last.baseLr)) : null;
}

/**
 * The image size a run trained at: the config's (null: the model's own), or with progressive
 * resizing each stage's, "32 → 48" (a stage without one at the run's size).
 */
export function imageSizeOf(config: Record<string, unknown>): number | string | null {
  const run = typeof config.imageSize === 'number' ? config.imageSize : null;
  const sizes = Array.isArray(config.stages) ? config.stages.map((s) => obj(s)?.imageSize) : [];
  if (!sizes.some((v) => typeof v === 'number')) return run;
  return sizes.map((v) => (typeof v === 'number' ? v : (run ?? "model's"))).join(' → ');
}

/** Augmentation in a few words: "off", "default", or the transforms that are on. */
export function augmentOf(config: Record<string, unknown>): string {
  if (config.augment === false) return 'off';
  const a = obj(config.augment);
  if (!a) return 'default';
  const on = Object.entries(a)
    .filter(([, v]) => v !== false && v !== 0 && v !== null)
    .map(([k]) => ({ randomResizedCrop: 'crop', hflip: 'h-flip', vflip: 'v-flip', colorJitter: 'jitter' })[k] ?? k);
  return on.length ? on.join(', ') : 'off';
}

export const RUN_COLUMNS = [
  { id: 'id', label: 'run', value: (r: Summary) => r.id },
  { id: 'arch', label: 'model', value: (r: Summary) => r.arch },
  { id: 'recipe', label: 'recipe', value: (r: Summary) => recipeOf(r.config) },
  { id: 'lr', label: 'rate', value: (r: Summary) => rateOf(r.config) },
  {
    id: 'imageSize',
    label: 'image size',
    value: (r: Summary) => imageSizeOf(r.config),
  },
  {
    id: 'batch',
    label: 'batch',
    value: (r: Summary) => (typeof r.config.batchSize === 'number' ? r.config.batchSize : 'auto'),
  },
  { id: 'augment', label: 'augmentation', value: (r: Summary) => augmentOf(r.config) },
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
/** Columns with the last epoch's numbers: from a cut epoch they are labelled (runPartial). */
export const FINAL_COLUMNS: ReadonlySet<RunColumn> = new Set<RunColumn>(['loss', 'acc', 'val_loss', 'val_acc']);

/** "stopped at epoch 3, step 12/40 (partial epoch)" for a run whose last epoch a stop cut short, else null. */
export function runPartial(r: Pick<Summary, 'final'>): string | null {
  return partialLabel(r.final);
}
/** Shown until the user chooses (Columns): what tells runs apart, and how they did; fits 1280 px. */
export const DEFAULT_COLUMNS: RunColumn[] = [
  'id', // its model is in its id: the "model" column is one to choose
  'status',
  'recipe',
  'lr',
  'imageSize',
  'batch',
  'augment',
  'epochs',
  'val_acc',
  'best_val_acc',
];

export class RunsTable {
  readonly list = new Task<ReplyOf<'runs.list'>>();
  readonly comparison = new Task<ReplyOf<'runs.compare'>>();
  #sortBy = $state<RunColumn>('id');
  #descending = $state(false);
  #selected = $state<string[]>([]);
  metric = $state<CompareMetric>('val_accuracy');
  #columns = $state<RunColumn[]>([...DEFAULT_COLUMNS]);

  constructor(private readonly client: Client) {}

  async refresh(): Promise<void> {
    await this.list.run(() => this.client.invoke('runs.list', {}));
    const dirs = new Set(this.list.result?.map((r) => r.dir) ?? []);
    this.#selected = this.#selected.filter((d) => dirs.has(d));
  }

  /** The columns shown, in the table's order. */
  get columns(): RunColumn[] {
    return this.#columns;
  }
  get visibleColumns(): (typeof RUN_COLUMNS)[number][] {
    return RUN_COLUMNS.filter((c) => this.#columns.includes(c.id));
  }
  /** Shows or hides a column (the run's id always shows). */
  toggleColumn(id: RunColumn): void {
    if (id === 'id') return;
    const on = new Set(this.#columns.includes(id) ? this.#columns.filter((c) => c !== id) : [...this.#columns, id]);
    this.#columns = RUN_COLUMNS.map((c) => c.id).filter((c) => on.has(c));
  }
  /** Columns from a saved workspace; unknown ids (a later version's) are passed over. */
  showColumns(ids: readonly string[]): void {
    const known = RUN_COLUMNS.map((c) => c.id).filter((c) => c === 'id' || ids.includes(c));
    if (known.length > 1) this.#columns = known;
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
