// What the screens share: which screen shows, and the choices that make up a run (dataset, model,
// sizes, split, augmentation, schedule). The Train and LR finder screens build their run config
// from here, so what the user set on Dataset, Model and Schedule is what trains.
import { AugmentForm } from './augment-form.svelte.js';
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
  /** The run the Evaluate, Predict and Export screens work on. */
  selectedRun = $state<string | null>(null);
  readonly schedule = new ScheduleEditor({ epochs: undefined, stepsPerEpoch: 20, groups: 6 });
  readonly form = new ScheduleForm(this.schedule);

  constructor() {
    this.form.apply();
  }

  /** The run config for `train.start` and `lrFind.run`; null (with why) when something is missing. */
  get runConfig(): { config: Record<string, unknown>; error: null } | { config: null; error: string } {
    if (!this.dataPath.trim()) return { config: null, error: 'choose a dataset on the Dataset screen' };
    if (this.schedule.error) return { config: null, error: `the schedule is invalid: ${this.schedule.error}` };
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
    };
    // An emptied number field binds as null: the model's own size, and "auto".
    if (this.imageSize != null) config.imageSize = this.imageSize;
    if (this.batchSize != null) config.batchSize = this.batchSize;
    return { config, error: null };
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
