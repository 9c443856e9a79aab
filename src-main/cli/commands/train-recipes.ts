// `anneal train`'s flags for the regularisation recipes (label smoothing, MixUp/CutMix, EMA of the
// weights): each sets one run-config field (engine train/recipes.ts), which checks its range and
// names the field, so a flag and a config file are refused alike.
import { InvalidArgumentError, type Command } from 'commander';
import { parseRunSettings, type MixSettings } from '../../engine/index.js';
import { UsageError } from '../errors.js';

export interface RecipeFlags {
  labelSmoothing?: number;
  mixup?: number;
  cutmix?: number;
  mixProb?: number;
  switchProb?: number;
  ema?: number | true;
  emaWarmup?: boolean;
}

/** Any number: the range is the run config's to check (it names the field). */
export function numberFlag(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number`);
    return n;
  };
}

/** MixUp/CutMix's flags: `anneal train`'s, and `anneal data preview`'s to show them. */
export function addMixOptions(cmd: Command): Command {
  return cmd
    .option(
      '--mixup <alpha>',
      'MixUp with λ ~ Beta(α, α) per batch (timm mixup_alpha; 0.2–0.4 is usual)',
      numberFlag('--mixup'),
    )
    .option(
      '--cutmix <alpha>',
      'CutMix with λ ~ Beta(α, α) per batch (timm cutmix_alpha; 1.0 is usual)',
      numberFlag('--cutmix'),
    )
    .option(
      '--mix-prob <p>',
      'with --mixup/--cutmix: probability that a batch is mixed (default 1)',
      numberFlag('--mix-prob'),
    )
    .option(
      '--switch-prob <p>',
      'with --mixup and --cutmix: probability of CutMix for a mixed batch (default 0.5)',
      numberFlag('--switch-prob'),
    );
}

export function addRecipeOptions(cmd: Command): Command {
  return addMixOptions(
    cmd.option(
      '--label-smoothing <eps>',
      'label smoothing ε, 0 ≤ ε < 1 (torch CrossEntropyLoss label_smoothing)',
      numberFlag('--label-smoothing'),
    ),
  )
    .option(
      '--ema [decay]',
      'keep a moving average of the weights (default decay 0.999), validated beside them',
      numberFlag('--ema'),
    )
    .option('--no-ema-warmup', 'with --ema: the constant decay from the first step (no ModelEmaV3 warmup)');
}

/** The recipe flags onto a run config (a flag wins over --config). */
export function mergeRecipeFlags(config: Record<string, unknown>, f: RecipeFlags): void {
  if (f.labelSmoothing !== undefined) config.labelSmoothing = f.labelSmoothing;
  if (f.mixup !== undefined) config.mixup = { alpha: f.mixup };
  if (f.cutmix !== undefined) config.cutmix = { alpha: f.cutmix };
  if (f.mixProb !== undefined) config.mixProb = f.mixProb;
  if (f.switchProb !== undefined) config.switchProb = f.switchProb;
  const configEma = typeof config.ema === 'object' && config.ema !== null;
  if (f.emaWarmup === false && f.ema === undefined && !configEma) {
    throw new UsageError('--no-ema-warmup goes with --ema (or an "ema" object in --config)');
  }
  if (f.ema !== undefined || f.emaWarmup === false) {
    const base = typeof config.ema === 'object' && config.ema !== null ? (config.ema as Record<string, unknown>) : {};
    config.ema = {
      ...base,
      ...(typeof f.ema === 'number' ? { decay: f.ema } : {}),
      ...(f.emaWarmup === false ? { warmup: false } : {}),
    };
  }
}

/** `data preview`'s mixing flags as the run config would take them (same checks, same field names). */
export function mixPreviewSettings(f: RecipeFlags): MixSettings | undefined {
  if (f.mixup === undefined && f.cutmix === undefined) return undefined;
  const config: Record<string, unknown> = {};
  mergeRecipeFlags(config, f);
  const parsed = parseRunSettings(config);
  return { mixup: parsed.mixup, cutmix: parsed.cutmix, mixProb: parsed.mixProb, switchProb: parsed.switchProb };
}
