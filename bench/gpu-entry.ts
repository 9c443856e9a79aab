// Entry of the GPU bundle (scripts/gpu-bundle.sh): `anneal bench` without the CLI around it, so
// the bundle carries only the engine's backend, models and optimizer code (no image decoding).
//   node anneal-bench.mjs --model resnet50 --image-size 224 --batch-size 32 --steps 10 --backend webgpu
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { runBench } from '../src-main/engine/bench/bench.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'resnet50' },
    'image-size': { type: 'string', default: '224' },
    'batch-size': { type: 'string', default: '32' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    backend: { type: 'string' },
  },
});
tf.enableProdMode();
const result = await runBench({
  model: values.model,
  imageSize: Number(values['image-size']),
  batchSize: Number(values['batch-size']),
  steps: Number(values.steps),
  warmup: Number(values.warmup),
  backend: values.backend,
  onPhase: (p) => process.stderr.write(`bench: ${p}…\n`),
});
console.log(JSON.stringify(result));
