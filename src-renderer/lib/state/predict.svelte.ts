// The Predict screen: one dropped image (its top classes, and the image as the model sees it), or
// a whole folder (a sortable table, its progress, and the same CSV `anneal predict --csv` writes).
import type { FolderPrediction, ReplyOf } from '../../../src-main/contract/contract.js';
import type { Client } from '../client/index.js';
import { ProgressMeter } from './progress.svelte.js';
import { Task } from './task.svelte.js';

export type FolderSort = 'image' | 'top1' | 'p1';

export class PredictState {
  readonly single = new Task<ReplyOf<'predict.run'>>();
  readonly folder = new Task<ReplyOf<'predict.folder'>>();
  readonly progress: ProgressMeter;
  dir = $state('');
  /** Predict with test-time augmentation (fastai's tta, its defaults): one image and folders. */
  tta = $state(false);
  /** Show the Grad-CAM overlay of the top class of one image. */
  gradcam = $state(false);
  #sortBy = $state<FolderSort>('image');
  #descending = $state(false);

  constructor(private readonly client: Client) {
    this.progress = new ProgressMeter(client);
  }

  /** `read` gives the file's bytes as base64; it may refuse (over the upload limit): the task shows why. */
  async predictImage(model: string, name: string, read: () => Promise<string>): Promise<void> {
    // The last image's probabilities and view go at once: beside the new file they would read as its own.
    this.single.clear();
    await this.single.run(async () =>
      this.client.invoke('predict.run', {
        model,
        image: { name, base64: await read() },
        top: 5,
        explain: this.gradcam,
        ...(this.tta ? { tta: {} } : {}),
      }),
    );
  }

  /** Whether the folder's predictions on screen were made with TTA (the toggle may have moved since). */
  folderTta = $state(false);

  async predictFolder(model: string): Promise<void> {
    const progressTag = this.progress.begin();
    const tta = this.tta;
    await this.folder.run(() =>
      this.client.invoke('predict.folder', {
        model,
        dir: this.dir.trim(),
        top: 3,
        progressTag,
        ...(tta ? { tta: {} } : {}),
      }),
    );
    this.folderTta = tta;
    this.progress.end();
  }

  get sortBy(): FolderSort {
    return this.#sortBy;
  }
  get descending(): boolean {
    return this.#descending;
  }
  sort(column: FolderSort): void {
    if (this.#sortBy === column) this.#descending = !this.#descending;
    else {
      this.#sortBy = column;
      // Probabilities read best from the most confident down.
      this.#descending = column === 'p1';
    }
  }

  /** The folder's rows in the table's order. */
  get rows(): FolderPrediction[] {
    const rows = [...(this.folder.result?.rows ?? [])];
    const key = (r: FolderPrediction): string | number =>
      this.#sortBy === 'image' ? r.image : this.#sortBy === 'top1' ? (r.top[0]?.label ?? '') : (r.top[0]?.prob ?? 0);
    const sign = this.#descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
    });
  }

  /** The CSV as a data URL for a download link (what the CLI's --csv writes). */
  get csvHref(): string | null {
    const csv = this.folder.result?.csv;
    return csv ? `data:text/csv;charset=utf-8,${encodeURIComponent(csv)}` : null;
  }
}
