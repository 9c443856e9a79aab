// One training step (forward, loss, backward) in onnxruntime, on the TF.js model's own weights:
// each step copies the current variable values in, runs the graph build.ts generated, and hands
// back what tf.variableGrads would (the loss, and the gradients keyed by variable name) as TF.js
// tensors, so the optimizer, gradient clipping, accumulation and discriminative rates proceed
// unchanged. Training-mode BatchNormalization layers get their moving statistics updated from
// the batch statistics the graph returns, as tfjs-layers' BatchNormalization does in training
// (tfjs-layers/src/layers/normalization.ts, doMovingAverage: moving −= (moving − batch)·(1 − momentum),
// with the biased batch variance of tf.moments).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type * as Ort from 'onnxruntime-node';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { threadPlan } from '../backend/threads.js';
import { deriveSeed, mulberry32 } from '../data/augment/index.js';
import { InputError } from '../errors.js';
import { TRAIN_NAMES, toOnnxTrain, type TrainGraphInfo } from './build.js';

export interface StepBatch {
  /** Normalised pixels [n, S, S, 3]. */
  pixels: Float32Array;
  labels: Int32Array;
  n: number;
  /** torch CrossEntropyLoss(weight=…): per-class weights, as train/loss.ts takes them; null: all 1. */
  classWeights?: readonly number[] | null;
  /** The images' side (progressive resizing); default: the inputSize the step was created with. */
  size?: number | undefined;
  /** Soft targets [n, C] and sample weights [n] (train/loss.ts softTargets); they replace the one-hot labels and classWeights. */
  targets?: Float32Array | null | undefined;
  weights?: Float32Array | null | undefined;
  /** Optimizer step and micro-batch: the dropout masks' seed (a resumed run draws the same masks); default: a counter. */
  step?: number | undefined;
  micro?: number | undefined;
}

/** What tf.variableGrads returns, plus the batch's correct-prediction count. */
export interface StepOutput {
  value: tf.Scalar;
  hits: tf.Scalar;
  grads: tf.NamedTensorMap;
}

export interface OrtTrainStepOptions {
  inputSize: number;
  /** Seed of the dropout masks (one stream per step). */
  seed?: number;
  /** Default: threadPlan()'s count. */
  threads?: number;
}

interface Compiled {
  session: InferenceSession;
  info: TrainGraphInfo;
}

/** Sessions kept at once: the full batch and an epoch's last, smaller one. */
const KEEP_SESSIONS = 2;

export class OrtTrainStep {
  readonly runtime: string;
  readonly #model: tfl.LayersModel;
  readonly #o: OrtTrainStepOptions;
  readonly #ort: typeof Ort;
  readonly #threads: number;
  readonly #sessions = new Map<string, Promise<Compiled>>();
  #steps = 0;

  private constructor(model: tfl.LayersModel, o: OrtTrainStepOptions, ort: typeof Ort) {
    this.#model = model;
    this.#o = o;
    this.#ort = ort;
    this.#threads = o.threads ?? threadPlan().count;
    const version = ort.env.versions.node ?? ort.env.versions.common;
    this.runtime = `onnxruntime ${version} (cpu, ${this.#threads} thread${this.#threads === 1 ? '' : 's'})`;
  }

  /**
   * A step engine for `model`. Throws UnsupportedLayer (layers.ts) when a layer has no training
   * rule: the graph is generated once here, every weight trainable, to find out before training.
   */
  static async create(model: tfl.LayersModel, o: OrtTrainStepOptions): Promise<OrtTrainStep> {
    const all = new Set(model.weights.map((w) => (w.read() as tf.Variable).name));
    toOnnxTrain(model, { batch: 1, inputSize: o.inputSize, trainable: all });
    return new OrtTrainStep(model, o, await import('onnxruntime-node'));
  }

  async #compiled(n: number, size: number, trainable: readonly tf.Variable[]): Promise<Compiled> {
    const names = new Set(trainable.map((v) => v.name));
    const key = `${n}|${size}|${[...names].sort().join(',')}`;
    let c = this.#sessions.get(key);
    if (!c) {
      if (this.#sessions.size >= KEEP_SESSIONS) {
        const [oldKey, old] = this.#sessions.entries().next().value!;
        this.#sessions.delete(oldKey);
        await (await old).session.release();
      }
      c = (async () => {
        const info = toOnnxTrain(this.#model, { batch: n, inputSize: size, trainable: names });
        const session = await this.#ort.InferenceSession.create(info.bytes, {
          intraOpNumThreads: this.#threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
          // The arena, without the memory pattern: each step reuses the arena's chunks instead of
          // mapping fresh pages for every activation (page faults and zeroing, ~20% of a step's
          // CPU), and without the pattern it is not one block planned for the whole graph, which
          // grew in powers of two to ~2 GB for ResNet-18. ResNet-18 224 px batch 16, 2 threads,
          // quiet (bench/ort-train-spike.ts with ARENA/PATTERN): no arena 16.7–16.9 img/s, RSS
          // 0.59 GB between steps and 1.26 GB at peak; arena + pattern 21.4–21.8, 2.0 GB; arena
          // alone 21.2–21.9, 1.22 GB steady (docs/benchmarks.md).
          enableCpuMemArena: true,
          enableMemPattern: false,
          // A step is ~1,000 nodes, each a barrier for the intra-op pool: with spinning, a thread the
          // OS has descheduled (any other load on the machine) stalls its partners while they burn
          // the core it needs; measured on 2 loaded cores, 2 threads fell to 1.1 img/s against 6.3
          // on 1. Without it: the same speed on a quiet machine, ~20% less CPU per step.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        });
        return { session, info };
      })();
      this.#sessions.set(key, c);
    }
    return c;
  }

