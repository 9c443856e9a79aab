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
    }));
  } catch {
    return null;
  }
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
