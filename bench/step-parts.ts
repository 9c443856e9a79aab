// Where one training step's time goes, as a run spends it: the step engine (weights copied into
// onnxruntime, the session, gradients wrapped as TF.js tensors; train/step-engine.ts) and the
// optimizer (TF.js, on the active backend), per step, ResNet-18 by default. Run it with
// ANNEAL_THREADS=1 and =2 to see what scales.
//   ANNEAL_THREADS=T npx tsx bench/step-parts.ts [size] [model] [steps]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src-main/engine/backend/index.js';
import { buildModel, getArch } from '../src-main/engine/models/index.js';
import { createOptimizer, paramSpecs, parseOptimizerConfig } from '../src-main/engine/optim/index.js';
import { chooseStepEngine } from '../src-main/engine/train/step-engine.js';

const [size = '224', model = 'resnet18', steps = '5'] = process.argv.slice(2);
const S = Number(size);
const b = 16;
const info = await useBackend('full');
const built = buildModel(getArch(model), { numClasses: 10, inputSize: S });
const opt = createOptimizer(
  parseOptimizerConfig({ type: 'sgd', momentum: 0.9, weightDecay: 1e-4 }),
  paramSpecs(built.groups),
  built.groups.length,
);
const x = tf.randomNormal([b, S, S, 3]);
const labels = Int32Array.from({ length: b }, (_, i) => i % 10);
const y = tf.tensor1d(labels, 'int32');
const pixels = (await x.data()) as Float32Array;
const engine = await chooseStepEngine(built.model, { inputSize: S });
const vars = paramSpecs(built.groups).map((p) => p.variable);
const rates = built.groups.map(() => 1e-3);
console.log(
  `${model} ${S} px, batch ${b}: TF.js ${info.name} (${info.threads?.count ?? '?'} threads), steps by ${engine.runtime}`,
);
for (let i = 0; i < Number(steps) + 1; i++) {
  const t0 = performance.now();
  const out = await engine.step({ x, y, pixels, labels, n: b }, vars, null);
  const t1 = performance.now();
  await opt.step(out.grads, rates, null, false);
  await out.value.data();
  tf.dispose([out.value, out.hits, ...Object.values(out.grads)]);
  const t2 = performance.now();
  console.log(
    `${i ? 'step' : 'warm-up'} ${i}: engine ${(t1 - t0).toFixed(0)} ms, optimizer ${(t2 - t1).toFixed(0)} ms, total ${(t2 - t0).toFixed(0)} ms`,
  );
}
await engine.dispose();
opt.dispose();
tf.dispose([x, y]);
built.model.dispose();