  /** One step's loss, hit count and gradients of `trainable` (the current weights, as variableGrads reads them). */
  async run(batch: StepBatch, trainable: readonly tf.Variable[]): Promise<StepOutput> {
    const S = batch.size ?? this.#o.inputSize;
    const { session, info } = await this.#compiled(batch.n, S, trainable);
    const ort = this.#ort;
    const { n, labels } = batch;
    const C = info.classes;
    let targets = batch.targets ?? null;
    let weights = batch.weights ?? null;
    if (!targets) {
      targets = new Float32Array(n * C);
      weights = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        targets[i * C + labels[i]!] = 1;
        weights[i] = batch.classWeights ? batch.classWeights[labels[i]!]! : 1;
      }
    } else if (!weights) weights = new Float32Array(n).fill(1);
    const feeds: Record<string, OrtTensor> = {
      [TRAIN_NAMES.x]: new ort.Tensor('float32', batch.pixels, [n, S, S, 3]),
      [TRAIN_NAMES.targets]: new ort.Tensor('float32', targets, [n, C]),
      [TRAIN_NAMES.weights]: new ort.Tensor('float32', weights, [n]),
    };
    for (const p of info.params)
      feeds[p.input] = new ort.Tensor('float32', p.variable.dataSync() as Float32Array, p.shape);
    const seed = this.#o.seed ?? 0;
    const rng = mulberry32(
      batch.step !== undefined ? deriveSeed(seed, batch.step, batch.micro ?? 0) : deriveSeed(seed, this.#steps++),
    );
    for (const m of info.masks) {
      // tfjs-core's dropout: keep where u ≥ rate, scaled by 1 / (1 − rate).
      const mask = new Float32Array(m.dims.reduce((a, b) => a * b, 1));
      const keep = 1 / (1 - m.rate);
      for (let i = 0; i < mask.length; i++) mask[i] = rng() >= m.rate ? keep : 0;
      feeds[m.input] = new ort.Tensor('float32', mask, m.dims);
    }
    let out: Awaited<ReturnType<InferenceSession['run']>>;
    try {
      out = await session.run(feeds);
    } catch (e) {
      throw outOfMemory(e, n, S) ?? e;
    }
    const data = (name: string) => out[name]!.data as Float32Array;
    const logits = data(TRAIN_NAMES.logits);
    let hits = 0;
    for (let i = 0; i < n; i++) {
      // tf.argMax: the first maximum.
      let best = 0;
      for (let c = 1; c < C; c++) if (logits[i * C + c]! > logits[i * C + best]!) best = c;
      if (best === labels[i]) hits++;
    }
    const grads: tf.NamedTensorMap = {};
    for (const g of info.grads) grads[g.variable] = tf.tensor(data(g.output), g.shape);
    for (const s of info.batchStats) updateMovingStatistics(s.layer, data(s.mean), data(s.variance));
    const value = tf.scalar(data(TRAIN_NAMES.loss)[0]!);
    for (const t of Object.values(out)) t.dispose();
    return { value, hits: tf.scalar(hits), grads };
  }

  async dispose(): Promise<void> {
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const c of all) await (await c).session.release();
  }
}

/** onnxruntime's allocation failure as one message naming the batch size (the setting that fixes it), else null. */
function outOfMemory(e: unknown, n: number, size: number): InputError | null {
  const message = e instanceof Error ? e.message : String(e);
  if (!/alloc|out of memory|bad_alloc/i.test(message)) return null;
  return new InputError(
    `a training step of ${n} images at ${size} px does not fit in memory here (onnxruntime: ${message.split('\n')[0]}); use a smaller batch size`,
    { kind: 'too-large', field: 'batchSize', cause: e },
  );
}

/** tfjs-layers' training-mode update of a BatchNormalization layer's moving mean and variance. */
function updateMovingStatistics(layer: tfl.layers.Layer, mean: Float32Array, variance: Float32Array): void {
  const self = layer as unknown as {
    momentum: number;
    movingMean: { read(): tf.Tensor };
    movingVariance: { read(): tf.Tensor };
  };
  const decay = 1 - self.momentum;
  for (const [w, batch] of [
    [self.movingMean, mean],
    [self.movingVariance, variance],
  ] as const) {
    const v = w.read() as tf.Variable;
    const next = tf.tidy(() => tf.sub(v, tf.mul(tf.sub(v, tf.tensor1d(batch)), decay)));
    v.assign(next);
    next.dispose();
  }
}
