// Forward-only work (predict, eval, the frozen stage's feature extraction, the model card's
// evaluation) on the fastest engine at hand. On a CPU-only machine that is onnxruntime: its
// multi-threaded AVX2/AVX-512 convolutions run ResNet-18 at 224 px several times faster than TF.js's
// wasm backend (docs/benchmarks.md); the model goes over as an in-memory ONNX graph
// (export/onnx/convert.ts toOnnxForward), fed the same normalised NHWC pixels, giving the same logits
// (test/engine/predict/forward.test.ts: relative L2 < 1e-4). A real GPU backend stays on TF.js.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { InferenceSession } from 'onnxruntime-node';
import { threadPlan } from '../backend/threads.js';
import { backendWasNamed } from '../backend/use.js';
import { FORWARD_NAMES, toOnnxForward } from '../export/onnx/convert.js';

/** A model's forward pass: normalised [n, S, S, 3] pixels in, its [n, C] output out. */
export interface Forward {
  /** What computes it, for people: "onnxruntime 1.30.0 (cpu, 2 threads)", "TF.js (webgpu)". */
  readonly runtime: string;
  run(x: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export type ForwardEngine = 'auto' | 'tfjs' | 'onnxruntime';

/** ANNEAL_FORWARD=tfjs keeps forward-only work on TF.js (to compare, or where onnxruntime misbehaves). */
function requestedEngine(): ForwardEngine {
  const v = process.env.ANNEAL_FORWARD;
  return v === 'tfjs' || v === 'onnxruntime' ? v : 'auto';
}

/** The model on the active TF.js backend. */
export function tfjsForward(model: tfl.LayersModel, inputSize: number): Forward {
  return {
    runtime: `TF.js (${tf.getBackend()})`,
    async run(x, n) {
      const y = tf.tidy(
        () => model.apply(tf.tensor4d(x, [n, inputSize, inputSize, 3]), { training: false }) as tf.Tensor,
      );
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    async dispose() {},
  };
}

/** The model in onnxruntime, on threadPlan()'s thread count. Throws where the graph cannot be converted. */
export async function onnxForward(model: tfl.LayersModel, inputSize: number): Promise<Forward> {
  const bytes = toOnnxForward(model, inputSize);
  const ort = await import('onnxruntime-node');
  const threads = threadPlan().count;
  const session: InferenceSession = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const S = inputSize;
  return {
    runtime: `onnxruntime ${ort.env.versions.node ?? ort.env.versions.common} (cpu, ${threads} thread${threads === 1 ? '' : 's'})`,
    async run(x, n) {
      const out = await session.run({ [FORWARD_NAMES.input]: new ort.Tensor('float32', x, [n, S, S, 3]) });
      const y = out[FORWARD_NAMES.output]?.data;
      if (!(y instanceof Float32Array)) throw new Error('onnxruntime: the forward graph gave no float32 output');
      return y;
    },
    dispose: () => session.release(),
  };
}

/**
 * The fastest forward for `model`: onnxruntime when TF.js runs on the CPU (wasm, cpu), TF.js on a
 * GPU backend (tensorflow, webgpu on real hardware), on a backend the user named (--backend), or
 * where the model's graph has a layer the converter does not know. The weights are copied into the
 * session: build it after they are final.
 */
export async function fastForward(model: tfl.LayersModel, inputSize: number): Promise<Forward> {
  const engine = requestedEngine();
  const cpu = ['wasm', 'cpu'].includes(tf.getBackend()) && !backendWasNamed();
  if (engine === 'onnxruntime' || (engine === 'auto' && cpu)) {
    try {
      return await onnxForward(model, inputSize);
    } catch (e) {
      if (engine === 'onnxruntime') throw e;
    }
  }
  return tfjsForward(model, inputSize);
}
