// What computes a training step's loss and gradients on image batches: TF.js (tf.variableGrads
// through the model), or onnxruntime (engine/ort-train: the same step as a generated ONNX graph,
// on onnxruntime's multi-threaded CPU kernels, several times faster than TF.js's wasm backend at
// 224 px; docs/benchmarks.md). The choice mirrors the forward-only one (predict/forward.ts
// fastForward): onnxruntime when TF.js runs on the CPU (wasm, cpu) and the backend was not named,
// TF.js on a GPU backend, on a named one, with ANNEAL_TRAIN_ENGINE=tfjs, or where the model has a
// layer without a training rule in onnxruntime (the reason is kept, for run.json and the log).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { backendWasNamed } from '../backend/use.js';
import { InputError } from '../errors.js';
import { OrtTrainStep, UnsupportedLayer, type StepOutput } from '../ort-train/index.js';
import { correct, crossEntropy } from './loss.js';

export type TrainEngineName = 'tfjs' | 'onnxruntime';
export const TRAIN_ENGINE_CHOICES = ['auto', 'tfjs', 'onnxruntime'] as const;
export type TrainEngineChoice = (typeof TRAIN_ENGINE_CHOICES)[number];

/** One image batch as the step engines take it: tensors for TF.js, the same values as arrays for onnxruntime. */
export interface ImageBatch {
  x: tf.Tensor;
  y: tf.Tensor1D;
  pixels: Float32Array;
  labels: Int32Array;
  n: number;
  /** The images' side in pixels (progressive resizing changes it between stages); default: the engine's. */
  size?: number;
  /**
   * The recipes' soft targets [n, C] and sample weights [n] (loss.ts softTargets: label smoothing,
   * MixUp/CutMix, class weights folded in); absent: one-hot labels weighted by the class weights.
   */
  targets?: Float32Array | null;
  weights?: Float32Array | null;
  /** The optimizer step and micro-batch, which seed the dropout masks (so a resume replays them). */
  step?: number;
  micro?: number;
}

export interface StepEngine {
  readonly engine: TrainEngineName;
  /** What runs it, for people: "onnxruntime 1.30.0 (cpu, 2 threads)", "TF.js (wasm)". */
  readonly runtime: string;
  /** Why this engine, one line. */
  readonly why: string;
  /** Loss, hits and gradients of `vars`, the loss weighted per class (torch CrossEntropyLoss(weight=…)). */
  step(batch: ImageBatch, vars: tf.Variable[], classWeights: tf.Tensor1D | null): Promise<StepOutput>;
  dispose(): Promise<void>;
}

/** The TF.js step: loss, hits and gradients of `vars` for the logits `forward` gives. */
export function tfjsGrads(
  forward: () => tf.Tensor2D,
  y: tf.Tensor1D,
  vars: tf.Variable[],
  loss: (logits: tf.Tensor2D) => tf.Scalar,
): StepOutput {
  let hits: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = forward();
    // Everything made inside is freed when variableGrads returns: keep the accuracy count.
    hits = tf.keep(correct(logits, y));
    return loss(logits);
  }, vars);
  return { value, grads, hits: hits! };
}

function tfjsEngine(model: tfl.LayersModel, why: string): StepEngine {
  return {
    engine: 'tfjs',
    runtime: `TF.js (${tf.getBackend()})`,
    why,
    step: async (b, vars, cw) =>
      tfjsGrads(
        () => model.apply(b.x, { training: true }) as tf.Tensor2D,
        b.y,
        vars,
        (logits) => crossEntropy(logits, b.y, cw ?? undefined),
      ),
    dispose: async () => {},
  };
}

/** ANNEAL_TRAIN_ENGINE (auto, tfjs, onnxruntime; unset or empty: auto); any other value is refused. */
export function requestedTrainEngine(): TrainEngineChoice {
  const v = process.env.ANNEAL_TRAIN_ENGINE?.trim();
  if (!v) return 'auto';
  if ((TRAIN_ENGINE_CHOICES as readonly string[]).includes(v)) return v as TrainEngineChoice;
  throw new InputError(`must be one of ${TRAIN_ENGINE_CHOICES.join(', ')} (got ${JSON.stringify(v)})`, {
    field: 'ANNEAL_TRAIN_ENGINE',
  });
}

/**
 * The engine a choice gives on `backend` (default: the active one), and why, before any model is
 * looked at (a model with a layer onnxruntime cannot train still falls back to TF.js).
 */
export function plannedTrainEngine(
  choice: TrainEngineChoice = requestedTrainEngine(),
  backend: string = tf.getBackend(),
  named: boolean = backendWasNamed(),
): {
  engine: TrainEngineName;
  why: string;
} {
  if (choice === 'tfjs') return { engine: 'tfjs', why: 'ANNEAL_TRAIN_ENGINE=tfjs' };
  if (choice === 'onnxruntime') return { engine: 'onnxruntime', why: 'ANNEAL_TRAIN_ENGINE=onnxruntime' };
  if (named) return { engine: 'tfjs', why: `the backend was named (${backend})` };
  if (!['wasm', 'cpu'].includes(backend)) return { engine: 'tfjs', why: `TF.js runs on a GPU (${backend})` };
  return { engine: 'onnxruntime', why: `TF.js runs on the CPU here (${backend}), where onnxruntime is faster` };
}

export interface StepEngineOptions {
  inputSize: number;
  /** Seed of onnxruntime's dropout masks. */
  seed?: number;
  choice?: TrainEngineChoice;
}

/** The step engine for image batches of `model` (see the header). */
export async function chooseStepEngine(model: tfl.LayersModel, o: StepEngineOptions): Promise<StepEngine> {
  const choice = o.choice ?? requestedTrainEngine();
  const plan = plannedTrainEngine(choice);
  if (plan.engine === 'tfjs') return tfjsEngine(model, plan.why);
  let ort: OrtTrainStep;
  try {
    ort = await OrtTrainStep.create(model, { inputSize: o.inputSize, seed: o.seed });
  } catch (e) {
    if (choice === 'onnxruntime' || !(e instanceof UnsupportedLayer)) throw e;
    return tfjsEngine(model, `onnxruntime cannot train this model: ${e.message}`);
  }
  // The class weights as numbers, read once per tensor (the trainer keeps one for the run).
  let weights: { tensor: tf.Tensor1D; values: number[] } | null = null;
  return {
    engine: 'onnxruntime',
    runtime: ort.runtime,
    why: plan.why,
    step: (b, vars, cw) => {
      if (cw && weights?.tensor !== cw) weights = { tensor: cw, values: [...cw.dataSync()] };
      return ort.run(
        {
          pixels: b.pixels,
          labels: b.labels,
          n: b.n,
          classWeights: cw ? weights!.values : null,
          size: b.size,
          targets: b.targets,
          weights: b.weights,
          step: b.step,
          micro: b.micro,
        },
        vars,
      );
    },
    dispose: () => ort.dispose(),
  };
}
