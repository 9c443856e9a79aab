// State of the Schedule screen: the config the user edits and the preview it gives, computed by
// the engine's own previewSchedule so the curve on screen is the one training will use.
import {
  ConfigError,
  parseScheduleFile,
  previewSchedule,
  sizeChanges,
  type SchedulePlan,
  type SchedulePreview,
} from '../../../src-main/engine/browser.js';

export interface ScheduleEditorInit {
  text?: string;
  epochs?: number | undefined;
  stepsPerEpoch?: number;
  groups?: number;
  batchSize?: number | undefined;
}

type Outcome =
  { preview: SchedulePreview; plan: SchedulePlan; error: null } | { preview: null; plan: null; error: string };

export const DEFAULT_SCHEDULE = JSON.stringify(
  { schedule: { type: 'oneCycle', maxLr: { slice: [3e-6, 3e-3] }, totalSteps: 500 } },
  null,
  2,
);

export class ScheduleEditor {
  #text = $state(DEFAULT_SCHEDULE);
  /** undefined: as many as the config's stages or recipe have. */
  #epochs = $state<number | undefined>(5);
  #stepsPerEpoch = $state(100);
  #groups = $state(4);
  #batchSize = $state<number | undefined>(undefined);

  #outcome: Outcome = $derived.by(() => this.#evaluate());

  constructor(init: ScheduleEditorInit = {}) {
    if (init.text !== undefined) this.#text = init.text;
    if ('epochs' in init) this.#epochs = init.epochs;
    if (init.stepsPerEpoch !== undefined) this.#stepsPerEpoch = init.stepsPerEpoch;
    if (init.groups !== undefined) this.#groups = init.groups;
    this.#batchSize = init.batchSize;
  }

  get text(): string {
    return this.#text;
  }
  set text(value: string) {
    this.#text = value;
  }
  get epochs(): number | undefined {
    return this.#epochs;
  }
  set epochs(value: number | undefined) {
    this.#epochs = value;
  }
  get stepsPerEpoch(): number {
    return this.#stepsPerEpoch;
  }
  set stepsPerEpoch(value: number) {
    this.#stepsPerEpoch = value;
  }
  get groups(): number {
    return this.#groups;
  }
  set groups(value: number) {
    this.#groups = value;
  }
  get batchSize(): number | undefined {
    return this.#batchSize;
  }
  set batchSize(value: number | undefined) {
    this.#batchSize = value;
  }

  /** The preview, or null while the config is invalid. */
  get preview(): SchedulePreview | null {
    return this.#outcome.preview;
  }

  /** One line naming the field that is wrong, as the CLI would print it; null when valid. */
  get error(): string | null {
    return this.#outcome.error;
  }

  /** One series of rates per layer group (stem first, head last). */
  get lrSeries(): (number | null)[][] {
    const p = this.#outcome.preview;
    if (!p) return [];
    return Array.from({ length: this.#groups }, (_, g) => p.lr.map((row) => row[g] ?? null));
  }

  /**
   * Where the image size changes (progressive resizing), as chart markers at the stage's first
   * step: "32 px", "48 px"; none when every stage trains at one size. `fallback`: the run's size
   * for stages that give none (unknown: "run's size").
   */
  sizeMarkers(fallback: number | null = null): { x: number; label: string }[] {
    const o = this.#outcome;
    if (!o.plan) return [];
    return sizeChanges(o.plan, { stepsPerEpoch: this.#stepsPerEpoch, fallback, epochs: this.#epochs }).map((c) => ({
      x: c.step,
      label: c.size === null ? "run's size" : `${c.size} px`,
    }));
  }

  /** uPlot's AlignedData: x = step, then one series per group, then momentum when cycled. */
  get chartData(): (number | null)[][] {
    const p = this.#outcome.preview;
    if (!p) return [];
    const series: (number | null)[][] = [p.step];
    for (let g = 0; g < this.#groups; g++) series.push(p.lr.map((row) => row[g] ?? null));
    if (p.momentum) series.push(p.momentum);
    return series;
  }

  #evaluate(): Outcome {
    let raw: unknown;
    try {
      raw = JSON.parse(this.#text);
    } catch (e) {
      return { preview: null, plan: null, error: `not valid JSON: ${(e as Error).message}` };
    }
    try {
      const plan = parseScheduleFile(raw);
      const preview = previewSchedule(plan, {
        epochs: this.#epochs,
        stepsPerEpoch: this.#stepsPerEpoch,
        groups: this.#groups,
        batchSize: this.#batchSize,
      });
      return { preview, plan, error: null };
    } catch (e) {
      if (e instanceof ConfigError) return { preview: null, plan: null, error: e.message };
      throw e;
    }
  }
}
