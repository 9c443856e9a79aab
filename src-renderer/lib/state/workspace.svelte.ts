// The workspace kept server-side per runs folder (workspace.get / workspace.set): a reload, or a
// second window, finds the dataset, sizes, schedule and the Train screen's run where they were.
// Saving is debounced: a typed number is one write, not one per keystroke.
import type { Workspace } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import type { AppState } from './app.svelte.js';
import type { DatasetState } from './dataset.svelte.js';
import type { RunsTable } from './runs.svelte.js';
import type { TrainSession } from './train.svelte.js';

export class WorkspaceSync {
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #pending = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastSaved = '';

  constructor(
    private readonly client: Client,
    private readonly app: AppState,
    private readonly runs: RunsTable,
    private readonly train: TrainSession,
    private readonly data: DatasetState,
    private readonly delayMs = 400,
  ) {
    train.onRun = (runDir) => (app.trainRun = runDir);
  }

  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }
  /** A change is waiting to be written (or being written). */
  get pending(): boolean {
    return this.#pending;
  }

  /** Reads the workspace into the screens, then the Train screen's run from its store. */
  async load(): Promise<void> {
    try {
      const w = await this.client.invoke('workspace.get', {});
      this.app.applyWorkspace(w);
      if (w.runColumns) this.runs.showColumns(w.runColumns);
      if (w.dataset && w.dataset.path === this.app.dataPath) this.data.brief = w.dataset;
      this.#lastSaved = JSON.stringify(this.snapshot());
      if (this.app.trainRun) await this.train.restore(this.app.trainRun);
    } catch (e) {
      this.#error = (e as Error).message;
    } finally {
      this.#loaded = true;
    }
  }

  /** The whole workspace now (an effect that calls this re-runs on any change). */
  snapshot(): Workspace {
    const dataset = this.data.brief;
    return { ...this.app.toWorkspace(), runColumns: [...this.runs.columns], ...(dataset ? { dataset } : {}) };
  }

  /** Saves `w` after `delayMs` of quiet; nothing before the saved one has loaded. */
  schedule(w: Workspace): void {
    if (!this.#loaded) return;
    const text = JSON.stringify(w);
    if (text === this.#lastSaved) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#pending = true;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#lastSaved = text;
      this.client
        .invoke('workspace.set', { workspace: w })
        .then(
          () => (this.#error = null),
          (e: Error) => (this.#error = e.message),
        )
        .finally(() => {
          if (!this.#timer) this.#pending = false;
        });
    }, this.delayMs);
  }
}
