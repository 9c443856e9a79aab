// Callbacks are the training loop's extension point (tfjs-layers base_callbacks.ts): a base with
// async no-op hooks, a list that fans out, and a cooperative stop flag the loop checks after every
// batch. Schedules, logging, checkpoints, early stopping and the divergence guard are callbacks.
import type { GroupOptimizer } from '../optim/index.js';

/** Who or what stopped a run; decisions branch on `kind`, people read `message`. */
export type StopKind = 'requested' | 'early-stopping' | 'divergence' | 'median-stopping';
export interface StopReason {
  kind: StopKind;
  message: string;
}

/** What the loop knows at a hook; callbacks read it and may set lr, momentum, stop. */
export interface TrainState {
  /** Global epoch index, counted across stages from 0. */
  epoch: number;
  stage: number;
  stageName: string;
  /** Epoch within the stage. */
  stageEpoch: number;
  /** Optimizer step within the stage (the schedule's time). */
  stageStep: number;
  /** Optimizer step counted across stages. */
  step: number;
  stepsPerEpoch: number;
  /** Rate per layer group for the coming step (set by the schedule callback). */
  lr: number[];
  /** SGD momentum / Adam beta1 for the coming step, or null to keep the optimizer's own. */
  momentum: number | null;
  /** Multiplies every rate from now on (a mid-run rate change). */
  lrScale: number;
  /** Per-epoch values of every logged metric in this stage (plateau reads its monitor). */
  history: Record<string, number[]>;
  stopRequested: boolean;
  stopReason: StopReason | null;
  /** True at onEpochEnd when a stop cut the epoch short: its numbers cover part of the data. */
  partialEpoch?: boolean;
  /** The image size the stage trains at (set by ProgressiveResize, train/progressive.ts). */
  imageSize?: number;
  /** With partialEpoch: how far the epoch got, which its checkpoint keeps so a resume finishes it. */
  cut?: EpochCut | null;
}

/** How far a stop got into an epoch: what a resumed run needs to finish that epoch rather than skip it. */
export interface EpochCut {
  /** Batches of the epoch's order trained on: the loader's positions 0 … batches-1. */
  batches: number;
  /** Optimizer steps done in the epoch (of stepsPerEpoch). */
  steps: number;
  /** Σ loss·n, Σ correct and images over those batches, and the seconds they took: the epoch's logs go on from them. */
  lossSum: number;
  correct: number;
  seen: number;
  seconds: number;
}

/** The rates the optimizer applies: the schedule's, times any rate change since (`lrScale`). */
export function appliedLr(s: Pick<TrainState, 'lr' | 'lrScale'>): number[] {
  return s.lr.map((v) => v * s.lrScale);
}

export interface BatchLogs {
  /** The epoch's running mean so far (Keras' per-batch logs). */
  loss: number;
  /** This step's own loss (its batch, or the mean of its accumulated micro-batches). */
  stepLoss?: number;
  size: number;
  updateRatio?: number[] | null;
  /** MixUp/CutMix runs: each micro-batch's draw (null: left unmixed), in order (batch-recipe.ts). */
  mix?: ({ method: string; lam: number; box?: number[] } | null)[];
}

export interface EpochLogs {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  seconds: number;
  [metric: string]: number | undefined;
}

/** What a callback may hold of the trainer that calls it (the optimizer, for checkpoints). */
export interface TrainerHandle {
  readonly optimizer: GroupOptimizer;
  /** The weights' moving average (ema.ts), whose buffers a checkpoint keeps too. */
  readonly ema?: { buffers(): Promise<Record<string, Float32Array>> } | null;
}

export abstract class Callback {
  /**
   * Called once by the trainer that owns this callback, before training (tfjs-layers'
   * BaseCallback.setModel): callbacks are made before the trainer, which makes the optimizer.
   */
  setTrainer(_t: TrainerHandle): void {}
  async onTrainBegin(_s: TrainState): Promise<void> {}
  async onStageBegin(_s: TrainState): Promise<void> {}
  async onEpochBegin(_s: TrainState): Promise<void> {}
  async onBatchBegin(_s: TrainState): Promise<void> {}
  async onBatchEnd(_s: TrainState, _logs: BatchLogs): Promise<void> {}
  async onEpochEnd(_s: TrainState, _logs: EpochLogs): Promise<void> {}
  async onStageEnd(_s: TrainState): Promise<void> {}
  async onTrainEnd(_s: TrainState): Promise<void> {}
}

/** Calls every callback's hook in order. */
export class CallbackList extends Callback {
  constructor(readonly callbacks: Callback[]) {
    super();
  }
  override setTrainer(t: TrainerHandle) {
    for (const c of this.callbacks) c.setTrainer(t);
  }
  override async onTrainBegin(s: TrainState) {
    for (const c of this.callbacks) await c.onTrainBegin(s);
  }
  override async onStageBegin(s: TrainState) {
    for (const c of this.callbacks) await c.onStageBegin(s);
  }
  override async onEpochBegin(s: TrainState) {
    for (const c of this.callbacks) await c.onEpochBegin(s);
  }
  override async onBatchBegin(s: TrainState) {
    for (const c of this.callbacks) await c.onBatchBegin(s);
  }
  override async onBatchEnd(s: TrainState, logs: BatchLogs) {
    for (const c of this.callbacks) await c.onBatchEnd(s, logs);
  }
  override async onEpochEnd(s: TrainState, logs: EpochLogs) {
    for (const c of this.callbacks) await c.onEpochEnd(s, logs);
  }
  override async onStageEnd(s: TrainState) {
    for (const c of this.callbacks) await c.onStageEnd(s);
  }
  override async onTrainEnd(s: TrainState) {
    for (const c of this.callbacks) await c.onTrainEnd(s);
  }
}
