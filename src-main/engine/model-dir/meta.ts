import { z } from 'zod';
import { Alpha } from '../data/sources/alpha.js';

const PreprocessingMeta = z.strictObject({
  scale: z.number().positive(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  channels: z.enum(['RGB', 'BGR']),
  interpolation: z.enum(['bilinear', 'bicubic']),
  /** What transparent pixels become (data/sources/alpha.ts); absent (models before it): white. */
  alpha: Alpha.optional(),
});

/** anneal.json: everything needed to use a model dir besides the TF.js layers model itself. */
export const ModelMeta = z.strictObject({
  format: z.literal('anneal-model'),
  version: z.literal(1),
  arch: z.string(),
  classes: z.number().int().positive(),
  labels: z.array(z.string()),
  inputSize: z.number().int().positive(),
  preprocessing: PreprocessingMeta,
  groups: z.array(z.string()).min(1),
  source: z
    .strictObject({
      file: z.string(),
      sha256: z.string(),
      format: z.string(),
      naming: z.string(),
    })
    .nullable(),
  created: z.string(),
  /** Base rate this model fine-tunes well at (the fine_tune recipe's baseLr when none is given). */
  fineTuneLr: z.number().positive().optional(),
});
export type ModelMeta = z.infer<typeof ModelMeta>;
