// One training step under tf.profile: where a step's GPU time goes, kernel by kernel (the webgpu
// backend times each program with timestamp queries where the adapter has them; elsewhere the
// times are 0 and only the counts say something). For bench/gpu/run.sh and docs/benchmarks.md.
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, getArch, setTrainable } from '../models/index.js';
import { crossEntropy } from '../train/loss.js';

export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
}

/** The `top` kernels of one step (after one warm-up step), by total time, then by calls. */
export async function profileTrainStep(o: {
  model: string;
  imageSize: number;
  batchSize: number;
  top?: number;
}): Promise<{ kernels: KernelTime[]; total_ms: number; kernel_calls: number }> {
  const built = buildModel(getArch(o.model), { numClasses: 10, inputSize: o.imageSize, dropout: 0 });
  setTrainable(built.groups, () => true);
  const vars = built.model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const x = tf.randomNormal([o.batchSize, o.imageSize, o.imageSize, 3]);
  const y = tf.tensor1d(
    Array.from({ length: o.batchSize }, (_, i) => i % 10),
    'int32',
  );
  const step = async () => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(built.model.apply(x, { training: true }) as tf.Tensor2D, y),
      vars,
    );
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  try {
    await step();
    const info = await tf.profile(step);
    const by = new Map<string, KernelTime>();
    for (const k of info.kernels) {
      const e = by.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
      e.calls++;
      e.ms += Number(k.kernelTimeMs) || 0;
      by.set(k.name, e);
    }
    const all = [...by.values()].sort((a, b) => b.ms - a.ms || b.calls - a.calls);
    return {
      kernels: all.slice(0, o.top ?? 15).map((k) => ({ ...k, ms: Math.round(k.ms * 1000) / 1000 })),
      total_ms: Math.round(all.reduce((s, k) => s + k.ms, 0) * 1000) / 1000,
      kernel_calls: info.kernels.length,
    };
  } finally {
    tf.dispose([x, y]);
    built.model.dispose();
  }
}
