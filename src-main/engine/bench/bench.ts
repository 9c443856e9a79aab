// `anneal bench`: images per second for inference, full training and the frozen-backbone stage
// (with and without the feature cache), on random data and random weights, so it needs no files.
// It times the same pieces a run uses: model.apply, the run's step engine (onnxruntime's training
// graph on a CPU backend, else tf.variableGrads; train/step-engine.ts), the torch-parity optimizer.
// Medians of per-step wall times after warm-up, the way torch.utils.benchmark reports.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, wasmThreads } from '../backend/index.js';
import { buildModel, getArch, setTrainable, type BuiltModel } from '../models/index.js';
import { createOptimizer, paramSpecs, parseOptimizerConfig } from '../optim/index.js';
import { fastForward } from '../predict/forward.js';
// Direct imports, not train/index.js: the GPU bundle (scripts/gpu-bundle.sh) must not pull in the
// data pipeline and its native image decoder.
import { FeatureCache, headOf } from '../train/feature-cache.js';
import { crossEntropy } from '../train/loss.js';
import {
  chooseStepEngine,
  tfjsGrads,
  type ImageBatch,
  type StepEngine,
  type TrainEngineChoice,
} from '../train/step-engine.js';
import type { StepOutput } from '../ort-train/index.js';
import { checkGradients, type GradCheck } from './check.js';

export interface BenchOptions {
  model: string;
  imageSize: number;
  batchSize: number;
  steps: number;
  warmup?: number;
  backend?: string;
  classes?: number;
  /** Also compare one step's gradients with the cpu backend's (`grad_rel_err`). */
  check?: boolean;
  /** The training step's engine (default: ANNEAL_TRAIN_ENGINE, else auto, as a run chooses). */
  trainEngine?: TrainEngineChoice;
  /** Called before each phase, for a progress line. */
  onPhase?: (phase: string) => void;
}

export interface BenchResult {
  backend: string;
  device: string;
  /** CPU threads of the backend (wasm), null where the backend manages its own. */
  threads: number | null;
  model: string;
  image_size: number;
  batch_size: number;
  steps: number;
  train_img_per_s: number;
  /** What computed the training steps (train and frozen train): "onnxruntime 1.30.0 (cpu, 2 threads)" or "TF.js (wasm)". */
  train_engine: string;
  infer_img_per_s: number;
  /** Inference as predict, eval and the model card run it: fastForward (onnxruntime on a CPU). */
  forward_img_per_s: number;
  /** What fastForward ran on ("onnxruntime 1.30.0 (cpu, 2 threads)" or "TF.js (…)"). */
  forward_runtime: string;
  /** The frozen stage's feature extraction (the backbone, through fastForward), filling the cache. */
  features_img_per_s: number;
  frozen_train_img_per_s: number;
  /** Head-only steps on cached backbone features (the frozen stage after its first epoch). */
  frozen_cached_img_per_s: number;
  peak_rss_mb: number;
  /** Peak RSS after the training phases, which run first: what training alone needs. */
  train_peak_rss_mb: number;
  /** Tensors added over the timed steps, after warm-up (one-time caches excluded): 0 unless a step leaks. */
  leaked_tensors: number;
}

