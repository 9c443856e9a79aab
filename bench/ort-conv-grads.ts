// The ways to write one convolution's gradients as ONNX operators (engine/ort-train/conv-grad.ts),
// timed in onnxruntime on one layer shape: the forward Conv, the input gradient by ConvTranspose
// ('dx-t') or by the flipped-kernel Conv ('dx-c', stride 1), the filter gradient by per-tap GEMMs
// ('dw-im2col') or by the swapped-roles Conv ('dw-conv'); best of 4 runs each, ms. The numbers in
// docs/benchmarks.md came from ResNet-18's shapes:
//   npx tsx bench/ort-conv-grads.ts N Ci Co H k stride      e.g. 16 64 64 56 3 1
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../src-main/engine/export/onnx/proto.js';
import { TrainGraph, attr } from '../src-main/engine/ort-train/graph.js';
import { filterGrad, inputGrad } from '../src-main/engine/ort-train/conv-grad.js';
const [N, C, Co, H, k, s] = process.argv.slice(2).map(Number) as [number, number, number, number, number, number];
const p = (k - 1) >> 1;
const Ho = Math.floor((H + 2 * p - k) / s) + 1;
const geo = {
  x: [N, C, H, H],
  dy: [N, Co, Ho, Ho],
  kernel: [k, k] as [number, number],
  strides: [s, s] as [number, number],
  pads: [p, p, p, p],
};
async function make(kind: string) {
  const g = new TrainGraph();
  const x = g.input('x', [N, C, H, H]);
  const dy = g.input('dy', [N, Co, Ho, Ho]);
  const w = g.input('w', [k, k, C, Co]);
  const oihw = g.op('Transpose', [w], 'oihw', [attr.ints('perm', [3, 2, 0, 1])]);
  let out: string;
  let dims: number[];
  if (kind === 'fwd') {
    out = g.op('Conv', [x, oihw], 'y', [
      attr.ints('kernel_shape', [k, k]),
      attr.ints('strides', [s, s]),
      attr.ints('pads', [p, p, p, p]),
    ]);
    dims = [N, Co, Ho, Ho];
  } else if (kind.startsWith('dx')) {
    process.env.ANNEAL_ORT_INPUT_GRAD = kind === 'dx-t' ? 'transpose' : '';
    out = inputGrad(g, dy, { hwio: w, oihw }, geo, 'g');
    dims = [N, C, H, H];
  } else {
    process.env.ANNEAL_ORT_FILTER_GRAD = kind === 'dw-conv' ? 'conv' : 'im2col';
    out = filterGrad(g, x, dy, geo, 'g');
    dims = [k, k, C, Co];
  }
  g.output('out', out, dims);
  const bytes = encodeModel({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: { name: 'm', node: g.nodes, initializer: g.initializers, input: g.inputs, output: g.outputs },
  });
  const sess = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  return sess;
}
const feeds = {
  x: new ort.Tensor('float32', new Float32Array(N * C * H * H).fill(0.5), [N, C, H, H]),
  dy: new ort.Tensor('float32', new Float32Array(N * Co * Ho * Ho).fill(0.1), [N, Co, Ho, Ho]),
  w: new ort.Tensor('float32', new Float32Array(k * k * C * Co).fill(0.01), [k, k, C, Co]),
};
const kinds = ['fwd', 'dx-t', 'dx-c', 'dw-im2col', 'dw-conv'];
const sess: Record<string, ort.InferenceSession> = {};
for (const kd of kinds) sess[kd] = await make(kd);
const best: Record<string, number> = {};
for (let r = 0; r < 4; r++)
  for (const kd of kinds) {
    if (kd === 'dx-c' && s !== 1) continue;
    const f: Record<string, ort.Tensor> = {};
    for (const n of sess[kd]!.inputNames) f[n] = (feeds as Record<string, ort.Tensor>)[n]!;
    const t0 = performance.now();
    await sess[kd]!.run(f);
    const t = performance.now() - t0;
    best[kd] = Math.min(best[kd] ?? Infinity, t);
  }
console.log(
  process.argv.slice(2).join(' '),
  JSON.stringify(Object.fromEntries(Object.entries(best).map(([a, b]) => [a, Math.round(b)]))),
);
