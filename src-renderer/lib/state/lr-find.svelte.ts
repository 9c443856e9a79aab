// The LR finder screen: the range test, its curve (loss against rate, log scale), and fastai's
// suggestions, any of which a click makes the schedule's rate.
import type { ReplyOf } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { waitingNote } from '../format.js';
import { Task } from './task.svelte.js';

export type Suggestion = 'valley' | 'steep' | 'minimum';

export class LrFindState {
  readonly task = new Task<ReplyOf<'lrFind.run'>>();
  numIt = $state(60);

  /** Jobs ahead of this range test while it waits for the device; null when not queued. */
  #ahead = $state<number | null>(null);

  constructor(private readonly client: Client) {
    // The range test trains, so it queues behind a training job: say so rather than "Running…".
    client.on('job.update', (job) => {
      if (job.kind === 'lrFind' && this.task.running) this.#ahead = job.state === 'queued' ? (job.ahead ?? 0) : null;
    });
  }

  async run(config: Record<string, unknown>): Promise<void> {
    this.#ahead = null;
    await this.task.run(() => this.client.invoke('lrFind.run', { config, numIt: this.numIt }));
    this.#ahead = null;
  }

  get queueNote(): string | null {
    return this.task.running && this.#ahead !== null ? waitingNote(this.#ahead) : null;
  }

  /** uPlot data: x = rate, y = smoothed loss. */
  get chartData(): number[][] {
    const r = this.task.result;
    return r ? [r.lrs, r.losses] : [];
  }

  get suggestions(): { name: Suggestion; lr: number }[] {
    const s = this.task.result?.suggestions;
    if (!s) return [];
    return (['valley', 'steep', 'minimum'] as const).map((name) => ({ name, lr: s[name] }));
  }
}
