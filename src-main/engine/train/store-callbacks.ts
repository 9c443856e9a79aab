// Callbacks that write to the run store: every step and epoch to metrics.jsonl, a checkpoint every
// epoch (and the best), and a throttled progress stream for whoever watches (CLI bar, desktop app).
import type { GroupOptimizer } from '../optim/index.js';
import { higherIsBetter, type RunStore } from '../runs/index.js';
import {
  appliedLr,
  Callback,
  type BatchLogs,
  type EpochLogs,
  type TrainerHandle,
  type TrainState,
} from './callbacks.js';
import { smoothStep } from './lr-find-math.js';
import { getModelWeights } from './weights.js';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface Progress {
  kind: 'step' | 'epoch';
  epoch: number;
  stage: number;
  stageName: string;
  step: number;
  /** Steps done in this epoch, and how many it has. */
  epochStep: number;
  stepsPerEpoch: number;
  /** Epochs in the whole run. */
  epochs: number;
  lr: number[];
  momentum: number | null;
  /** The epoch's running mean loss so far (Keras' per-batch logs). */
  loss: number;
  /** This step's own loss (step events): what a per-step chart plots. */
  stepLoss?: number;
  /**
   * An exponential moving average of the per-step loss over every step of this process, debiased
   * (fastai's AvgSmoothLoss, beta 0.98): the smoothed line beside the noisy per-step one.
   */
  smoothLoss?: number;
  imagesPerSecond: number;
  epochLogs?: EpochLogs;
  updateRatio?: number[] | null;
  /** Epoch events: a stop cut this epoch short, so its numbers cover part of the data. */
  partial?: boolean;
  /** The image size the stage trains at (progressive resizing: it changes between stages). */
  imageSize?: number;
}

