// The Schedule screen's form: a recipe or a one-cycle schedule as fields, written into the
// ScheduleEditor's JSON (which previews it with the engine's own previewSchedule); and the
// batch-size scaling calculator (Goyal et al.'s linear rule, or the square-root rule), computed
// by the engine's scalingFactor so it agrees with what training applies.
import { ConfigError, parseStageSizes, scalingFactor, withStageSizes } from '../../../src-main/engine/browser.js';
import type { ScheduleEditor } from './schedule-editor.svelte.js';

export type ScheduleMode = 'fineTune' | 'oneCycle' | 'json';

export class ScheduleForm {
  #mode = $state<ScheduleMode>('fineTune');
  epochs = $state(3);
  freezeEpochs = $state(1);
  baseLr = $state(2e-3);
  lrMult = $state(100);
  pctStart = $state(0.3);
  /** One-cycle: the head's peak rate, and the first group's (discriminative, fastai slice). */
  maxLr = $state(3e-3);
  minGroupLr = $state(3e-6);
  /**
   * Progressive resizing: one image size per stage, as typed ("32, 48"; empty: the run's one size).
   * The recipe is then written out as its stages, each with its imageSize (engine withStageSizes).
   */
  stageSizes = $state('');

  constructor(private readonly editor: ScheduleEditor) {}

  /** Why the stage sizes cannot apply, in one line (shown under the field, so without its name), or null. */
  get sizesError(): string | null {
    try {
      this.#sized();
      return null;
    } catch (e) {
      if (e instanceof ConfigError) return e.reason;
      throw e;
    }
  }

  get mode(): ScheduleMode {
    return this.#mode;
  }
  set mode(m: ScheduleMode) {
    this.#mode = m;
    if (m !== 'json') this.apply();
  }

  /** The config the fields describe (the "json" mode keeps the editor's own text). */
  get config(): Record<string, unknown> | null {
    if (this.#mode === 'fineTune') {
      return {
        recipe: {
          type: 'fineTune',
          epochs: this.epochs,
          freezeEpochs: this.freezeEpochs,
          baseLr: this.baseLr,
          lrMult: this.lrMult,
          pctStart: this.pctStart,
        },
      };
    }
    if (this.#mode === 'oneCycle') {
      return {
        stages: [
          {
            name: 'fit',
            epochs: this.epochs,
            schedule: {
              type: 'oneCycle',
              maxLr: { slice: [this.minGroupLr, this.maxLr] },
              pctStart: this.pctStart,
            },
          },
        ],
      };
    }
    return null;
  }

  /** The config with the stage sizes applied; throws a ConfigError naming the field. */
  #sized(): Record<string, unknown> | null {
    const c = this.config;
    if (!c || !this.stageSizes.trim()) return c;
    return withStageSizes(c, parseStageSizes(this.stageSizes));
  }

  /** Writes the fields into the editor, whose preview follows; sizes that cannot apply are left out (sizesError says why). */
  apply(): void {
    let c: Record<string, unknown> | null;
    try {
      c = this.#sized();
    } catch {
      c = this.config;
    }
    if (!c) return;
    this.editor.text = JSON.stringify(c, null, 2);
    // A recipe or stages say how many epochs they run; the preview shows all of them.
    this.editor.epochs = undefined;
  }
}

export class BatchScaling {
  rule = $state<'linear' | 'sqrt'>('linear');
  baseBatch = $state(256);
  baseLr = $state(0.1);
  batchSize = $state(1024);

  /** The rate for `batchSize`, or null for values the rule cannot take. */
  get scaledLr(): number | null {
    if (!(this.baseBatch > 0 && this.batchSize > 0 && this.baseLr > 0)) return null;
    return this.baseLr * scalingFactor({ rule: this.rule, baseBatch: this.baseBatch }, this.batchSize);
  }
}
