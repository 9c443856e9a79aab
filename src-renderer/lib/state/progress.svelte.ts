// Progress of one call that streams it (dataset inspection, the LR finder, evaluation, folder
// prediction): the call carries a fresh progressTag and main answers with `task.progress` events
// for that tag (src-main/contract). Counts, the unit, and an ETA at the pace so far.
import type { TaskProgress } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';

let counter = 0;

export class ProgressMeter {
  #tag = $state<string | null>(null);
  #done = $state(0);
  #total = $state(0);
  #unit = $state('');
  #startedAt = 0;
  #firstAt = 0;
  #firstDone = 0;
  #now = $state(0);
  readonly #unsubscribe: () => void;

  constructor(
    client: Client,
    private readonly now: () => number = () => performance.now(),
    /** Told about each point a progress event carries (the LR finder's curve). */
    private readonly onPoint?: (p: NonNullable<TaskProgress['point']>) => void,
  ) {
    this.#unsubscribe = client.on('task.progress', (p) => {
      if (p.tag === this.#tag) this.accept(p);
    });
  }

  /** A new tag for the next call; earlier calls' events are ignored from now on. */
  begin(): string {
    this.#tag = `p${Date.now().toString(36)}-${++counter}`;
    this.#done = 0;
    this.#total = 0;
    this.#unit = '';
    this.#startedAt = this.now();
    this.#firstAt = 0;
    this.#now = this.#startedAt;
    return this.#tag;
  }

  /** The call returned: no more progress to show. */
  end(): void {
    this.#tag = null;
  }

  dispose(): void {
    this.#unsubscribe();
  }

  /** One event (public for tests). */
  accept(p: TaskProgress): void {
    if (this.#firstAt === 0) {
      // The pace is measured from the first report, not from the call (which may queue or load).
      this.#firstAt = this.now();
      this.#firstDone = p.done;
    }
    this.#done = p.done;
    this.#total = p.total;
    this.#unit = p.unit;
    this.#now = this.now();
    if (p.point) this.onPoint?.(p.point);
  }

  get active(): boolean {
    return this.#tag !== null;
  }
  get done(): number {
    return this.#done;
  }
  get total(): number {
    return this.#total;
  }
  get unit(): string {
    return this.#unit;
  }
  get fraction(): number {
    return this.#total > 0 ? Math.min(1, this.#done / this.#total) : 0;
  }

  /** Seconds left at the pace since the first report; null until there is a pace. */
  get etaSeconds(): number | null {
    const elapsed = (this.#now - this.#firstAt) / 1000;
    const done = this.#done - this.#firstDone;
    if (!this.active || this.#firstAt === 0 || elapsed <= 0 || done <= 0) return null;
    return Math.max(0, (this.#total - this.#done) / (done / elapsed));
  }

  /** "412 / 1,100 images", or null before the first report. */
  get label(): string | null {
    if (!this.active || this.#total === 0) return null;
    return `${this.#done.toLocaleString('en')} / ${this.#total.toLocaleString('en')} ${this.#unit}`;
  }
}
