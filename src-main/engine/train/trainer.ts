// The training loop: stages (each a fit with its own schedule time), batches from the data
// pipeline, gradients by tf.variableGrads, one optimizer with a parameter group per layer group.
// Everything else (rates, logging, checkpoints, stopping) happens in callbacks.
import * as tf from '@tensorflow/tfjs-core';
import type { DataLoader } from '../data/pipeline/index.js';
import { setTrainable, type BuiltModel } from '../models/index.js';
import {
  createOptimizer,
  paramSpecs,
  type GroupOptimizer,
  type OptimizerConfig,
  type ParamSpec,
} from '../optim/index.js';
import type { CompiledStage } from '../schedules/index.js';
import type { Callback } from './callbacks.js';
import {
  appliedLr,
  CallbackList,
  type EpochCut,
  type EpochLogs,
  type StopReason,
  type TrainState,
} from './callbacks.js';
import { fastForward } from '../predict/forward.js';
import { FeatureCache, headOf } from './feature-cache.js';
import { BatchRecipe, disposeRecipeBatch, mixRecord, type BatchRecipeOptions, type MixRecord } from './batch-recipe.js';
import { WeightEma } from './ema.js';
import { correct, crossEntropy } from './loss.js';
import type { EmaSettings } from './recipes.js';
import { tfjsGrads, type StepEngine } from './step-engine.js';

export interface ResumePoint {
  /** Stage and epoch within it to start at (the first not yet finished). */
  stage: number;
  stageEpoch: number;
  epoch: number;
  step: number;
  stageStep: number;
  optimizer: unknown;
  history: Record<string, number[]>;
  /** The checkpoint's optimizer buffers: the optimizer's slots (optim/…) and the weights' moving average (ema/…, where the run has one). */
  buffers?: Record<string, Float32Array>;
  /** The epoch to start was cut short by a stop: finish it (same order, the batches not yet done). */
  within?: EpochCut | null;
}

export interface TrainerOptions {
  built: BuiltModel;
  stages: CompiledStage[];
  optimizer: OptimizerConfig;
  train: DataLoader;
  val?: DataLoader | null;
  callbacks?: Callback[];
  classWeights?: readonly number[] | null;
  /** Clip the global gradient norm to this value (torch clip_grad_norm_). */
  gradClipNorm?: number | null;
  /** Micro-batches summed before each optimizer step (a larger effective batch in the same memory). */
  accumulate?: number;
  /** Measure the update-to-weight ratio per group every N optimizer steps (0: never). */
  updateRatioEvery?: number;
  resume?: ResumePoint | null;
  featureCache?: FeatureCacheOptions | null;
  /**
   * Read the running loss and accuracy back from the device at most this often (ms); in between,
   * steps report the last value read. Default: 125 (the ~8/s progress tick) on webgpu, where a
   * read waits for all queued GPU work; 0 (every step) elsewhere, where it costs nothing.
   */
  readEveryMs?: number;
  /** Label smoothing and MixUp/CutMix (batch-recipe.ts); classes and class weights come from here. */
  recipe?: Omit<BatchRecipeOptions, 'classes' | 'classWeights'> | null;
  /** Keep a moving average of the weights (ema.ts), validated beside the live ones. */
  ema?: EmaSettings | false;
  /** What computes image batches' steps (train/step-engine.ts: onnxruntime or TF.js); default TF.js. */
  stepEngine?: StepEngine | null;
}

/** Frozen stages train the head on cached backbone features (train/feature-cache.ts). */
export interface FeatureCacheOptions {
  /** Views cached per image; epoch e of a frozen stage uses view e mod views. */
  views: number;
  /** The loader whose images are cached: the training loader, or an eval-transform one. */
  loader: DataLoader;
}

interface TrainBatch {
  x: tf.Tensor;
  y: tf.Tensor1D;
  labels: Int32Array;
  n: number;
  /** x holds pooled backbone features rather than images. */
  features: boolean;
  /** The batch's place in the epoch's order. */
  position: number;
  /** The images as an array too, for an onnxruntime step. */
  pixels?: Float32Array;
}

export interface FitResult {
  epochs: EpochLogs[];
  stopped: StopReason | null;
}

