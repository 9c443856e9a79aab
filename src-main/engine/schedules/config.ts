// Schedule configs as zod schemas (the exact contract: shared/docs/schedules.md). Types are
// inferred from the schemas so the validator and the evaluator can never disagree on a shape.
import { z } from 'zod';
export { SCHEDULE_TYPES, type ScheduleType } from './types.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const rate = finite.refine((v) => v >= 0, 'must not be a negative rate');
const positive = finite.refine((v) => v > 0, 'must be > 0');
const positiveInt = z.number().int('must be a whole number').positive('must be > 0');
// Fields that multiply or raise a rate: a negative or zero one would give negative, alternating or
// non-finite rates (factor -2: 0.1, -0.2, 0.4, …), which no optimizer can use. torch's
// StepLR/ExponentialLR take any gamma; we refuse what cannot be a learning rate.
const nonNegative = finite.refine((v) => v >= 0, 'must be >= 0');
// Momentum as torch defines it (sgd.py): 1 or more never forgets a gradient and diverges.
const momentum = finite.refine((v) => v >= 0 && v < 1, 'must be in [0, 1)');

/**
 * A rate-valued field: one number for every group, one per group, or fastai's `slice`.
 * `{"slice": [lo, hi]}` is `even_mults(lo, hi, N)`; `{"slice": [hi]}` is `slice(hi)`.
 */
export const RateValue = z.union([
  rate,
  z.array(rate).min(1, 'needs at least one value'),
  z
    .strictObject({
      slice: z.union([
        z.tuple([positive]),
        z.tuple([positive, positive]).refine(([lo, hi]) => lo <= hi, {
          message: 'slice bounds out of order: lo must be <= hi',
        }),
      ]),
    })
    .describe('slice'),
]);
export type RateValue = z.infer<typeof RateValue>;

const base = {
  unit: z.enum(['step', 'epoch']).default('step'),
  offset: finite.default(0),
};

export const ConstantSchedule = z.strictObject({
  type: z.literal('constant'),
  ...base,
  lr: RateValue,
});

export const StepSchedule = z.strictObject({
  type: z.literal('step'),
  ...base,
  lr: RateValue,
  factor: positive,
  every: positive,
});

export const MultiStepSchedule = z.strictObject({
  type: z.literal('multiStep'),
  ...base,
  lr: RateValue,
  milestones: z.array(finite),
  factor: positive,
});

export const PiecewiseSchedule = z
  .strictObject({
    type: z.literal('piecewise'),
    ...base,
    boundaries: z.array(finite).min(1, 'needs at least one boundary'),
    values: z.array(RateValue),
  })
  .superRefine((s, ctx) => {
    if (s.values.length !== s.boundaries.length + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        message: `needs exactly one more value than boundaries (${s.boundaries.length + 1}), got ${s.values.length}`,
      });
    }
    for (let i = 1; i < s.boundaries.length; i++) {
      if (!(s.boundaries[i]! > s.boundaries[i - 1]!)) {
        ctx.addIssue({
          code: 'custom',
          path: ['boundaries', i],
          message: 'boundaries must be strictly increasing',
        });
      }
    }
  });

export const ExponentialSchedule = z.strictObject({
  type: z.literal('exponential'),
  ...base,
  lr: RateValue,
  decayRate: positive,
  decaySteps: positive,
  staircase: z.boolean().default(false),
});

export const InverseTimeSchedule = z.strictObject({
  type: z.literal('inverseTime'),
  ...base,
  lr: RateValue,
  decayRate: nonNegative,
  decaySteps: positive.default(1),
  staircase: z.boolean().default(false),
});

export const PolynomialSchedule = z.strictObject({
  type: z.literal('polynomial'),
  ...base,
  lr: RateValue,
  endLr: RateValue.default(0.0001),
  decaySteps: positive,
  power: nonNegative.default(1),
  cycle: z.enum(['none', 'keras', 'restart']).default('none'),
});

export const CosineSchedule = z.strictObject({
  type: z.literal('cosine'),
  ...base,
  lr: RateValue,
  decaySteps: positive,
  alpha: nonNegative.default(0),
  warmupSteps: finite.refine((v) => v >= 0, 'must be >= 0').default(0),
  warmupTarget: RateValue.nullable().default(null),
});

export const CosineRestartsSchedule = z.strictObject({
  type: z.literal('cosineRestarts'),
  ...base,
  lr: RateValue,
  firstDecaySteps: positive,
  tMul: positive.default(2),
  mMul: positive.default(1),
  alpha: nonNegative.default(0),
});

export const CyclicSchedule = z.strictObject({
  type: z.literal('cyclic'),
  ...base,
  baseLr: RateValue,
  maxLr: RateValue,
  stepSizeUp: positive,
  stepSizeDown: positive.optional(),
  mode: z.enum(['triangular', 'triangular2', 'exp_range']).default('triangular'),
  gamma: positive.default(1),
});

