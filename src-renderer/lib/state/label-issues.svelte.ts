// The Dataset screen's label-issues panel: run the finder (a job, with progress), show the likely
// mislabelled images, move one into its suggested class folder, undo moves. Every move goes
// through the same log as `anneal data move` (<data>/.anneal/label-moves.jsonl).
import type { ReplyOf } from '../../../src-main/contract/contract.js';
import type { LabelIssue, MoveRecord } from '../../../src-main/engine/index.js';
import type { Client } from '../client/index.js';
import { ProgressMeter } from './progress.svelte.js';
import { Task } from './task.svelte.js';

export interface IssueRow extends LabelIssue {
  /** The file name, for the caption. */
  name: string;
  src: string | null;
  /** The move that took this file to another class (not undone yet), else null. */
  moved: MoveRecord | null;
}

/** Told after each move or undo, so that the dataset's views (counts, thumbnails) can follow. */
export type OnMoved = (move: MoveRecord) => void | Promise<void>;

export class LabelIssuesState {
  readonly find = new Task<ReplyOf<'data.issues'>>();
  readonly progress: ProgressMeter;
  folds = $state(5);
  seed = $state(0);
  #path = $state('');
  /** The report kept in the folder from an earlier run (shown until the finder runs again). */
  #restored = $state<ReplyOf<'data.issues'> | null>(null);
  #undoable = $state<MoveRecord[]>([]);
  #busy = $state<string | null>(null);
  #error = $state<string | null>(null);

  constructor(
    private readonly client: Client,
    private readonly onMoved: OnMoved = () => {},
  ) {
    this.progress = new ProgressMeter(client);
  }

  /** Runs the finder on `path` with the backbone `model` (empty: the default). */
  async run(path: string, model: string): Promise<void> {
    this.#path = path;
    this.#error = null;
    const progressTag = this.progress.begin();
    const r = await this.find.run(() =>
      this.client.invoke('data.issues', {
        path,
        ...(model.trim() ? { model: model.trim() } : {}),
        folds: this.folds,
        seed: this.seed,
        progressTag,
      }),
    );
    this.progress.end();
    if (r) this.#undoable = r.undoable;
  }

  /**
   * The folder `path` was chosen (or the page reloaded): its last report, kept in the folder, and
   * the moves that can be undone (newest first). Another folder's results are dropped.
   */
  async loadMoves(path: string): Promise<void> {
    if (path !== this.#path) this.find.clear();
    this.#path = path;
    this.#restored = null;
    this.#undoable = [];
    if (!path) return;
    try {
      const r = await this.client.invoke('data.labelMoves', { path });
      if (path !== this.#path) return;
      this.#undoable = r.undoable;
      this.#restored = r.report && { ...r.report, thumbnails: r.thumbnails, undoable: r.undoable };
    } catch {
      // A folder that cannot be read: the Dataset screen says why; nothing to show here.
    }
  }

  /** The finder's result: this page's run, else the report kept from an earlier one. */
  get result(): ReplyOf<'data.issues'> | null {
    return this.find.result ?? this.#restored;
  }

  /** True when the result shown is the kept report, not this page's run. */
  get restored(): boolean {
    return !this.find.result && this.#restored !== null;
  }

  async move(issue: LabelIssue): Promise<void> {
    await this.#act(issue.path, async () => {
      const r = await this.client.invoke('data.move', { path: this.#path, file: issue.path, to: issue.suggested });
      this.#undoable = r.undoable;
      await this.onMoved(r.record);
    });
  }

  /** Takes back the move `id`, or the newest. */
  async undo(id?: string): Promise<void> {
    await this.#act(id ?? 'newest', async () => {
      const r = await this.client.invoke('data.undoMove', { path: this.#path, ...(id ? { id } : {}) });
      this.#undoable = r.undoable;
      await this.onMoved(r.record);
    });
  }

  async #act(key: string, fn: () => Promise<void>): Promise<void> {
    this.#busy = key;
    this.#error = null;
    try {
      await fn();
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
    } finally {
      this.#busy = null;
    }
  }

  /** What is being moved or undone (a file's path, or a move's id), else null. */
  get busy(): string | null {
    return this.#busy;
  }
  /** The last move's or undo's error. */
  get error(): string | null {
    return this.#error;
  }
  get undoable(): MoveRecord[] {
    return this.#undoable;
  }

  /** The issues in the finder's order, each with its thumbnail and its move, if any. */
  get rows(): IssueRow[] {
    const r = this.result;
    if (!r) return [];
    const root = r.root.replace(/\/+$/, '');
    const movedFrom = new Map(this.#undoable.map((m) => [`${root}/${m.from}`, m]));
    return r.issues.map((i) => ({
      ...i,
      name: i.path.slice(i.path.lastIndexOf('/') + 1),
      src: r.thumbnails[i.path] ?? null,
      moved: movedFrom.get(i.path) ?? null,
    }));
  }

  /** One sentence on what was found; null before a run. */
  get summary(): string | null {
    const r = this.result;
    if (!r) return null;
    const agreement = `${(r.agreement * 100).toFixed(0)}%`;
    const found =
      r.issues.length === 0
        ? `No image looks mislabelled among ${r.total}`
        : `${r.issues.length} of ${r.total} images look mislabelled`;
    const shown =
      r.issues.length > Object.keys(r.thumbnails).length
        ? ` (the first ${Object.keys(r.thumbnails).length} shown)`
        : '';
    const when = this.restored
      ? ` Found ${r.created.slice(0, 16).replace('T', ' ')} UTC; run it again after changes.`
      : '';
    return `${found}${shown}. Out-of-sample predictions agree with the labels on ${agreement}; backbone ${r.backbone}, ${r.settings.folds} folds.${when}`;
  }

  /** A warning where the backbone's features cannot be trusted; else null. */
  get warning(): string | null {
    const r = this.result;
    if (!r) return null;
    if (!r.pretrained)
      return 'This backbone has random weights: its features say little about your images. Choose a pretrained model.';
    if (r.skipped.length)
      return `${r.skipped.length} file${r.skipped.length === 1 ? '' : 's'} could not be read and were left out.`;
    return null;
  }
}
