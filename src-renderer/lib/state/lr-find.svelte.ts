// The LR finder screen: the range test, its curve (loss against rate, log scale) drawn live as it
// is measured, and fastai's suggestions, any of which a click makes the schedule's rate. The curve
// is shown up to where the loss climbs back above its level before the fall (the divergent tail says
// nothing about which rate to pick; fastai's plot_lr_find skips its last points for the same
// reason), and a curve that never falls is said to be flat rather than given a "valley".
import type { ReplyOf } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { waitingNote } from '../format.js';
import { ProgressMeter } from './progress.svelte.js';
import { Task } from './task.svelte.js';

export type Suggestion = 'valley' | 'steep' | 'minimum';

/** Below this relative fall from the first smoothed loss to the lowest, the curve is "flat". */
export const FLAT_DROP = 0.05;

export const SUGGESTION_HELP: Record<Suggestion, string> = {
  valley: 'the middle of the longest steady fall (fastai’s default)',
  steep: 'where the loss falls fastest',
  minimum: 'a tenth of the rate at the lowest loss',
};

/**
 * The lowest loss and the highest before it, from the first tenth on: fastai's lr_find drops the
 * first num_it/10 points before it suggests (engine trimForSuggestions), where the debiased EMA
 * is still one noisy batch.
 */
function lowAndPeak(losses: readonly number[], numIt: number): { low: number; peak: number } {
  // A test that diverged early has fewer points than it was asked for: a tenth of those.
  const from = Math.floor(Math.min(numIt, losses.length) / 10);
  let low = from;
  for (let i = from + 1; i < losses.length; i++) if (losses[i]! < losses[low]!) low = i;
  let peak = losses[from]!;
  for (let i = from + 1; i <= low; i++) peak = Math.max(peak, losses[i]!);
  return { low, peak };
}

/** Less than FLAT_DROP of a fall from the peak to the low. */
const isFlat = (low: number, peak: number): boolean => !(peak > 0) || (peak - low) / peak < FLAT_DROP;

/**
 * The points up to where the loss, after its low, climbs above the highest loss before that low
 * (the first point above is kept, so the turn shows). `numIt`: the steps the test was asked for.
 */
export function clipDivergentTail(
  lrs: readonly number[],
  losses: readonly number[],
  numIt = lrs.length,
): [number[], number[]] {
  if (losses.length < 3) return [[...lrs], [...losses]];
  const { low, peak } = lowAndPeak(losses, numIt);
  // A curve with no real fall has no tail to cut: all of it shows how flat it is.
  if (isFlat(losses[low]!, peak)) return [[...lrs], [...losses]];
  let end = losses.length;
  for (let i = low + 1; i < losses.length; i++) {
    if (!Number.isFinite(losses[i]!) || losses[i]! > peak) {
      end = i + 1;
      break;
    }
  }
  return [lrs.slice(0, end), losses.slice(0, end)];
}

export class LrFindState {
  readonly task = new Task<ReplyOf<'lrFind.run'>>();
  readonly progress: ProgressMeter;
  numIt = $state(60);
  /** The steps the shown result was asked for (numIt may have been edited since). */
  #ranNumIt = 60;
  // The points measured so far (a new array per point: uPlot takes the whole series).
  #liveLrs = $state.raw<number[]>([]);
  #liveLosses = $state.raw<number[]>([]);

  /** Jobs ahead of this range test while it waits for the device; null when not queued. */
  #ahead = $state<number | null>(null);

  constructor(private readonly client: Client) {
    this.progress = new ProgressMeter(client, undefined, (p) => {
      this.#liveLrs = [...this.#liveLrs, p.x];
      this.#liveLosses = [...this.#liveLosses, p.y];
    });
    // The range test trains, so it queues behind a training job: say so rather than "Running…".
    client.on('job.update', (job) => {
      if (job.kind === 'lrFind' && this.task.running) this.#ahead = job.state === 'queued' ? (job.ahead ?? 0) : null;
    });
  }

  async run(config: Record<string, unknown>): Promise<void> {
    this.#ahead = null;
    this.#liveLrs = [];
    this.#liveLosses = [];
    const progressTag = this.progress.begin();
    const numIt = this.numIt;
    const r = await this.task.run(() => this.client.invoke('lrFind.run', { config, numIt, progressTag }));
    if (r) this.#ranNumIt = numIt;
    this.progress.end();
    this.#ahead = null;
  }

  get queueNote(): string | null {
    return this.task.running ? waitingNote(this.#ahead) : null;
  }

  /** uPlot data: x = rate, y = smoothed loss; live while running, clipped once done. */
  get chartData(): number[][] {
    const r = this.task.result;
    if (this.task.running) return this.#liveLrs.length ? [this.#liveLrs, this.#liveLosses] : [];
    if (!r) return [];
    return clipDivergentTail(r.lrs, r.losses, this.#ranNumIt);
  }

  /** How many points the clip left out (said under the chart). */
  get clipped(): number {
    const r = this.task.result;
    return r && !this.task.running ? r.lrs.length - this.chartData[0]!.length : 0;
  }

  /**
   * True when the loss never fell by FLAT_DROP from its highest point before its lowest (a noisy
   * first point must not decide it): no rate stands out.
   */
  get flat(): boolean {
    const l = this.task.result?.losses.filter(Number.isFinite);
    if (!l?.length) return false;
    const { low, peak } = lowAndPeak(l, this.#ranNumIt);
    return isFlat(l[low]!, peak);
  }

  /** The suggestions worth a button: none on a flat curve, none below the first rate measured. */
  get suggestions(): { name: Suggestion; lr: number; help: string }[] {
    const r = this.task.result;
    if (!r || this.flat) return [];
    const first = r.lrs[0] ?? 0;
    return (['valley', 'steep', 'minimum'] as const)
      .map((name) => ({ name, lr: r.suggestions[name], help: SUGGESTION_HELP[name] }))
      .filter((s) => Number.isFinite(s.lr) && s.lr >= first);
  }
}
