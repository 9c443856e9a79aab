// The records of metrics.jsonl and events.jsonl. Field names are the ones Keras' History and
// CSVLogger use (loss, accuracy, val_loss, val_accuracy), so the files read as people expect.
// Extra fields are allowed and kept: the trainer may log more than this contract names.
import { z } from 'zod';

/** JSON has no NaN or Infinity: a diverged loss is written (and read) as null. */
const Metric = z.number().nullable();
const Index = z.int().nonnegative();
/** One rate per layer group, in the model's group order. */
const Rates = z.array(z.number().nonnegative());

export const StepRecord = z.looseObject({
  type: z.literal('step'),
  /** Global step index, counted across epochs and stages from 0. */
  step: Index,
  /** Global epoch index, counted across stages from 0. */
  epoch: Index,
  /** Index of the stage in the run's plan, from 0. */
  stage: Index,
  lr: Rates,
  /** The epoch's running mean loss up to this step (Keras' per-batch logs). */
  loss: Metric,
  /** This step's own loss (its batch): what a per-step chart plots. Older runs lack it. */
  stepLoss: Metric.optional(),
  momentum: z.number().nullable().optional(),
  /** |Δw| / |w| per layer group for this step: the usual check that a rate is neither too high nor too low. */
  updateRatio: z.array(Metric).optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const EpochRecord = z.looseObject({
  type: z.literal('epoch'),
  /** Global epoch index, counted across stages from 0. */
  epoch: Index,
  stage: Index,
  loss: Metric,
  accuracy: Metric,
  val_loss: Metric,
  val_accuracy: Metric,
  /** The rates at the epoch's last step. */
  lr: Rates,
  /** Wall-clock seconds the epoch took, validation included. */
  seconds: z.number().nonnegative(),
  /** A stop cut this epoch short: its numbers cover part of the data (never the best epoch). */
  partial: z.boolean().optional(),
  /** The image size the epoch trained and validated at (progressive resizing); older runs lack it. */
  imageSize: z.int().positive().optional(),
  /** With partial: the optimizer steps the epoch got through, of its stepsPerEpoch. */
  epochStep: Index.optional(),
  stepsPerEpoch: Index.optional(),
});
export type EpochRecord = z.infer<typeof EpochRecord>;

/** What appendStep takes: a StepRecord without its "type". */
export interface StepInput {
  step: number;
  epoch: number;
  stage: number;
  lr: readonly number[];
  /** NaN or ±Infinity is written as null. */
  loss: number;
  momentum?: number | null;
  updateRatio?: readonly number[];
  [extra: string]: unknown;
}

/** What appendEpoch takes: an EpochRecord without its "type". */
export interface EpochInput {
  epoch: number;
  stage: number;
  loss: number | null;
  accuracy: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  lr: readonly number[];
  seconds: number;
  [extra: string]: unknown;
}

export const RUN_EVENT_TYPES = [
  'start',
  'pause',
  'resume',
  'stop',
  'lr-change',
  'early-stop',
  'divergence',
  'checkpoint',
  'resume-from-checkpoint',
  'skipped-files',
  'stage',
  'image-size',
  'done',
  'duplicates',
  'error',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export const RunEvent = z.looseObject({
  /** ISO 8601, UTC. */
  time: z.string(),
  type: z.enum(RUN_EVENT_TYPES),
});
export type RunEvent = z.infer<typeof RunEvent>;

/** The schema of each event type, for readRecords. */
export const EVENT_SCHEMAS: Record<string, typeof RunEvent> = Object.fromEntries(
  RUN_EVENT_TYPES.map((t) => [t, RunEvent]),
);
