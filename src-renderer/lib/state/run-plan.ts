// What a run will do, in words, before it starts (the Train screen's "What will run"): the
// schedule's stages and epochs, steps per epoch from the dataset and batch size chosen, and the
// jargon explained. Computed by the engine's own functions (parseScheduleFile, resolveBatchSize),
// so the words match what training does.
import { parseScheduleFile, resolveBatchSize } from '../../../src-main/engine/browser.js';

/** What a stage's name means, for people. */
export const STAGE_HELP: Record<string, string> = {
  frozen: 'only the new head trains; the pretrained layers stay as they are',
  unfrozen: 'every layer trains, early layers with smaller rates (discriminative rates)',
  fit: 'one training stage with the schedule as given',
};

export const stageHelp = (name: string): string => STAGE_HELP[name] ?? 'a stage of your schedule';

export interface StagePlan {
  name: string;
  epochs: number;
  frozen: boolean;
  help: string;
  /** The stage's own image size (progressive resizing), or null: the run's. */
  imageSize: number | null;
}

/** The stages a schedule config runs; `fallbackEpochs` for a lone schedule without stages. */
export function stagesOf(scheduleText: string, fallbackEpochs = 1): StagePlan[] | null {
  try {
    const plan = parseScheduleFile(JSON.parse(scheduleText));
    return plan.stages.map((s) => ({
      name: s.name,
      epochs: s.epochs > 0 ? s.epochs : fallbackEpochs,
      frozen: s.freeze === 'backbone',
      help: stageHelp(s.name),
      imageSize: s.imageSize ?? null,
    }));
  } catch {
    return null;
  }
}

/**
 * The image sizes a plan trains at, in words, for "What will run": null when no stage gives one
 * (the run's single size applies). `fallback`: the run's size (the field, else the model's own).
 */
export function sizesInWords(stages: readonly StagePlan[] | null, fallback: number | null): string | null {
  if (!stages?.some((s) => s.imageSize !== null)) return null;
  const px = (s: StagePlan) =>
    (s.imageSize ?? fallback) !== null ? `${s.imageSize ?? fallback} px` : "the run's size";
  const parts = stages.map((s) => `${px(s)} (“${s.name}”)`);
  return `${parts.join(', then ')}: progressive resizing; the model is saved at ${px(stages.at(-1)!)}`;
}

/** Training images: the pre-split train folder's count, else the total less the validation fraction. */
export function trainImages(
  brief: { total: number; split: { train: number; val: number } | null } | null,
  valSplit: number,
): number | null {
  if (!brief) return null;
  if (brief.split) return brief.split.train;
  // stratifiedSplit rounds the validation count per class; the whole is close enough for a preview.
  return Math.max(0, brief.total - Math.round(brief.total * valSplit));
}

/** Batch size as training resolves it ("auto": from the training images) and steps per epoch. */
export function stepsPlan(
  images: number | null,
  batchSize: number | undefined,
): { batch: number; auto: boolean; stepsPerEpoch: number } | null {
  if (images === null || images <= 0) return null;
  const batch = resolveBatchSize(batchSize ?? 'auto', images);
  return { batch, auto: batchSize === undefined, stepsPerEpoch: Math.ceil(images / batch) };
}
