// What the screens share: which screen shows, and the choices that make up a run (dataset, model,
// sizes, split, augmentation, schedule). The Train and LR finder screens build their run config
// from here, so what the user set on Dataset, Model and Schedule is what trains.
import type { Workspace } from '../../../src-main/contract/contract.js';
import { AugmentForm } from './augment-form.svelte.js';
import { RecipeForm } from './recipe-form.svelte.js';
import { ScheduleEditor } from './schedule-editor.svelte.js';
import { ScheduleForm } from './schedule-form.svelte.js';

export const SCREENS = [
  { id: 'dataset', label: 'Dataset' },
  { id: 'model', label: 'Model' },
  { id: 'schedule', label: 'Schedule' },
  { id: 'lrFind', label: 'LR finder' },
  { id: 'train', label: 'Train' },
  { id: 'runs', label: 'Runs' },
  { id: 'sweeps', label: 'Sweeps' },
  { id: 'evaluate', label: 'Evaluate' },
  { id: 'predict', label: 'Predict' },
  { id: 'export', label: 'Export' },
] as const;
export type ScreenId = (typeof SCREENS)[number]['id'];

export class AppState {
  screen = $state<ScreenId>('dataset');
  dataPath = $state('');
  /** An architecture id (its bundled pretrained weights when Anneal ships them) or a model dir. */
  model = $state('resnet_micro');
  /** Layer groups of the chosen model, named as the engine names them (stem … head). */
  groupNames = $state<string[]>(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'head']);
  /** How many: one rate each in the schedule preview. */
  get groups(): number {
    return this.groupNames.length;
  }
  imageSize = $state<number | undefined>(undefined);
  batchSize = $state<number | undefined>(undefined);
  valSplit = $state(0.2);
  seed = $state(0);
  /** What transparent pixels become: white, black, #rrggbb or drop (the run config's alpha). */
  alpha = $state('white');
  /** Measure the update/weight ratio per group every N steps (the run config's updateRatioEvery). */
  updateRatioEvery = $state(10);
  /** The augmentation settings (the Dataset screen edits them). */
  readonly augment = new AugmentForm();
  /** Label smoothing, MixUp/CutMix, EMA of the weights (the Train screen edits them). */
  readonly recipes = new RecipeForm();
  /** The run the Evaluate, Predict and Export screens work on. */
  selectedRun = $state<string | null>(null);
  /** The run the Train screen shows (kept in the workspace: a reload rebuilds its charts). */
  trainRun = $state<string | null>(null);
  /** Set by "Evaluate" on the Runs and Train screens: the Evaluate screen starts at once. */
  evaluateNow = $state(false);
  readonly schedule = new ScheduleEditor({ epochs: undefined, stepsPerEpoch: 20, groups: 6 });
  readonly form = new ScheduleForm(this.schedule);

  constructor() {
    this.form.apply();
  }

  /** The run config for `train.start` and `lrFind.run`; null (with why) when something is missing. */
  get runConfig(): { config: Record<string, unknown>; error: null } | { config: null; error: string } {
    if (!this.dataPath.trim()) return { config: null, error: 'choose a dataset on the Dataset screen' };
    if (this.schedule.error) return { config: null, error: `the schedule is invalid: ${this.schedule.error}` };
    const recipeError = this.recipes.error;
    if (recipeError) return { config: null, error: `regularisation: ${recipeError}` };
    if (this.form.mode !== 'json' && this.form.sizesError) {
      return { config: null, error: `the image sizes per stage are invalid: ${this.form.sizesError}` };
    }
    let schedule: Record<string, unknown>;
    try {
      schedule = JSON.parse(this.schedule.text) as Record<string, unknown>;
    } catch {
      return { config: null, error: 'the schedule is not valid JSON' };
    }
    const config: Record<string, unknown> = {
      ...schedule,
      data: this.dataPath.trim(),
      model: this.model,
      valSplit: this.valSplit,
      seed: this.seed,
      alpha: this.alpha,
      augment: this.augment.config,
      updateRatioEvery: this.updateRatioEvery,
      ...this.recipes.config,
    };
    // An emptied number field binds as null: the model's own size, and "auto".
    if (this.imageSize != null) config.imageSize = this.imageSize;
    if (this.batchSize != null) config.batchSize = this.batchSize;
    return { config, error: null };
  }

  /** Everything the screens were set to, for workspace.set (read inside an effect: it tracks all). */
  toWorkspace(): Workspace {
    const f = this.form;
    const a = this.augment;
    return {
      screen: this.screen,
      dataPath: this.dataPath,
      model: this.model,
      groupNames: this.groupNames,
      imageSize: this.imageSize ?? null,
      batchSize: this.batchSize ?? null,
      valSplit: this.valSplit,
      seed: this.seed,
      updateRatioEvery: this.updateRatioEvery,
      augment: {
        enabled: a.enabled,
        cropMin: a.cropMin,
        crop: a.crop,
        hflip: a.hflip,
        vflip: a.vflip,
        rotate: a.rotate,
        jitter: a.jitter,
      },
      schedule: {
        mode: f.mode,
        text: this.schedule.text,
        epochs: f.epochs,
        freezeEpochs: f.freezeEpochs,
        baseLr: f.baseLr,
        lrMult: f.lrMult,
        pctStart: f.pctStart,
        maxLr: f.maxLr,
        minGroupLr: f.minGroupLr,
        stageSizes: f.stageSizes,
      },
      recipes: this.recipes.toJSON(),
      selectedRun: this.selectedRun,
      trainRun: this.trainRun,
    };
  }

  /** A saved workspace back into the screens; fields it lacks keep their defaults. */
  applyWorkspace(w: Workspace): void {
    const SCREEN_IDS: readonly string[] = SCREENS.map((s) => s.id);
    if (w.screen && SCREEN_IDS.includes(w.screen)) this.screen = w.screen as ScreenId;
    if (w.dataPath !== undefined) this.dataPath = w.dataPath;
    if (w.model) this.model = w.model;
    if (w.groupNames) this.groupNames = w.groupNames;
    if (w.imageSize !== undefined) this.imageSize = w.imageSize ?? undefined;
    if (w.batchSize !== undefined) this.batchSize = w.batchSize ?? undefined;
    if (w.valSplit !== undefined) this.valSplit = w.valSplit;
    if (w.seed !== undefined) this.seed = w.seed;
    if (w.updateRatioEvery !== undefined) this.updateRatioEvery = w.updateRatioEvery;
    Object.assign(this.augment, w.augment ?? {});
    Object.assign(this.recipes, w.recipes ?? {});
    const { mode, text, ...fields } = w.schedule ?? {};
    Object.assign(this.form, fields);
    if (mode === 'json') {
      this.form.mode = 'json';
      if (text !== undefined) this.schedule.text = text;
    } else {
      if (mode) this.form.mode = mode;
      this.form.apply();
    }
    if (w.selectedRun !== undefined) this.selectedRun = w.selectedRun;
    if (w.trainRun !== undefined) this.trainRun = w.trainRun;
  }

  /** The LR finder's suggestion becomes the schedule's base rate. */
  useLearningRate(lr: number): void {
    if (this.form.mode === 'oneCycle') {
      const ratio = this.form.minGroupLr / this.form.maxLr;
      this.form.maxLr = lr;
      this.form.minGroupLr = lr * ratio;
    } else {
      if (this.form.mode === 'json') this.form.mode = 'fineTune';
      this.form.baseLr = lr;
    }
    this.form.apply();
  }
}
