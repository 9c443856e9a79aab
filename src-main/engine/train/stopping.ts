import { higherIsBetter } from '../runs/index.js';
import { Callback, type EpochLogs, type TrainState } from './callbacks.js';

export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: 'min' | 'max';
  patience?: number;
  minDelta?: number;
}

/** Keras EarlyStopping: stop when `monitor` has not improved by minDelta for `patience` epochs. */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  #best: number;
  #wait = 0;

  constructor(o: EarlyStoppingOptions = {}) {
    super();
    this.monitor = o.monitor ?? 'val_loss';
    this.mode = o.mode ?? (higherIsBetter(this.monitor) ? 'max' : 'min');
    this.patience = o.patience ?? 5;
    this.minDelta = Math.abs(o.minDelta ?? 0);
    this.#best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override async onEpochEnd(s: TrainState, logs: EpochLogs): Promise<void> {
    const v = logs[this.monitor];
    if (v === undefined || Number.isNaN(v)) return;
    const better = this.mode === 'min' ? v < this.#best - this.minDelta : v > this.#best + this.minDelta;
    if (better) {
      this.#best = v;
      this.#wait = 0;
    } else if (++this.#wait >= this.patience) {
      s.stopRequested = true;
      s.stopReason ??= {
        kind: 'early-stopping',
        message: `early stopping: ${this.monitor} did not improve for ${this.patience} epochs (best ${this.#best})`,
      };
    }
  }
}

/**
 * Divergence guard: a non-finite loss, or a loss far above the best seen, stops training at once
 * (the caller restores the best checkpoint and says so) instead of wasting epochs on NaNs.
 */
export class DivergenceGuard extends Callback {
  #best = Infinity;
  constructor(private readonly factor = 4) {
    super();
  }

  override async onBatchEnd(s: TrainState, logs: { loss: number }): Promise<void> {
    const l = logs.loss;
    if (!Number.isFinite(l)) {
      s.stopRequested = true;
      s.stopReason = { kind: 'divergence', message: `divergence: the loss became ${l} at step ${s.step}` };
    } else if (l > this.factor * this.#best && s.stageStep > 10) {
      s.stopRequested = true;
      s.stopReason = {
        kind: 'divergence',
        message: `divergence: loss ${l.toPrecision(4)} is more than ${this.factor}x the best ${this.#best.toPrecision(4)} at step ${s.step}`,
      };
    } else {
      this.#best = Math.min(this.#best, l);
    }
  }

  override async onStageBegin(): Promise<void> {
    this.#best = Infinity;
  }
}
