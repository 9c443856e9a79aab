// One training step under tf.profile: where the time goes (kernels by total time) and the memory
// (tensor bytes at peak, the wasm heap's size, the process's peak RSS). For docs/benchmarks.md.
//   npx tsx bench/profile-step.ts [--model resnet18] [--image-size 224] [--batch-size 16] [--threads N] [--top 15]
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { requestThreads, useBackend, wasmThreads } from '../src-main/engine/backend/index.js';
import { buildModel, getArch, setTrainable } from '../src-main/engine/models/index.js';
import { crossEntropy } from '../src-main/engine/train/loss.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'resnet18' },
    'image-size': { type: 'string', default: '224' },
    'batch-size': { type: 'string', default: '16' },
    threads: { type: 'string' },
    top: { type: 'string', default: '15' },
  },
});
if (values.threads) requestThreads({ flag: Number(values.threads) });
await useBackend('full', 'wasm');
const S = Number(values['image-size']);
const B = Number(values['batch-size']);
const built = buildModel(getArch(values.model), { numClasses: 10, inputSize: S });
setTrainable(built.groups, () => true);
const x = tf.randomNormal([B, S, S, 3]);
const y = tf.tensor1d(
  Array.from({ length: B }, (_, i) => i % 10),
  'int32',
);
const vars = built.model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
const step = async () => {
  const { value, grads } = tf.variableGrads(
    () => crossEntropy(built.model.apply(x, { training: true }) as tf.Tensor2D, y),
    vars,
  );
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
};
if (!process.env.NO_WARMUP) await step(); // warm-up: XNNPACK operators, im2col scratch
const t0 = performance.now();
const info = await tf.profile(step);
const wall = performance.now() - t0;
const byName = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const e = byName.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.n++;
  byName.set(k.name, e);
}
const total = [...byName.values()].reduce((a, e) => a + e.ms, 0);
console.log(
  `${values.model} ${S} px batch ${B}, wasm ${wasmThreads()?.count} thread(s): step ${wall.toFixed(0)} ms, kernels ${total.toFixed(0)} ms`,
);
console.log(
  `tensor bytes at peak ${(info.peakBytes / 2 ** 20).toFixed(0)} MB; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.top)))
  console.log(`  ${name.padEnd(32)} ${e.ms.toFixed(0).padStart(7)} ms  ${String(e.n).padStart(4)} calls`);
const added = new Map<string, number>();
for (const k of info.kernels) added.set(k.name, (added.get(k.name) ?? 0) + k.bytesAdded);
console.log('bytes added by kernel (MB, net over the step; the forward keeps what the backward needs):');
for (const [name, b] of [...added].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  console.log(`  ${name.padEnd(32)} ${(b / 2 ** 20).toFixed(0).padStart(7)}`);
const peakAt = info.kernels.reduce(
  (best, k, i) => (k.totalBytesSnapshot > info.kernels[best]!.totalBytesSnapshot ? i : best),
  0,
);
console.log(`peak after kernel #${peakAt} of ${info.kernels.length} (${info.kernels[peakAt]!.name})`);
