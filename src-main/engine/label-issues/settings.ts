// The label-error finder's settings, defined once: the CLI's flags, the contract's request and the
// report all take them from here (browser-safe: zod only; the renderer's bundle takes it).
import { z } from 'zod';
import { InputError } from '../errors.js';

/** cleanlab's filter_by methods that use the confident joint (the default first). */
export const FILTER_BY = ['prune_by_noise_rate', 'prune_by_class', 'both'] as const;
export type FilterBy = (typeof FILTER_BY)[number];

export const LabelIssuesSettings = z.strictObject({
  /** A pretrained model name, a model dir, a run or a checkpoint: the backbone (default: train's). */
  model: z.string().trim().min(1, 'is empty').max(4096).optional(),
  /** Folds of the cross-validation; every class needs at least this many images. */
  folds: z
    .number('must be a whole number from 2 to 20')
    .int('must be a whole number from 2 to 20')
    .min(2, 'must be at least 2 (one fold to train on, one to predict)')
    .max(20, 'must be at most 20')
    .default(5),
  /** Seeds the stratified folds. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0),
  /** cleanlab's filter_by (filter.py find_label_issues). */
  filterBy: z.enum(FILTER_BY, `must be one of ${FILTER_BY.join(', ')}`).default('prune_by_noise_rate'),
});
export type LabelIssuesSettings = z.output<typeof LabelIssuesSettings>;

/** The settings, or an InputError naming the first wrong field. */
export function parseLabelIssuesSettings(value: unknown): LabelIssuesSettings {
  const r = LabelIssuesSettings.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new InputError(issue.message, { field: issue.path.join('.') || undefined });
}
