// The regularisation recipes as form fields (the Train screen's "Regularisation" card; MixUp and
// CutMix also beside the augmentation preview), turned into the run config's fields
// (engine/train/recipes.ts): labelSmoothing, mixup, cutmix, mixProb, switchProb, ema.
import { describeRecipes, recipeIssue, type MixSettings } from '../../../src-main/engine/browser.js';

export class RecipeForm {
  labelSmoothing = $state(0);
  mixup = $state(false);
  mixupAlpha = $state(0.4);
  cutmix = $state(false);
  cutmixAlpha = $state(1);
  mixProb = $state(1);
  switchProb = $state(0.5);
  ema = $state(false);
  emaDecay = $state(0.999);
  emaWarmup = $state(true);

  /** The run config's recipe fields (an emptied number field binds as null: sent as is, refused by name). */
  get config(): Record<string, unknown> {
    return {
      labelSmoothing: this.labelSmoothing,
      mixup: this.mixup ? { alpha: this.mixupAlpha } : false,
      cutmix: this.cutmix ? { alpha: this.cutmixAlpha } : false,
      mixProb: this.mixProb,
      switchProb: this.switchProb,
      ema: this.ema ? { decay: this.emaDecay, warmup: this.emaWarmup } : false,
    };
  }

  /** What is wrong, naming the run-config field ("mixup.alpha: must be > 0 …"); null when valid. */
  get error(): string | null {
    return recipeIssue(this.config);
  }

  /** The mixing for the augmentation preview; undefined when off or invalid. */
  get mix(): MixSettings | undefined {
    if ((!this.mixup && !this.cutmix) || this.error) return undefined;
    const c = this.config as MixSettings;
    return { mixup: c.mixup, cutmix: c.cutmix, mixProb: c.mixProb, switchProb: c.switchProb };
  }

  /** In words, as the model card says it ("none" without any). */
  get summary(): string {
    return this.error ?? describeRecipes(this.config);
  }

  /** The fields, for the workspace. */
  toJSON(): Record<string, number | boolean> {
    const { labelSmoothing, mixup, mixupAlpha, cutmix, cutmixAlpha, mixProb, switchProb, ema, emaDecay, emaWarmup } =
      this;
    return { labelSmoothing, mixup, mixupAlpha, cutmix, cutmixAlpha, mixProb, switchProb, ema, emaDecay, emaWarmup };
  }
}
