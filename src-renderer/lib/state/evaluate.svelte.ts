// The Evaluate screen: a run's model on its validation split, with the progress of the pass; the
// images behind any confusion-matrix cell (with every class's probability); and the numbers that
// give accuracy a scale: the majority-class baseline, and the classes the model never predicts.
import type { ExplainedImage, ReplyOf } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { ProgressMeter } from './progress.svelte.js';
import { Task } from './task.svelte.js';

type Result = ReplyOf<'eval.run'>;
export type CellImage = NonNullable<Result['images']>[number];

export class EvalState {
  readonly task = new Task<Result>();
  readonly progress: ProgressMeter;
  readonly cellThumbs = new Task<Record<string, string>>();
  /** The latest request for Grad-CAM overlays: its running state and error. */
  readonly explaining = new Task<ReplyOf<'explain.images'>>();
  /** Evaluate with test-time augmentation (fastai's tta, its defaults). */
  tta = $state(false);
  #gradcam = $state(false);
  #overlays = $state<Record<string, ExplainedImage>>({});
  #target: string | null = null;
  #cell = $state<{ label: number; predicted: number } | null>(null);

  constructor(private readonly client: Client) {
    this.progress = new ProgressMeter(client);
  }

  async run(target: string): Promise<void> {
    this.#cell = null;
    this.cellThumbs.clear();
    this.explaining.clear();
    this.#overlays = {};
    this.#target = target;
    const progressTag = this.progress.begin();
    const tta = this.tta ? {} : undefined;
    await this.task.run(() =>
      this.client.invoke('eval.run', { target, topLosses: 12, perImage: true, progressTag, ...(tta ? { tta } : {}) }),
    );
    this.progress.end();
    if (this.#gradcam) await this.loadOverlays(this.#shownPaths());
  }

  /** Grad-CAM overlays on the galleries (top losses, the open cell). */
  get gradcam(): boolean {
    return this.#gradcam;
  }
  async setGradcam(on: boolean): Promise<void> {
    this.#gradcam = on;
    if (on) await this.loadOverlays(this.#shownPaths());
  }

  /** The overlay of an image, once loaded, while overlays are on. */
  overlay(path: string): ExplainedImage | undefined {
    return this.#gradcam ? this.#overlays[path] : undefined;
  }

  #predictedClasses(): Map<string, string> {
    const r = this.task.result;
    const out = new Map<string, string>();
    if (!r) return out;
    for (const t of r.topLosses) out.set(t.path, t.predicted);
    for (const im of r.images ?? []) out.set(im.path, r.classes[im.predicted]!);
    return out;
  }

  #shownPaths(): string[] {
    const top = this.task.result?.topLosses.map((t) => t.path) ?? [];
    return [...new Set([...top, ...this.cellImages.slice(0, 200).map((i) => i.path)])];
  }

  /** Asks for the overlays not loaded yet (the model of the evaluated run). */
  async loadOverlays(paths: string[]): Promise<void> {
    const model = this.#target;
    const missing = paths.filter((p) => !(p in this.#overlays)).slice(0, 200);
    if (!model || missing.length === 0) return;
    // The class the evaluation predicted (with TTA, the combined prediction's), not the plain view's.
    const predicted = this.#predictedClasses();
    const classNames = missing.map((p) => predicted.get(p) ?? '');
    const request = classNames.every(Boolean) ? { model, paths: missing, classNames } : { model, paths: missing };
    const r = await this.explaining.run(() => this.client.invoke('explain.images', request));
    if (r && model === this.#target) {
      const next = { ...this.#overlays };
      for (const im of r.images) next[im.path] = im;
      this.#overlays = next;
    }
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
    if (this.#gradcam && paths.length) await this.loadOverlays(paths);
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
