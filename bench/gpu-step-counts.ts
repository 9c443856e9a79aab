// Dispatches, queue submits and readbacks per training step on webgpu (docs/benchmarks.md,
// "GPU work per step"). Runs the real Trainer on random in-memory batches, counting with
// backend/webgpu-kernels/counters.ts; `--legacy` runs instead the step loop the trainer had
// before issue 14 (the loss and the accuracy read back after every step).
//   npx tsx bench/gpu-step-counts.ts --model resnet18 --image-size 64 --batch-size 16 --steps 3 [--legacy]
//   ANNEAL_WEBGPU_STOCK_KERNELS=1 npx tsx bench/gpu-step-counts.ts …   (tfjs 4.22's own kernels)
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src-main/engine/backend/index.js';
import { countGpuWork } from '../src-main/engine/backend/webgpu-kernels/index.js';
import { mulberry32 } from '../src-main/engine/data/sources/prng.js';
import type { DataLoader } from '../src-main/engine/data/pipeline/index.js';
import { buildModel, getArch, setTrainable } from '../src-main/engine/models/index.js';
import { createOptimizer, parseOptimizerConfig, paramSpecs } from '../src-main/engine/optim/index.js';
import { compilePlan, parseScheduleFile } from '../src-main/engine/schedules/index.js';
import { Callback, type TrainState } from '../src-main/engine/train/callbacks.js';
import { correct, crossEntropy } from '../src-main/engine/train/loss.js';
import { Trainer } from '../src-main/engine/train/trainer.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'resnet18' },
    'image-size': { type: 'string', default: '64' },
    'batch-size': { type: 'string', default: '16' },
    steps: { type: 'string', default: '3' },
    legacy: { type: 'boolean', default: false },
    'read-every-ms': { type: 'string', default: '125' },
  },
});
const size = Number(values['image-size']);
const batch = Number(values['batch-size']);
const steps = Number(values.steps);
const classes = 10;
const info = await useBackend('full', 'webgpu');
const built = buildModel(getArch(values.model), { numClasses: classes, inputSize: size });
const rand = mulberry32(7);
const images = Float32Array.from({ length: batch * size * size * 3 }, () => rand() * 2 - 1);
const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);

/** The DataLoader surface the Trainer reads: the same random batch `steps` times per epoch. */
const loader = {
  o: { size, batchSize: batch },
  batchesPerEpoch: () => steps,
  async *epoch() {
    for (let i = 0; i < steps; i++) yield { x: images, y: labels, n: batch, indices: [] };
  },
} as unknown as DataLoader;

type Counter = ReturnType<typeof countGpuWork>;

/** Two epochs of the Trainer; the second is counted (the first compiles and creates slots). */
async function trainerRun(): Promise<Counter> {
  const plan = parseScheduleFile({
    stages: [{ name: 'all', epochs: 2, freeze: 'none', schedule: { type: 'oneCycle', maxLr: 1e-3 } }],
  });
  const stages = compilePlan(plan, { stepsPerEpoch: steps, groups: built.groups.length });
  let counter: Counter | null = null;
  const hooks = new (class extends Callback {
    override async onBatchBegin(s: TrainState) {
      s.lr = built.groups.map(() => 1e-3);
    }
    override async onEpochBegin(s: TrainState) {
      if (s.epoch === 1) counter = countGpuWork();
    }
  })();
  const trainer = new Trainer({
    built,
    stages,
    optimizer: parseOptimizerConfig({ type: 'sgd', momentum: 0.9 }),
    train: loader,
    callbacks: [hooks],
    readEveryMs: Number(values['read-every-ms']),
  });
  await trainer.fit();
  trainer.dispose();
  return counter!;
}

/** The trainer's loop before issue 14: loss and accuracy read back after every step. */
async function legacyRun(): Promise<Counter> {
  setTrainable(built.groups, () => true);
  const specs = paramSpecs(built.groups);
  const optimizer = createOptimizer(parseOptimizerConfig({ type: 'sgd', momentum: 0.9 }), specs, built.groups.length);
  const vars = specs.map((p) => p.variable);
  let counter: Counter | null = null;
  for (let i = 0; i < 2 * steps; i++) {
    if (i === steps) counter = countGpuWork();
    const x = tf.tensor4d(images, [batch, size, size, 3]);
    const y = tf.tensor1d(labels, 'int32');
    let hits: tf.Scalar | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const logits = built.model.apply(x, { training: true }) as tf.Tensor2D;
      hits = tf.keep(correct(logits, y));
      return crossEntropy(logits, y);
    }, vars);
    await value.data();
    await hits!.data();
    tf.dispose([x, y, value, hits!]);
    await optimizer.step(
      grads,
      built.groups.map(() => 1e-3),
      null,
      false,
    );
    tf.dispose(Object.values(grads));
  }
  optimizer.dispose();
  return counter!;
}

const { counts, stop } = await (values.legacy ? legacyRun() : trainerRun());
stop();
const per = (n: number) => Math.round((n / steps) * 10) / 10;
console.log(
  JSON.stringify({
    model: values.model,
    image_size: size,
    batch_size: batch,
    device: info.device,
    loop: values.legacy ? 'legacy (read every step)' : 'trainer',
    kernels: process.env.ANNEAL_WEBGPU_STOCK_KERNELS === '1' ? 'tfjs 4.22' : 'anneal',
    steps,
    dispatches_per_step: per(counts.dispatches),
    submits_per_step: per(counts.submits),
    readbacks_per_step: per(counts.readbacks),
    ...(values.legacy ? {} : { read_every_ms: Number(values['read-every-ms']) }),
    top_programs: Object.fromEntries(
      Object.entries(counts.byProgram)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([k, v]) => [k, per(v)]),
    ),
  }),
);
built.model.dispose();
