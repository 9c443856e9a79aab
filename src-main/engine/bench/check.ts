// `anneal bench --check`: one training step's gradients on the selected backend against the cpu
// backend's (tfjs-backend-cpu, plain JavaScript, the reference), with the same weights and the
// same batch. Dropout is off in both models (it is the only random layer), so the two steps are
// the same computation and any difference is the backend's arithmetic: summation order in fp32
// gives ~1e-6; a wrong kernel gives ~1.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/index.js';
import { buildModel, setTrainable, type ArchSpec, type BuiltModel } from '../models/index.js';
import { mulberry32 } from '../data/sources/prng.js';
import { crossEntropy } from '../train/loss.js';

export interface GradCheck {
  /** ‖g − g_cpu‖ / ‖g_cpu‖ over every trainable weight together. */
  grad_rel_err: number;
  /** The weight whose own relative error is largest, and that error. */
  grad_worst: { weight: string; rel_err: number };
  /** Images in the checked batch (the cpu backend is slow: a few suffice). */
  check_batch: number;
}

async function gradients(built: BuiltModel, x: Float32Array, shape: number[], labels: Int32Array) {
  setTrainable(built.groups, () => true);
  const vars = built.model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.tidy(() => {
    const xt = tf.tensor(x, shape);
    const yt = tf.tensor1d(labels, 'int32');
    return tf.variableGrads(() => crossEntropy(built.model.apply(xt, { training: true }) as tf.Tensor2D, yt), vars);
  });
  const out = new Map<string, Float32Array>();
  for (const v of vars) out.set(v.name, (await grads[v.name]!.data()) as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/**
 * Runs on the active backend, then on cpu with the same initial weights, and switches back.
 * `batch` images of `imageSize` px, drawn from a fixed seed.
 */
export async function checkGradients(
  spec: ArchSpec,
  imageSize: number,
  batch: number,
  classes: number,
): Promise<GradCheck> {
  const backend = tf.getBackend();
  const rand = mulberry32(1234);
  const shape = [batch, imageSize, imageSize, 3];
  const x = Float32Array.from({ length: batch * imageSize * imageSize * 3 }, () => rand() * 2 - 1);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);
  const options = { numClasses: classes, inputSize: imageSize, dropout: 0 };

  const gpu = buildModel(spec, options);
  const weights = await Promise.all(
    gpu.model.getWeights().map(async (w) => ({ shape: w.shape, data: await w.data() })),
  );
  let got: Map<string, Float32Array>;
  try {
    got = await gradients(gpu, x, shape, labels);
  } finally {
    gpu.model.dispose();
  }

  const init = await initBackend('cpu');
  if (!init.ok || !(await tf.setBackend('cpu'))) throw new Error(`the cpu backend failed: ${init.error}`);
  let ref: Map<string, Float32Array>;
  try {
    const cpu = buildModel(spec, options);
    try {
      const values = weights.map((w) => tf.tensor(w.data as Float32Array, w.shape));
      cpu.model.setWeights(values);
      tf.dispose(values);
      ref = await gradients(cpu, x, shape, labels);
    } finally {
      cpu.model.dispose();
    }
  } finally {
    await tf.setBackend(backend);
  }

  let num = 0;
  let den = 0;
  let worst = { weight: '', rel_err: 0 };
  // Variables are named per model instance (…_1); both models list their weights in build order.
  const refs = [...ref.values()];
  [...got.entries()].forEach(([name, g], i) => {
    const r = refs[i]!;
    let n = 0;
    let d = 0;
    for (let j = 0; j < g.length; j++) {
      n += (g[j]! - r[j]!) ** 2;
      d += r[j]! ** 2;
    }
    num += n;
    den += d;
    const e = Math.sqrt(n / Math.max(d, 1e-30));
    if (d > 0 && e > worst.rel_err) worst = { weight: name, rel_err: e };
  });
  return { grad_rel_err: Math.sqrt(num / Math.max(den, 1e-30)), grad_worst: worst, check_batch: batch };
}