export const OneCycleSchedule = z
  .strictObject({
    type: z.literal('oneCycle'),
    ...base,
    maxLr: RateValue,
    // Required at the top level; inside a training stage it defaults to the stage's length
    // (fastai's fit_one_cycle spans the whole fit). See compile.ts.
    totalSteps: positiveInt.optional(),
    pctStart: finite.refine((v) => v >= 0 && v <= 1, 'must be between 0 and 1').default(0.25),
    divFactor: positive.default(25),
    finalDivFactor: positive.default(1e5),
    anneal: z.enum(['cos', 'linear']).default('cos'),
    threePhase: z.boolean().default(false),
    cycleMomentum: z.boolean().default(true),
    baseMomentum: momentum.default(0.85),
    maxMomentum: momentum.default(0.95),
    convention: z.enum(['fastai', 'pytorch']).default('fastai'),
  })
  .superRefine((s, ctx) => {
    if (s.threePhase && s.convention === 'fastai') {
      ctx.addIssue({
        code: 'custom',
        path: ['threePhase'],
        message: 'three-phase one-cycle is a PyTorch OneCycleLR option: set "convention": "pytorch"',
      });
    }
  });

export const PlateauSchedule = z.strictObject({
  type: z.literal('plateau'),
  ...base,
  lr: RateValue,
  monitor: z.string().min(1).default('val_loss'),
  mode: z.enum(['min', 'max']).default('min'),
  factor: finite.refine((v) => v < 1 && v >= 0, 'must be in [0, 1)').default(0.1),
  patience: z.number().int().nonnegative().default(10),
  threshold: finite.refine((v) => v >= 0, 'must be >= 0').default(1e-4),
  thresholdMode: z.enum(['rel', 'abs']).default('rel'),
  cooldown: z.number().int().nonnegative().default(0),
  minLr: RateValue.default(0),
});

// Wrappers refer back to ScheduleConfig, so their TypeScript types are written out once here
// (zod cannot infer a recursive type) and checked against the schemas below.
interface Timed {
  unit: 'step' | 'epoch';
  offset: number;
}
export interface WarmupConfig extends Timed {
  type: 'warmup';
  steps: number;
  startFactor?: number | undefined;
  inner: ScheduleConfig;
}
export interface SequentialConfig extends Timed {
  type: 'sequential';
  parts: { schedule: ScheduleConfig; length: number }[];
}

export const WarmupSchedule = z.strictObject({
  type: z.literal('warmup'),
  ...base,
  steps: positiveInt,
  startFactor: finite.refine((v) => v >= 0, 'must be >= 0').optional(),
  inner: z.lazy(() => ScheduleConfig),
});

export const SequentialSchedule = z.strictObject({
  type: z.literal('sequential'),
  ...base,
  parts: z
    .array(z.strictObject({ schedule: z.lazy(() => ScheduleConfig), length: positiveInt }))
    .min(1, 'needs at least one part'),
});

const leaves = [
  ConstantSchedule,
  StepSchedule,
  MultiStepSchedule,
  PiecewiseSchedule,
  ExponentialSchedule,
  InverseTimeSchedule,
  PolynomialSchedule,
  CosineSchedule,
  CosineRestartsSchedule,
  CyclicSchedule,
  OneCycleSchedule,
  PlateauSchedule,
] as const;
export type LeafScheduleConfig = z.infer<(typeof leaves)[number]>;
export type ScheduleConfig = LeafScheduleConfig | WarmupConfig | SequentialConfig;

export const ScheduleConfig: z.ZodType<ScheduleConfig> = z.discriminatedUnion('type', [
  ...leaves,
  WarmupSchedule,
  SequentialSchedule,
]);

/** Goyal et al. 2017: multiply every rate by k = B/baseBatch (linear) or sqrt(B/baseBatch). */
export const LrScaling = z.strictObject({
  rule: z.enum(['linear', 'sqrt', 'none']).default('none'),
  baseBatch: positive.default(256),
});
export type LrScaling = z.infer<typeof LrScaling>;

/** fastai `Learner.fine_tune` (fastai/callback/schedule.py), defaults included. */
export const FineTuneRecipe = z.strictObject({
  type: z.literal('fineTune'),
  epochs: positiveInt,
  baseLr: positive.default(2e-3),
  freezeEpochs: z.number().int().nonnegative().default(1),
  lrMult: finite.refine((v) => v >= 1, 'must be >= 1 (earlier groups train slower)').default(100),
  pctStart: finite.refine((v) => v >= 0 && v <= 1, 'must be between 0 and 1').default(0.3),
  div: positive.default(5),
});
export type FineTuneRecipe = z.infer<typeof FineTuneRecipe>;

/** One fit of a multi-stage plan: which groups train, for how long, under which schedule. */
export const Stage = z.strictObject({
  name: z.string().min(1).optional(),
  epochs: positiveInt,
  /** "backbone": every group but the head (the last) is frozen, fastai `freeze`; "none": all train. */
  freeze: z.enum(['backbone', 'none']).default('none'),
  schedule: ScheduleConfig,
  /**
   * Progressive resizing (fastai): the stage trains and validates at this many pixels; absent, at
   * the run's imageSize (or the model's own). Bounded as the run's imageSize is (train/config.ts).
   */
  imageSize: positiveInt.max(4096, 'must be at most 4096 pixels').optional(),
});
export type Stage = z.infer<typeof Stage>;
