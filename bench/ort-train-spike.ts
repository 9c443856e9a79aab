// One training step's graph (src-main/engine/ort-train) timed alone in onnxruntime, on the cpu
// backend's weights: CPU seconds and wall time per step (CPU time is what to compare on a loaded
// machine), RSS. ARENA=1 turns onnxruntime's CPU arena on and PATTERN=0 its memory pattern off (the
// engine runs with ARENA=1 PATTERN=0); PROFILE=1 writes onnxruntime's per-node profile to
// /tmp/ortprof*.json.
//   npx tsx bench/ort-train-spike.ts [model] [size] [batch] [threads] [steps]
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { useBackend } from '../src-main/engine/backend/index.js';
import { buildModel, getArch } from '../src-main/engine/models/index.js';
import { paramSpecs } from '../src-main/engine/optim/index.js';
import { toOnnxTrain } from '../src-main/engine/ort-train/build.js';

const [model = 'resnet18', size = '224', batch = '16', threads = '2', steps = '3'] = process.argv.slice(2);
await useBackend('full', 'cpu');
const S = Number(size);
const N = Number(batch);
const built = buildModel(getArch(model), { numClasses: 10, inputSize: S });
const vars = paramSpecs(built.groups).map((p) => p.variable);
let t0 = performance.now();
const info = toOnnxTrain(built.model, { batch: N, inputSize: S, trainable: new Set(vars.map((v) => v.name)) });
console.log(
  `graph ${(info.bytes.length / 1e6).toFixed(1)} MB, built in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
);
t0 = performance.now();
const session = await ort.InferenceSession.create(info.bytes, {
  intraOpNumThreads: Number(threads),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableCpuMemArena: process.env.ARENA === '1',
  enableMemPattern: process.env.PATTERN !== '0',
  enableProfiling: process.env.PROFILE === '1',
  ...(process.env.SPIN === '0' ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  profileFilePrefix: '/tmp/ortprof',
});
console.log(`session in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
const feeds: Record<string, ort.Tensor> = {
  x: new ort.Tensor(
    'float32',
    Float32Array.from({ length: N * S * S * 3 }, () => Math.random() * 2 - 1),
    [N, S, S, 3],
  ),
  targets: new ort.Tensor(
    'float32',
    Float32Array.from({ length: N * 10 }, (_, i) => (i % 10 === (i / 10) % 10 ? 1 : 0)),
    [N, 10],
  ),
  weights: new ort.Tensor('float32', new Float32Array(N).fill(1), [N]),
};
for (const m of info.masks)
  feeds[m.input] = new ort.Tensor('float32', new Float32Array(m.dims.reduce((a, b) => a * b, 1)).fill(1), m.dims);
for (let i = 0; i < Number(steps) + 1; i++) {
  t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const p of info.params)
    feeds[p.input] = new ort.Tensor('float32', p.variable.dataSync() as Float32Array, p.shape);
  const out = await session.run(feeds);
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(
    `step ${i}: cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, wall ${s.toFixed(3)} s, ${(N / s).toFixed(2)} img/s, loss ${(out.loss!.data as Float32Array)[0]}, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
  );
}
console.log(`peak rss ${Math.round(process.resourceUsage().maxRSS / 1024)} MB, tensors ${tf.memory().numTensors}`);
if (process.env.PROFILE === '1') session.endProfiling();
await session.release();