export class Trainer {
  readonly state: TrainState;
  readonly optimizer: GroupOptimizer;
  readonly #o: TrainerOptions;
  readonly #callbacks: CallbackList;
  readonly #params: ParamSpec[];
  readonly #classWeights: tf.Tensor1D | null;
  readonly #recipe: BatchRecipe;
  /** The weights' moving average, or null without `ema`. */
  readonly ema: WeightEma | null;
  readonly #features: {
    cache: FeatureCache;
    head: ReturnType<typeof headOf>;
    views: number;
    loader: DataLoader;
    /** `${size}/${view}` of every view cached in full. */
    done: Set<string>;
  } | null;
  /** The part of a stopped epoch done before this process: the first epoch resumes after it. */
  #within: EpochCut | null;

  constructor(o: TrainerOptions) {
    // A copy: useData swaps its loaders (progressive resizing), never the caller's object.
    this.#o = { ...o };
    this.#callbacks = new CallbackList(o.callbacks ?? []);
    // Every parameter joins the one optimizer up front, frozen or not (fastai keeps one optimizer
    // across fine_tune's stages); a frozen parameter simply gets no gradient.
    this.#params = paramSpecs(o.built.groups);
    this.optimizer = createOptimizer(o.optimizer, this.#params, o.built.groups.length);
    if (o.resume?.optimizer) this.optimizer.setState(o.resume.optimizer as never, o.resume.buffers);
    this.#callbacks.setTrainer(this);
    this.#classWeights = o.classWeights ? tf.tensor1d([...o.classWeights]) : null;
    this.#recipe = new BatchRecipe({
      ...(o.recipe ?? {
        labelSmoothing: 0,
        mix: { mixup: false, cutmix: false, mixProb: 1, switchProb: 0.5 },
        seed: 0,
      }),
      classes: o.built.model.outputs[0]!.shape.at(-1) as number,
      classWeights: o.classWeights ?? null,
    });
    this.ema = o.ema ? new WeightEma(o.built.model, o.ema, o.resume?.buffers) : null;
    this.#features = o.featureCache
      ? {
          cache: new FeatureCache(o.built),
          head: headOf(o.built),
          views: o.featureCache.views,
          loader: o.featureCache.loader,
          done: new Set(),
        }
      : null;
    const r = o.resume;
    this.#within = r?.within ?? null;
    this.state = {
      epoch: r?.epoch ?? 0,
      stage: r?.stage ?? 0,
      stageName: o.stages[r?.stage ?? 0]?.name ?? '',
      stageEpoch: r?.stageEpoch ?? 0,
      stageStep: r?.stageStep ?? 0,
      step: r?.step ?? 0,
      // Optimizer steps, the unit of stageStep (and of the compiled schedule: train/prepare.ts).
      stepsPerEpoch: Math.ceil(o.train.batchesPerEpoch() / Math.max(1, o.accumulate ?? 1)),
      lr: [],
      momentum: null,
      lrScale: 1,
      history: r?.history ?? {},
      stopRequested: false,
      stopReason: null,
    };
  }

  /** The loaders of a stage's image size (progressive resizing, train/progressive.ts), from the next epoch on. */
  useData(d: { train: DataLoader; val: DataLoader; featureCache: FeatureCacheOptions | null }): void {
    this.#o.train = d.train;
    this.#o.val = d.val.o.samples.length ? d.val : null;
    if (this.#features && d.featureCache) this.#features.loader = d.featureCache.loader;
  }

  /** Cooperative stop (a person's: Ctrl+C, the Stop button): honoured after the current batch. */
  requestStop(message: string): void {
    this.state.stopRequested = true;
    this.state.stopReason ??= { kind: 'requested', message };
  }

  async fit(): Promise<FitResult> {
    const s = this.state;
    const epochs: EpochLogs[] = [];
    await this.#callbacks.onTrainBegin(s);
    try {
      for (; s.stage < this.#o.stages.length && !s.stopRequested; s.stage++, s.stageEpoch = 0, s.stageStep = 0) {
        const stage = this.#o.stages[s.stage]!;
        s.stageName = stage.name;
        if (s.stageEpoch === 0) s.history = {};
        const groups = this.#o.built.groups;
        setTrainable(groups, (i) => stage.freeze === 'none' || i === groups.length - 1);
        await this.#callbacks.onStageBegin(s);
        for (; s.stageEpoch < stage.epochs && !s.stopRequested; s.stageEpoch++, s.epoch++) {
          epochs.push(await this.#epoch());
        }
        await this.#callbacks.onStageEnd(s);
        if (s.stopRequested) break;
      }
    } finally {
      await this.#callbacks.onTrainEnd(s);
    }
    return { epochs, stopped: s.stopReason };
  }

  async #epoch(): Promise<EpochLogs> {
    const s = this.state;
    // A resumed cut epoch goes on from where the stop left it: its batches, sums and time so far.
    const within = this.#within;
    this.#within = null;
    const t0 = performance.now() - (within?.seconds ?? 0) * 1000;
    await this.#callbacks.onEpochBegin(s);
    const trainable = this.#params.filter((p) => p.variable.trainable);
    const vars = trainable.map((p) => p.variable);
    const accumulate = Math.max(1, this.#o.accumulate ?? 1);
    // Σ loss·n and Σ hits stay on the device ([2]) and are read back at the tick or epoch end.
    let totals: tf.Tensor1D | null = null;
    let lossSum = within?.lossSum ?? 0;
    let correctSum = within?.correct ?? 0;
    let seen = within?.seen ?? 0;
    let readSeen = seen;
    let position = (within?.batches ?? 0) - 1;
    // The epoch's first step is always read, so every step has a value (never 0/0: the
    // divergence guard would take a NaN for a diverged run).
    let readAt = -Infinity;
    const readEveryMs = this.#o.readEveryMs ?? (tf.getBackend() === 'webgpu' ? 125 : 0);
    const read = async () => {
      const v = totals ? await totals.data() : [0, 0];
      lossSum = (within?.lossSum ?? 0) + v[0]!;
      correctSum = (within?.correct ?? 0) + v[1]!;
      readSeen = seen;
      readAt = performance.now();
    };
    // This step's own loss (over its accumulated micro-batches), beside the epoch's running mean:
    // Σ loss·n of the step on the device too, read with the totals (every step on the CPU
    // backends, at the tick on WebGPU; between reads a step reports the last one read).
    let stepTotal: tf.Scalar | null = null;
    let stepSeen = 0;
    let stepLoss = NaN;
    const readStep = async () => {
      if (performance.now() - readAt < readEveryMs) return;
      await read();
      stepLoss = stepTotal ? (await stepTotal.data())[0]! / stepSeen : NaN;
    };
    const endStep = () => {
      stepTotal?.dispose();
      stepTotal = null;
      stepSeen = 0;
    };
    let cut = false;
    s.partialEpoch = false;
    let pending: Record<string, tf.Tensor> | null = null;
    let micro = 0;
    // Images in the pending micro-batches: one optimizer step learns from all of them.
    let images = 0;
    const stage = this.#o.stages[s.stage]!;
    const cached = stage.freeze === 'backbone' && this.#features !== null;
    const from = within?.batches ?? 0;
    const batches = cached ? this.#featureBatches(from) : this.#imageBatches(from);
    const mixes: MixRecord[] = [];
    for await (const batch of batches) {
      const { y } = batch;
      position = batch.position;
      const rb = this.#recipe.prepare(batch.x, batch.labels, batch.features, s.step, micro);
      const x = rb.x;
      if (this.#recipe.mixes && !batch.features) mixes.push(mixRecord(rb.draw));
      // onnxruntime computes image batches' steps where it was chosen (step-engine.ts); the soft
      // targets and sample weights carry the recipes to it, so both engines compute one loss.
      const engine = !batch.features && this.#o.stepEngine?.engine === 'onnxruntime' ? this.#o.stepEngine : null;
      const { value, grads, hits } = engine
        ? await engine.step(
            {
              x,
              y,
              n: batch.n,
              labels: batch.labels,
              // The mixed images where MixUp/CutMix drew a mix, else the loader's own array.
              pixels: rb.draw ? (x.dataSync() as Float32Array) : batch.pixels!,
              size: this.#o.train.o.size,
              targets: rb.targets ? (rb.targets.dataSync() as Float32Array) : null,
              weights: rb.weights ? (rb.weights.dataSync() as Float32Array) : null,
              // Dropout masks from the step and micro-batch, so a resumed run draws the same ones.
              step: s.step,
              micro,
            },
            vars,
            this.#classWeights,
          )
        : tfjsGrads(
            () =>
              batch.features
                ? this.#features!.head(x, true)
                : (this.#o.built.model.apply(x, { training: true }) as tf.Tensor2D),
            y,
            vars,
            (logits) => this.#recipe.loss(logits, y, rb, this.#classWeights),
          );
      const step = tf.tidy(() => tf.stack([tf.mul(value, batch.n), tf.cast(hits, 'float32')]) as tf.Tensor1D);
      const next: tf.Tensor1D = totals ? tf.add(totals, step) : tf.keep(step);
      const stepNext: tf.Scalar = tf.tidy(() => {
        const own = tf.mul(value, batch.n) as tf.Scalar;
        return stepTotal ? tf.add(stepTotal, own) : own;
      });
      disposeRecipeBatch(rb);
      tf.dispose([y, value, hits, ...(totals ? [totals, step] : []), ...(stepTotal ? [stepTotal] : [])]);
      totals = next;
      stepTotal = stepNext;
      stepSeen += batch.n;
      seen += batch.n;
      pending = pending ? this.#sum(pending, grads) : grads;
      images += batch.n;
      if (++micro < accumulate) continue;
      await readStep();
      await this.#step(pending, micro, images, lossSum / readSeen, stepLoss, mixes.splice(0));
      pending = null;
      micro = 0;
      images = 0;
      endStep();
      if (s.stopRequested) {
        cut = true;
        break;
      }
    }
    await read();
    (totals as tf.Tensor | null)?.dispose();
    if (pending) {
      stepLoss = stepTotal ? (await (stepTotal as tf.Scalar).data())[0]! / stepSeen : NaN;
      await this.#step(pending, micro, images, seen ? lossSum / seen : NaN, stepLoss, mixes.splice(0));
    }
    endStep();
    // A stop mid-epoch leaves numbers over part of the data: not an epoch to call "best".
    const steps = s.stageStep - s.stageEpoch * s.stepsPerEpoch;
    s.partialEpoch = cut && steps < s.stepsPerEpoch;
    const trainSeconds = (performance.now() - t0) / 1000;
    s.cut = s.partialEpoch
      ? { batches: position + 1, steps, lossSum, correct: correctSum, seen, seconds: trainSeconds }
      : null;
    const logs: EpochLogs = { loss: seen ? lossSum / seen : NaN, accuracy: seen ? correctSum / seen : NaN, seconds: 0 };
    if (this.#o.val) Object.assign(logs, await this.evaluate(this.#o.val));
    if (this.#o.val && this.ema) {
      const e = await this.ema.swapped(() => this.evaluate(this.#o.val!));
      Object.assign(logs, { ema_val_loss: e.val_loss, ema_val_accuracy: e.val_accuracy });
    }
    logs.seconds = (performance.now() - t0) / 1000;
    for (const [k, v] of Object.entries(logs)) if (typeof v === 'number') (s.history[k] ??= []).push(v);
    await this.#callbacks.onEpochEnd(s, logs);
    return logs;
  }

  /** Image batches from the training loader, as tensors, from batch `from` of the epoch. */
  async *#imageBatches(from: number): AsyncGenerator<TrainBatch> {
    const size = this.#o.train.o.size;
    for await (const b of this.#o.train.epoch(this.state.epoch, from)) {
      yield {
        x: tf.tensor4d(b.x, [b.n, size, size, 3]),
        y: tf.tensor1d(b.y, 'int32'),
        labels: b.y,
        n: b.n,
        features: false,
        position: b.position,
        pixels: b.x,
      };
    }
  }

  /**
   * Frozen stage with the feature cache: the first pass over a view runs the backbone and stores
   * the features; later epochs on that view read them back in the epoch's order without decoding.
   */
  async *#featureBatches(from: number): AsyncGenerator<TrainBatch> {
    const f = this.#features!;
    const s = this.state;
    const view = s.stageEpoch % f.views;
    const loader = f.loader;
    // Features of one image differ with its size: the cache keys on it (progressive resizing).
    const size = loader.o.size;
    const key = `${size}/${view}`;
    const per = loader.o.batchSize;
    if (f.done.has(key)) {
      const order = loader.order(s.epoch).filter((i) => f.cache.has(i, view, size));
      for (let i = from * per; i < order.length; i += per) {
        const idx = order.slice(i, i + per);
        const labels = Int32Array.from(idx, (k) => loader.o.samples[k]!.label);
        const x = f.cache.batch(idx, view, size);
        yield { x, y: tf.tensor1d(labels, 'int32'), labels, n: idx.length, features: true, position: i / per };
      }
      return;
    }
    for await (const b of loader.epoch(s.epoch, from)) {
      const images = tf.tensor4d(b.x, [b.n, size, size, 3]);
      const x = await f.cache.add(images, b.indices, view);
      images.dispose();
      yield { x, y: tf.tensor1d(b.y, 'int32'), labels: b.y, n: b.n, features: true, position: b.position };
    }
    // A view whose first pass started mid-epoch (a resumed cut epoch) lacks the batches before it.
    if (!s.stopRequested && from === 0) f.done.add(key);
  }

  #sum(a: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const k of Object.keys(a)) out[k] = tf.add(a[k]!, b[k]!);
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    return out;
  }

  async #step(
    grads: Record<string, tf.Tensor>,
    micro: number,
    size: number,
    runningLoss: number,
    stepLoss: number,
    mixes: MixRecord[] = [],
  ): Promise<void> {
    const s = this.state;
    await this.#callbacks.onBatchBegin(s);
    const averaged =
      micro > 1
        ? tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.div(g, micro)])))
        : grads;
    if (averaged !== grads) tf.dispose(Object.values(grads));
    const clipped = this.#o.gradClipNorm ? clipByGlobalNorm(averaged, this.#o.gradClipNorm) : averaged;
    if (clipped !== averaged) tf.dispose(Object.values(averaged));
    const every = this.#o.updateRatioEvery ?? 0;
    const measure = every > 0 && s.step % every === 0;
    const ratio = await this.optimizer.step(clipped, appliedLr(s), s.momentum, measure);
    tf.dispose(Object.values(clipped));
    this.ema?.update(s.step + 1);
    await this.#callbacks.onBatchEnd(s, {
      loss: runningLoss,
      stepLoss,
      size,
      updateRatio: ratio,
      ...(this.#recipe.mixes ? { mix: mixes } : {}),
    });
    s.step++;
    s.stageStep++;
  }

  /**
   * Loss and accuracy of the current weights on a loader (inference mode), through the forward
   * that eval and predict use (predict/forward.ts: onnxruntime on a CPU backend, built for these
   * weights; ResNet-18 at 224 px ~6× TF.js's wasm forward for ~0.3 s of building, measured).
   */
  async evaluate(loader: DataLoader): Promise<{ val_loss: number; val_accuracy: number }> {
    let lossSum = 0;
    let hits = 0;
    let n = 0;
    const forward = await fastForward(this.#o.built.model, loader.o.size);
    try {
      for await (const batch of loader.epoch(0)) {
        const out = await forward.run(batch.x, batch.n);
        const [l, c] = tf.tidy(() => {
          const logits = tf.tensor2d(out, [batch.n, out.length / batch.n]);
          const y = tf.tensor1d(batch.y, 'int32');
          return [tf.mul(crossEntropy(logits, y, this.#classWeights ?? undefined), batch.n), correct(logits, y)];
        });
        lossSum += (await l.data())[0]!;
        hits += (await c.data())[0]!;
        n += batch.n;
        tf.dispose([l, c]);
      }
    } finally {
      await forward.dispose();
    }
    return { val_loss: n ? lossSum / n : NaN, val_accuracy: n ? hits / n : NaN };
  }

  /** Bytes of cached backbone features (0 without the cache). */
  get featureCacheBytes(): number {
    return this.#features?.cache.bytes() ?? 0;
  }

  dispose(): void {
    this.#features?.cache.dispose();
    this.optimizer.dispose();
    this.#classWeights?.dispose();
    this.ema?.dispose();
  }
}

/** torch.nn.utils.clip_grad_norm_: scale every gradient by min(1, max / total L2 norm). */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const total = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(tf.scalar(1), tf.div(maxNorm, tf.add(total, 1e-6)));
    return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
  });
}
