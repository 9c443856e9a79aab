// Entry of the GPU bundle (scripts/gpu-bundle.sh): `anneal bench` without the CLI around it, so
// the bundle carries only the engine's backend, models and optimizer code (no image decoding).
//   node anneal-bench.mjs --model resnet50 --image-size 224 --batch-size 32 --steps 10 --backend webgpu [--check]
//   node anneal-bench.mjs --profile --model resnet50 …   (one step under tf.profile: top kernels)
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src-main/engine/backend/index.js';
import { runBench } from '../src-main/engine/bench/bench.js';
import { profileTrainStep } from '../src-main/engine/bench/profile.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'resnet50' },
    'image-size': { type: 'string', default: '224' },
    'batch-size': { type: 'string', default: '32' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    backend: { type: 'string' },
    check: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
tf.enableProdMode();
if (values.profile) {
  const info = await useBackend('full', values.backend);
  const result = await profileTrainStep({
    model: values.model,
    imageSize: Number(values['image-size']),
    batchSize: Number(values['batch-size']),
  });
  console.log(JSON.stringify({ profile: values.model, backend: info.name, device: info.device, ...result }));
} else {
  const result = await runBench({
    model: values.model,
    imageSize: Number(values['image-size']),
    batchSize: Number(values['batch-size']),
    steps: Number(values.steps),
    warmup: Number(values.warmup),
    backend: values.backend,
    check: values.check,
    onPhase: (p) => process.stderr.write(`bench: ${p}…\n`),
  });
  console.log(JSON.stringify(result));
}