/** Writes metrics and emits progress at most every `intervalMs` (~8/s, tfjs-layers' yieldEvery). */
export class MetricsLogger extends Callback {
  #lastEmit = 0;
  #epochStart = 0;
  #images = 0;
  #smoothAvg = 0;
  #smoothCount = 0;
  #smooth: number | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly totalEpochs: number,
    private readonly onProgress?: (p: Progress) => void,
    private readonly intervalMs = 125,
  ) {
    super();
  }

  override async onEpochBegin(): Promise<void> {
    this.#epochStart = performance.now();
    this.#images = 0;
  }

  override async onBatchEnd(s: TrainState, logs: BatchLogs): Promise<void> {
    const lr = appliedLr(s);
    this.store.appendStep({
      step: s.step,
      epoch: s.epoch,
      stage: s.stage,
      lr,
      loss: logs.loss,
      // JSON has no NaN: a diverged step's loss is written as null, as `loss` is.
      ...(logs.stepLoss !== undefined ? { stepLoss: Number.isFinite(logs.stepLoss) ? logs.stepLoss : null } : {}),
      momentum: s.momentum,
      ...(logs.updateRatio ? { updateRatio: logs.updateRatio } : {}),
      ...(logs.mix ? { mix: logs.mix } : {}),
    });
    this.#images += logs.size;
    // Every step counts, not only those that make it through the throttle.
    if (logs.stepLoss !== undefined && Number.isFinite(logs.stepLoss)) {
      [this.#smoothAvg, this.#smooth] = smoothStep(this.#smoothAvg, logs.stepLoss, this.#smoothCount++);
    }
    const now = performance.now();
    // A step that measured the update ratio (every updateRatioEvery steps) is always sent: the
    // throttle would otherwise drop most of those rare values from the live chart.
    if (this.onProgress && (now - this.#lastEmit >= this.intervalMs || logs.updateRatio)) {
      this.#lastEmit = now;
      this.onProgress({
        ...this.#progress(s, 'step', logs.loss, lr, logs.updateRatio ?? null),
        ...(logs.stepLoss !== undefined ? { stepLoss: logs.stepLoss } : {}),
        ...(this.#smooth !== undefined ? { smoothLoss: this.#smooth } : {}),
      });
    }
  }

  override async onEpochEnd(s: TrainState, logs: EpochLogs): Promise<void> {
    // The rates the optimizer used, as in the step records: after a rate change the scheduled ones are not.
    const lr = appliedLr(s);
    this.store.appendEpoch({
      epoch: s.epoch,
      stage: s.stage,
      lr,
      loss: logs.loss,
      accuracy: logs.accuracy,
      val_loss: logs.val_loss ?? null,
      val_accuracy: logs.val_accuracy ?? null,
      ...(logs.ema_val_loss !== undefined
        ? { ema_val_loss: logs.ema_val_loss, ema_val_accuracy: logs.ema_val_accuracy }
        : {}),
      seconds: logs.seconds,
      // How far the stop got: "stopped at epoch 3, step 12/40" wherever these numbers are shown.
      ...(s.partialEpoch ? { partial: true, epochStep: s.cut?.steps ?? 0, stepsPerEpoch: s.stepsPerEpoch } : {}),
      ...(s.imageSize !== undefined ? { imageSize: s.imageSize } : {}),
    });
    this.onProgress?.({
      ...this.#progress(s, 'epoch', logs.loss, lr, null),
      epochLogs: logs,
      ...(s.partialEpoch ? { partial: true } : {}),
    });
  }

  #progress(s: TrainState, kind: 'step' | 'epoch', loss: number, lr: number[], updateRatio: number[] | null): Progress {
    const elapsed = (performance.now() - this.#epochStart) / 1000;
    return {
      kind,
      epoch: s.epoch,
      stage: s.stage,
      stageName: s.stageName,
      step: s.step,
      epochStep: s.stageStep - s.stageEpoch * s.stepsPerEpoch + (kind === 'step' ? 1 : 0),
      stepsPerEpoch: s.stepsPerEpoch,
      epochs: this.totalEpochs,
      lr,
      momentum: s.momentum,
      loss,
      imagesPerSecond: elapsed > 0 ? this.#images / elapsed : 0,
      updateRatio,
      ...(s.imageSize !== undefined ? { imageSize: s.imageSize } : {}),
    };
  }
}

/** A checkpoint after every epoch (seed 000 kept every epoch), and `best/` by a monitored metric. */
export class Checkpointer extends Callback {
  #best: { metric: string; value: number; epoch: number } | null;
  #trainer: TrainerHandle | null = null;

  constructor(
    private readonly store: RunStore,
    private readonly model: tfl.LayersModel,
    private readonly monitor = 'val_loss',
    private readonly keepLast?: number,
    best: { metric: string; value: number; epoch: number } | null = null,
  ) {
    super();
    this.#best = best;
  }

  override setTrainer(t: TrainerHandle): void {
    this.#trainer = t;
  }

  get best(): { metric: string; value: number; epoch: number } | null {
    return this.#best;
  }

  override async onEpochEnd(s: TrainState, logs: EpochLogs): Promise<void> {
    const v = logs[this.monitor] ?? logs.loss;
    const lower = !higherIsBetter(this.monitor);
    // An epoch a stop cut short is checkpointed (to resume from) but never "best": its numbers
    // cover part of the data.
    const isBest =
      !s.partialEpoch &&
      Number.isFinite(v) &&
      (this.#best === null || (lower ? v! < this.#best.value : v! > this.#best.value));
    if (isBest) this.#best = { metric: this.monitor, value: v!, epoch: s.epoch };
    const weights = await getModelWeights(this.model);
    // The optimizer's slots go to optimizer.bin as they are, not into the JSON as base64; the
    // weights' moving average rides there too (Keras keeps it in the optimizer).
    const buffers: Record<string, Float32Array> = { ...(await this.#trainer?.ema?.buffers()) };
    const json = await this.#optimizer().getState(buffers);
    await this.store.writeCheckpoint(
      {
        weights,
        optimizer: { json, buffers },
        state: {
          epoch: s.epoch,
          stage: s.stage,
          stageEpoch: s.stageEpoch,
          step: Math.max(0, s.step - 1),
          scheduleState: { history: s.history, lrScale: s.lrScale },
          rng: null,
          best: this.#best,
          // The size this epoch trained at (progressive resizing); a resume re-derives it from the stage.
          ...(s.imageSize !== undefined ? { imageSize: s.imageSize } : {}),
          // A cut epoch's checkpoint says how far it got: resume finishes the epoch from there.
          ...(s.partialEpoch && s.cut ? { within: s.cut } : {}),
        },
      },
      { best: isBest, ...(this.keepLast ? { keepLast: this.keepLast } : {}) },
    );
    this.store.appendEvent('checkpoint', { epoch: s.epoch, best: isBest });
  }

  #optimizer(): GroupOptimizer {
    if (!this.#trainer) throw new Error('Checkpointer: no trainer (setTrainer is called by the Trainer)');
    return this.#trainer.optimizer;
  }
}
