// The Dataset screen: inspect a folder (classes, counts, problems, imbalance), its thumbnails,
// and what augmentation does to it. Each is one engine call through the client.
import type { DatasetBrief, ReplyOf } from '../../../src-main/contract/contract.js';
import type { MixSettings } from '../../../src-main/engine/browser.js';
import type { Client } from '../client/index.js';
import { ProgressMeter } from './progress.svelte.js';
import { Task } from './task.svelte.js';

/** Above this largest/smallest class ratio, say what to do about it (as `anneal data inspect`). */
export const IMBALANCE_WARNING = 3;
/** Duplicate groups listed with thumbnails (the service sends thumbnails for its first 30). */
export const GROUPS_SHOWN = 30;

export class DatasetState {
  readonly inspect = new Task<ReplyOf<'data.inspect'>>();
  readonly thumbnails = new Task<ReplyOf<'data.thumbnails'>>();
  readonly preview = new Task<ReplyOf<'data.augmentPreview'>>();
  readonly sample = new Task<ReplyOf<'data.makeSample'>>();
  /** Files decoded so far while inspecting (a large folder takes tens of seconds). */
  readonly progress: ProgressMeter;
  #restored = $state<DatasetBrief | null>(null);
  #inspected = $state('');
  /** Images moved into (+) or out of (−) each class since the inspection (label-issues panel). */
  #moved = $state<Record<string, number>>({});

  constructor(private readonly client: Client) {
    this.progress = new ProgressMeter(client);
  }

  /**
   * Inspects the folder and fetches its thumbnails, decoded with `alpha`; true when it could be read.
   * `onReadable` runs as soon as the report is in, before the thumbnails, so that the folder is the
   * one the other controls (augmentation preview, training) use while they load.
   */
  async load(path: string, alpha = 'white', onReadable?: () => void): Promise<boolean> {
    this.thumbnails.clear();
    this.preview.clear();
    this.#inspected = path;
    this.#moved = {};
    const progressTag = this.progress.begin();
    const report = await this.inspect.run(() => this.client.invoke('data.inspect', { path, alpha, progressTag }));
    this.progress.end();
    if (!report) return false;
    onReadable?.();
    await this.thumbnails.run(() => this.client.invoke('data.thumbnails', { path, perClass: 6, size: 72, alpha }));
    return true;
  }

  /**
   * A file moved from one class folder to another (the label-issues panel): the class counts
   * follow, and the thumbnails are fetched again, without decoding the whole folder again.
   */
  async applyMove(move: { fromClass: string; toClass: string }, alpha = 'white'): Promise<void> {
    const moved = { ...this.#moved };
    moved[move.fromClass] = (moved[move.fromClass] ?? 0) - 1;
    moved[move.toClass] = (moved[move.toClass] ?? 0) + 1;
    this.#moved = moved;
    const path = this.#inspected;
    if (path)
      await this.thumbnails.run(() => this.client.invoke('data.thumbnails', { path, perClass: 6, size: 72, alpha }));
  }

  /** Images per class: the inspection's counts, with the moves made since. */
  get classCounts(): { name: string; count: number }[] {
    return (this.inspect.result?.classes ?? []).map((c) => ({
      name: c.name,
      count: c.count + (this.#moved[c.name] ?? 0),
    }));
  }

  /** The duplicate groups to show (label conflicts first, as inspect sorts them), files as thumbnails. */
  get duplicateGroups(): {
    title: string;
    conflict: boolean;
    files: { path: string; className: string; src: string | null }[];
  }[] {
    const r = this.inspect.result;
    if (!r) return [];
    return r.duplicates.slice(0, GROUPS_SHOWN).map((g) => ({
      title: `${g.conflict ? 'Label conflict: ' : ''}${g.kind === 'exact' ? 'byte-identical' : 'near-duplicate'} (${g.paths.length} files${g.conflict ? `, classes ${[...new Set(g.classes)].join(', ')}` : ''})`,
      conflict: g.conflict,
      files: g.paths.map((path, i) => ({ path, className: g.classes[i]!, src: r.thumbnails[path] ?? null })),
    }));
  }

  /** One line on duplicates: how many groups, how many span classes; null with none. */
  get duplicateSummary(): string | null {
    const r = this.inspect.result;
    if (!r || r.duplicates.length === 0) return null;
    const files = r.duplicates.reduce((n, g) => n + g.paths.length, 0);
    const groups = `${r.duplicates.length} duplicate group${r.duplicates.length === 1 ? '' : 's'}`;
    const more = r.duplicates.length > GROUPS_SHOWN ? ` (the first ${GROUPS_SHOWN} shown)` : '';
    const conflicts = r.labelConflicts ? `; ${r.labelConflicts} span two or more classes (label conflicts)` : '';
    return `${groups}, ${files} files${more}${conflicts}. The split keeps each group on one side.`;
  }

  /** Images with transparency, and how many are left with no content under the chosen option; null with none. */
  get transparencyNote(): string | null {
    const t = this.inspect.result?.transparency;
    if (!t || t.images === 0) return null;
    const blank = t.nearlyUniform
      ? ` ${t.nearlyUniform} of them become nearly uniform (no content left): try another option.`
      : ' None of them becomes blank.';
    return `${t.images} images have transparent pixels, composited with "${t.alpha}".${blank}`;
  }

  /** The dataset in brief: from this page's inspection, else from the saved workspace. */
  get brief(): DatasetBrief | null {
    const r = this.inspect.result;
    if (r) return { path: this.#inspected, total: r.total, classes: this.classCounts, split: r.split };
    return this.#restored;
  }
  set brief(b: DatasetBrief | null) {
    this.#restored = b;
  }

  async makeSample(dir: string, imagesPerClass: number): Promise<string | null> {
    const r = await this.sample.run(() => this.client.invoke('data.makeSample', { dir, imagesPerClass }));
    return r?.path ?? null;
  }

  async previewAugment(
    path: string,
    augment: Record<string, unknown> | false,
    seed: number,
    alpha = 'white',
    mix?: MixSettings,
  ): Promise<void> {
    // "No augmentation" previews as every transform off: the eval view, repeated.
    const config = augment === false ? NO_AUGMENT : augment;
    await this.preview.run(() =>
      this.client.invoke('data.augmentPreview', {
        path,
        augment: config,
        seed,
        rows: 4,
        cols: 5,
        size: 96,
        alpha,
        ...(mix ? { mix } : {}),
      }),
    );
  }

  /** uPlot data for the class-count bars: x = class index, y = images. */
  get countsChart(): number[][] {
    const r = this.inspect.result;
    if (!r) return [];
    return [r.classes.map((_, i) => i), this.classCounts.map((c) => c.count)];
  }

  get classNames(): string[] {
    return this.inspect.result?.classes.map((c) => c.name) ?? [];
  }

  /** One sentence when the classes are too uneven to train on as they are; else null. */
  get imbalanceWarning(): string | null {
    const r = this.inspect.result;
    if (!r?.imbalance || r.classes.length < 2 || r.imbalance.ratio <= IMBALANCE_WARNING) return null;
    const { ratio, largest, smallest } = r.imbalance;
    return `Imbalanced: ${largest} has ${ratio}× the images of ${smallest}. Consider class weights or a balanced sampler.`;
  }
}

const NO_AUGMENT = { randomResizedCrop: false, hflip: false, vflip: false, rotate: false, colorJitter: false };
