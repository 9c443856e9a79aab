// The optimizer config as a zod schema. Defaults depend on the type (torch.optim's own defaults
// where torch has one), so the schema reads optional fields and resolves them in one transform;
// the inferred output type is the resolved config that createOptimizer takes.
import { z } from 'zod';
import { ConfigError, parseConfig } from '../schedules/errors.js';
import { DECAY_KINDS, OPTIMIZER_TYPES } from './types.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nonNegative = finite.refine((v) => v >= 0, 'must be >= 0');
const positive = finite.refine((v) => v > 0, 'must be > 0');
// torch accepts momentum >= 0 (sgd.py, rmsprop.py __init__); 1 or more never forgets a gradient
// and diverges, so it is refused here. Adam's betas: torch requires 0 <= beta < 1 (adam.py).
const fraction = finite.refine((v) => v >= 0 && v < 1, 'must be in [0, 1)');

const OptimizerInput = z.strictObject({
  type: z.enum(OPTIMIZER_TYPES).default('adamw'),
  /** SGD / RMSprop momentum (torch `momentum`); Adam's is betas[0]. */
  momentum: fraction.optional(),
  /** SGD only (torch `nesterov`). */
  nesterov: z.boolean().default(false),
  /** Adam / AdamW (torch `betas`). */
  betas: z.tuple([fraction, fraction]).default([0.9, 0.999]),
  /** Adam / AdamW / RMSprop (torch `eps`). */
  eps: positive.default(1e-8),
  /** RMSprop smoothing constant (torch `alpha`). */
  alpha: fraction.default(0.99),
  /** One value for every layer group, or one per group. */
  weightDecay: z.union([nonNegative, z.array(nonNegative).min(1, 'needs at least one value')]).optional(),
  /**
   * 'decoupled': p *= 1 - lr*wd before the update (AdamW, Loshchilov & Hutter; fastai applies it
   * to every optimizer). 'l2': wd*p added to the gradient (torch's `weight_decay` for SGD, Adam,
   * RMSprop). 'l1': wd*sign(p) added to the gradient (an L1 term wd*|p|_1 in the loss).
   */
  decay: z.enum(DECAY_KINDS).optional(),
  /** BatchNorm gamma/beta and biases get no weight decay (fastai `bn_bias_state`, timm no_weight_decay). */
  noDecayOnNormAndBias: z.boolean().default(true),
  /** Multiplies the lr of 'bias' parameters (Caffe's `lr_mult: 2` on biases; seed 002). */
  biasLrMult: nonNegative.default(1),
});

// Fields that only some optimizers read, with their defaults. The schema fills defaults, so
// whether the user set one is checked on the raw input: `betas` on SGD would otherwise be accepted
// and silently ignored. A resolved config carries every default and must parse back, so the
// default value itself passes.
const ONLY: Readonly<Record<string, { types: readonly string[]; value: unknown }>> = {
  betas: { types: ['adam', 'adamw'], value: [0.9, 0.999] },
  eps: { types: ['adam', 'adamw', 'rmsprop'], value: 1e-8 },
  alpha: { types: ['rmsprop'], value: 0.99 },
};

const Given = z.preprocess((raw, ctx) => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const type = (raw as { type?: unknown }).type ?? 'adamw';
  for (const [field, { types, value }] of Object.entries(ONLY)) {
    const given = (raw as Record<string, unknown>)[field];
    if (given !== undefined && typeof type === 'string' && (OPTIMIZER_TYPES as readonly string[]).includes(type)) {
      if (!types.includes(type) && JSON.stringify(given) !== JSON.stringify(value)) {
        ctx.issues.push({
          code: 'custom',
          path: [field],
          input: raw,
          message: `is not a ${type} option (it is ${types.join(' and ')}'s)`,
        });
      }
    }
  }
  return raw;
}, OptimizerInput);

export const OptimizerConfig = Given.superRefine((c, ctx) => {
  if (c.type === 'adamw' && c.decay !== undefined && c.decay !== 'decoupled') {
    ctx.addIssue({
      code: 'custom',
      path: ['decay'],
      message: `adamw decouples weight decay by definition; for "${c.decay}" decay use type "adam"`,
    });
  }
  if (c.nesterov && c.type !== 'sgd') {
    ctx.addIssue({ code: 'custom', path: ['nesterov'], message: `is an SGD option, not ${c.type}` });
  }
  // torch.optim.SGD: "Nesterov momentum requires a momentum and zero dampening".
  if (c.nesterov && c.type === 'sgd' && c.momentum === 0) {
    ctx.addIssue({ code: 'custom', path: ['nesterov'], message: 'Nesterov momentum needs momentum > 0' });
  }
  if ((c.type === 'adam' || c.type === 'adamw') && c.momentum !== undefined && c.momentum !== 0) {
    ctx.addIssue({ code: 'custom', path: ['momentum'], message: `${c.type} has no momentum field: set betas[0]` });
  }
}).transform((c) => {
  const adamw = c.type === 'adamw';
  return {
    type: c.type,
    momentum: c.momentum ?? (c.type === 'sgd' ? 0.9 : 0),
    nesterov: c.nesterov,
    betas: c.betas,
    eps: c.eps,
    alpha: c.alpha,
    weightDecay: c.weightDecay ?? (adamw ? 0.01 : 0),
    decay: c.decay ?? (adamw ? 'decoupled' : 'l2'),
    noDecayOnNormAndBias: c.noDecayOnNormAndBias,
    biasLrMult: c.biasLrMult,
  };
});
/** The resolved config (every field present); parsing it again gives it back unchanged. */
export type OptimizerConfig = z.output<typeof OptimizerConfig>;
export type OptimizerConfigInput = z.input<typeof OptimizerInput>;

/** Parses a config, throwing a ConfigError that names the field (prefixed with `prefix`). */
export function parseOptimizerConfig(input: unknown, prefix = ''): OptimizerConfig {
  return parseConfig(OptimizerConfig, input, prefix);
}

/** One weight decay per layer group; an array must have exactly one value per group. */
export function weightDecayPerGroup(config: OptimizerConfig, groups: number): number[] {
  const wd = config.weightDecay;
  if (typeof wd === 'number') return Array.from({ length: groups }, () => wd);
  if (wd.length !== groups) {
    throw new ConfigError(
      'weightDecay',
      `has ${wd.length} per-group values but the model has ${groups} layer group${groups === 1 ? '' : 's'}`,
    );
  }
  return [...wd];
}