/** With `check`: the gradient comparison (check.ts). */
export type CheckedBenchResult = BenchResult & Partial<GradCheck>;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` warmup + steps times: the median seconds of the timed calls, and tensors they added. */
async function timeSteps(
  warmup: number,
  steps: number,
  fn: () => Promise<void>,
): Promise<{ seconds: number; growth: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(times), growth: tf.memory().numTensors - before };
}

/** One optimizer step on the trainable parameters, with the loss and gradients from `grads`. */
function trainStep(
  built: BuiltModel,
  grads: (vars: tf.Variable[]) => StepOutput | Promise<StepOutput>,
  optimizer: ReturnType<typeof createOptimizer>,
) {
  const vars = paramSpecs(built.groups)
    .filter((p) => p.variable.trainable)
    .map((p) => p.variable);
  const rates = built.groups.map(() => 1e-3);
  return async () => {
    const out = await grads(vars);
    await optimizer.step(out.grads, rates, null, false);
    await out.value.data();
    tf.dispose([out.value, out.hits, ...Object.values(out.grads)]);
  };
}

export async function runBench(o: BenchOptions): Promise<CheckedBenchResult> {
  const warmup = o.warmup ?? 2;
  const info = await useBackend('full', o.backend);
  const spec = getArch(o.model);
  const built = buildModel(spec, { numClasses: o.classes ?? 10, inputSize: o.imageSize });
  const optimizer = createOptimizer(
    parseOptimizerConfig({ type: 'sgd', momentum: 0.9, weightDecay: 1e-4 }),
    paramSpecs(built.groups),
    built.groups.length,
  );
  const b = o.batchSize;
  const x = tf.randomNormal([b, o.imageSize, o.imageSize, 3]);
  const labels = Int32Array.from({ length: b }, (_, i) => i % (o.classes ?? 10));
  const y = tf.tensor1d(labels, 'int32');
  let engine: StepEngine | null = null;
  try {
    const pixels = (await x.data()) as Float32Array;
    engine = await chooseStepEngine(built.model, { inputSize: o.imageSize, choice: o.trainEngine });
    const batch: ImageBatch = { x, y, pixels, labels, n: b };
    const images = (vars: tf.Variable[]) => engine!.step(batch, vars, null);
    o.onPhase?.(`full training (${engine.runtime})`);
    setTrainable(built.groups, () => true);
    const train = await timeSteps(warmup, o.steps, trainStep(built, images, optimizer));

    o.onPhase?.('frozen backbone');
    setTrainable(built.groups, (i) => i === built.groups.length - 1);
    const frozen = await timeSteps(warmup, o.steps, trainStep(built, images, optimizer));
    // Training first, so that this is the training step's own high-water mark (TF.js inference at
    // a large size grows the wasm heap, which never shrinks).
    const trainRss = Math.round(process.resourceUsage().maxRSS / 1024);
    const trainEngine = engine.runtime;
    await engine.dispose();
    engine = null;

    o.onPhase?.('inference');
    const infer = await timeSteps(warmup, o.steps, async () => {
      const out = built.model.apply(x, { training: false }) as tf.Tensor;
      await out.data();
      out.dispose();
    });

    o.onPhase?.('inference (forward-only engine)');
    const forward = await fastForward(built.model, o.imageSize);
    const fast = await timeSteps(warmup, o.steps, async () => void (await forward.run(pixels, b)));
    await forward.dispose();

    o.onPhase?.('frozen backbone, cached features');
    o.onPhase?.('frozen backbone, feature extraction');
    const cache = new FeatureCache(built);
    const extract = await timeSteps(warmup, o.steps, async () => (await cache.add(x)).dispose());
    const features = cache.batch([...Array(b).keys()]);
    const head = headOf(built);
    const cached = await timeSteps(
      warmup,
      o.steps,
      trainStep(
        built,
        (vars) =>
          tfjsGrads(
            () => head(features, true),
            y,
            vars,
            (logits) => crossEntropy(logits, y),
          ),
        optimizer,
      ),
    );
    tf.dispose(features);
    cache.dispose();
    let check: GradCheck | undefined;
    if (o.check) {
      o.onPhase?.('gradient check against the cpu backend');
      // The cpu backend's conv backprops are plain loops (~15 s per 64 px ResNet-18 image): a few images.
      check = await checkGradients(spec, o.imageSize, Math.min(b, o.imageSize <= 32 ? 4 : 2), o.classes ?? 10);
    }
    return {
      backend: info.name,
      device: info.device ?? 'unknown',
      threads: info.name === 'wasm' ? (wasmThreads()?.count ?? null) : null,
      model: spec.id,
      image_size: o.imageSize,
      batch_size: b,
      steps: o.steps,
      train_img_per_s: b / train.seconds,
      train_engine: trainEngine,
      infer_img_per_s: b / infer.seconds,
      forward_img_per_s: b / fast.seconds,
      forward_runtime: forward.runtime,
      features_img_per_s: b / extract.seconds,
      frozen_train_img_per_s: b / frozen.seconds,
      frozen_cached_img_per_s: b / cached.seconds,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      train_peak_rss_mb: trainRss,
      leaked_tensors: train.growth + infer.growth + frozen.growth + cached.growth + extract.growth + fast.growth,
      ...check,
    };
  } finally {
    await engine?.dispose();
    tf.dispose([x, y]);
    optimizer.dispose();
    built.model.dispose();
  }
}
