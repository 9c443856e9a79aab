// Progressive resizing (fastai; Howard & Gugger, "Deep Learning for Coders", ch. 7): the stages of
// a plan may train at different image sizes. prepare.ts makes the loaders at every size the plan
// uses; this callback hands the trainer the loaders of each stage's size as the stage begins (as
// fastai's recipe swaps `learn.dls` between fits), records the size in the state (metrics,
// checkpoints and progress carry it) and logs an `image-size` event where it changes.
import type { DataLoader } from '../data/pipeline/index.js';
import { minInputSize, type ArchSpec } from '../models/index.js';
import type { RunStore } from '../runs/index.js';
import { ConfigError, type SchedulePlan } from '../schedules/index.js';
import { Callback, type TrainerHandle, type TrainState } from './callbacks.js';
import type { FeatureCacheOptions } from './trainer.js';

/** The loaders of one image size. */
export interface StageData {
  size: number;
  train: DataLoader;
  val: DataLoader;
  featureCache: FeatureCacheOptions | null;
}

/**
 * The size of each stage (its own `imageSize`, else `fallback`: the run's imageSize or the model's),
 * checked against the architecture's minimum (models/min-size.ts), naming the field that set it. A
 * stage smaller than the one before is allowed, as fastai allows any size, but said once: growing
 * is the recipe.
 */
export function planSizes(
  plan: SchedulePlan | null,
  given: number | undefined,
  fallback: number,
  spec: ArchSpec,
): { perStage: number[]; notices: string[] } {
  const min = minInputSize(spec);
  const below = (size: number) =>
    `${size} px is below ${spec.id}'s minimum input size of ${min} px (its output stride)`;
  if (given !== undefined && given < min) throw new ConfigError('imageSize', below(given));
  const stages = plan?.stages ?? [];
  const perStage = stages.length ? stages.map((s) => s.imageSize ?? fallback) : [fallback];
  const notices: string[] = [];
  stages.forEach((s, i) => {
    const size = perStage[i]!;
    if (s.imageSize !== undefined && size < min) throw new ConfigError(`stages[${i}].imageSize`, below(size));
    if (i > 0 && size < perStage[i - 1]!) {
      notices.push(
        `stages[${i}].imageSize: ${size} px is smaller than the ${perStage[i - 1]} px of the stage before; ` +
          'progressive resizing grows the images (fastai), so this is allowed but unusual',
      );
    }
  });
  return { perStage, notices };
}

/** What the callback needs of the trainer: to be handed the loaders of a size. */
export interface ResizableTrainer extends TrainerHandle {
  useData(d: StageData): void;
}

export class ProgressiveResize extends Callback {
  #trainer: ResizableTrainer | null = null;
  #current: number | null = null;

  constructor(
    private readonly data: readonly StageData[],
    private readonly stageSizes: readonly number[],
    private readonly store: RunStore | null = null,
  ) {
    super();
  }

  override setTrainer(t: TrainerHandle): void {
    this.#trainer = t as ResizableTrainer;
  }

  override async onStageBegin(s: TrainState): Promise<void> {
    const size = this.stageSizes[s.stage] ?? this.stageSizes.at(-1)!;
    s.imageSize = size;
    if (size === this.#current) return;
    const d = this.data.find((x) => x.size === size);
    if (!d) throw new Error(`progressive resizing: no loaders at ${size} px`);
    this.#trainer!.useData(d);
    // The first stage's size is an event too when the plan changes size at all: the log then says
    // every size the run trained at, also after a resume.
    if (this.store && new Set(this.stageSizes).size > 1) {
      this.store.appendEvent('image-size', { stage: s.stage, epoch: s.epoch, step: s.step, size, from: this.#current });
    }
    this.#current = size;
    // Decoded images of a size no later stage uses are dropped (each loader's ImageCache has its own
    // memory budget): a run holds the cached pixels of one size at a time, as without resizing.
    const later = new Set(this.stageSizes.slice(s.stage));
    for (const old of this.data.filter((x) => !later.has(x.size))) {
      for (const loader of new Set([old.train, old.val, old.featureCache?.loader])) loader?.cache.clear();
    }
  }
}
