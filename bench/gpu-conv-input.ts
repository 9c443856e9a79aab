// Conv2DBackpropInput on webgpu three ways, for docs/benchmarks.md: tfjs 4.22's default (the
// direct per-element kernel, WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=true), tfjs's implicit-GEMM kernel
// (that flag false), and Anneal's implicit GEMM (backend/webgpu-kernels/conv-backprop.ts). Medians
// of wall times to a readback, after a warm-up run that compiles the pipelines.
//   npx tsx bench/gpu-conv-input.ts [--batch 8] [--reps 5]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src-main/engine/backend/index.js';
import { conv2dBackpropInputGpu } from '../src-main/engine/backend/webgpu-kernels/index.js';
import { median } from '../src-main/engine/bench/bench.js';

process.env.ANNEAL_WEBGPU_STOCK_KERNELS = '1'; // keep tfjs's kernel registered; Anneal's is called directly
const { values } = parseArgs({
  options: { batch: { type: 'string', default: '8' }, reps: { type: 'string', default: '5' } },
});
const n = Number(values.batch);
const reps = Number(values.reps);
const info = await useBackend('full', 'webgpu');

// ResNet-18 layers at 64 px: [input H, channels in, channels out, kernel, stride].
const layers: [number, number, number, number, number][] = (process.env.CONV_LAYERS
  ? JSON.parse(process.env.CONV_LAYERS)
  : null) ?? [
  [16, 64, 64, 3, 1],
  [16, 64, 128, 3, 2],
  [8, 128, 128, 3, 1],
  [4, 256, 256, 3, 1],
  [16, 64, 128, 1, 2],
];

async function time(f: () => tf.Tensor): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const out = f();
    await out.data();
    out.dispose();
    if (i > 0) ts.push(performance.now() - t0);
  }
  return median(ts);
}

const rows = [];
for (const [h, ci, co, k, s] of layers) {
  const inputShape: [number, number, number, number] = [n, h, h, ci];
  const w = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
  const info4 = tf.backend_util.computeConv2DInfo(inputShape, [k, k, ci, co], s, 1, 'same');
  const dy = tf.randomNormal([n, info4.outHeight, info4.outWidth, co]) as tf.Tensor4D;
  const stock = (naive: boolean) => () => {
    tf.env().set('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE', naive);
    return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
      inputShape,
      strides: [s, s],
      pad: 'same',
      dataFormat: 'NHWC',
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
  const anneal = () => {
    const out = conv2dBackpropInputGpu(tf.backend() as never, dy, w, info4);
    return tf.engine().makeTensorFromTensorInfo(out);
  };
  const flops = 2 * n * info4.outHeight * info4.outWidth * co * k * k * ci;
  const r = {
    layer: `${h}x${h}x${ci}→${co} ${k}x${k}/${s}`,
    naive_ms: await time(stock(true)),
    tfjs_mm_ms: await time(stock(false)),
    anneal_ms: await time(anneal),
    gflop: flops / 1e9,
  };
  rows.push(r);
  process.stderr.write(`${JSON.stringify(r)}\n`);
  tf.dispose([w, dy]);
}
console.log(JSON.stringify({ conv_input: rows, device: info.device, batch: n, reps }));
