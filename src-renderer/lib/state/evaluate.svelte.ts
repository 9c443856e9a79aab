// The Evaluate screen: a run's model on its validation split, with the progress of the pass; the
// images behind any confusion-matrix cell (with every class's probability); and the numbers that
// give accuracy a scale: the majority-class baseline, and the classes the model never predicts.
import type { ReplyOf } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { ProgressMeter } from './progress.svelte.js';
import { Task } from './task.svelte.js';

type Result = ReplyOf<'eval.run'>;
export type CellImage = NonNullable<Result['images']>[number];

export class EvalState {
  readonly task = new Task<Result>();
  readonly progress: ProgressMeter;
  readonly cellThumbs = new Task<Record<string, string>>();
  #cell = $state<{ label: number; predicted: number } | null>(null);

  constructor(private readonly client: Client) {
    this.progress = new ProgressMeter(client);
  }

  async run(target: string): Promise<void> {
    this.#cell = null;
    this.cellThumbs.clear();
    const progressTag = this.progress.begin();
    await this.task.run(() => this.client.invoke('eval.run', { target, topLosses: 12, perImage: true, progressTag }));
    this.progress.end();
  }

  get cell(): { label: number; predicted: number } | null {
    return this.#cell;
  }

  /** Shows the images of one cell (true class row, predicted class column). */
  async openCell(label: number, predicted: number): Promise<void> {
    this.#cell = { label, predicted };
    const paths = this.cellImages.slice(0, 200).map((i) => i.path);
    if (paths.length) await this.cellThumbs.run(() => this.client.invoke('media.thumbnails', { paths, size: 96 }));
    else this.cellThumbs.clear();
  }

  /** The open cell's images, most confident first. */
  get cellImages(): CellImage[] {
    const c = this.#cell;
    const images = this.task.result?.images ?? [];
    if (!c) return [];
    return images
      .filter((i) => i.label === c.label && i.predicted === c.predicted)
      .sort((a, b) => b.probs[b.predicted]! - a.probs[a.predicted]!);
  }

  /** Accuracy of always answering the largest class: what any model has to beat. */
  get baseline(): { accuracy: number; className: string } | null {
    const r = this.task.result;
    if (!r || r.count === 0) return null;
    const support = r.confusion.map((row) => row.reduce((a, b) => a + b, 0));
    const top = support.indexOf(Math.max(...support));
    return { accuracy: support[top]! / r.count, className: r.classes[top]! };
  }

  /**
   * How many classes are as large as the baseline's: with a tie, "the largest class" is any of
   * them, and naming one alone would read as if it stood out.
   */
  get baselineTies(): number {
    const r = this.task.result;
    if (!r || r.count === 0) return 0;
    const support = r.confusion.map((row) => row.reduce((a, b) => a + b, 0));
    const top = Math.max(...support);
    return support.filter((n) => n === top).length;
  }

  /** Classes no image was predicted as (an empty confusion-matrix column). */
  get neverPredicted(): string[] {
    const r = this.task.result;
    if (!r) return [];
    return r.classes.filter((_, j) => r.confusion.every((row) => row[j] === 0));
  }

  /** Top-k says nothing new when k covers every class (it is then 1). */
  get showTopK(): boolean {
    const r = this.task.result;
    return !!r && r.topK.k < r.classes.length;
  }
}
