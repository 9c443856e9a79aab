// Anneal's webgpu training kernels against tfjs-backend-cpu, on Mesa's software WebGPU adapter
// (llvmpipe) in CI: random shapes (kernel 1–7, stride 1–3, 'same'/'valid'/explicit padding, odd
// sizes, depthwise multipliers), split-K on and off, and the fused batch norm's forward and
// gradients against tfjs-layers' composed batch norm. Relative L2 < 1e-4, and no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend/index.js';
import {
  batchNormTraining,
  deviceDropout,
  movingAverages,
  planGemm,
} from '../../../src-main/engine/backend/webgpu-kernels/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';
import { relL2 } from '../../../src-main/engine/index.js';

type Pad = 'same' | 'valid' | number;

let gpu = false;
let why = '';

beforeAll(async () => {
  expect((await initBackend('cpu')).ok).toBe(true);
  const r = await initBackend('webgpu');
  gpu = r.ok;
  why = r.error ?? '';
});

const fill = (rand: () => number, n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);

/** Gradients of sum(f(x, w) · r) with respect to x and w, on one backend. */
async function grads(
  backend: string,
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  r: Float32Array,
  f: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const xt = tf.tensor(x, xs);
    const wt = tf.tensor(w, ws);
    const y = f(xt, wt);
    const rt = tf.tensor(r.subarray(0, y.size), y.shape);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), rt)))([xt, wt]);
  });
  const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return data;
}

function randomCase(rand: () => number, depthwise: boolean) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const k = pick([1, 2, 3, 5, 7] as const);
  const s = pick([1, 2, 3] as const);
  const pad = pick<Pad>(['same', 'valid', Math.floor(rand() * 3)]);
  const h = k + Math.floor(rand() * 10);
  const w = k + Math.floor(rand() * 10);
  const n = 1 + Math.floor(rand() * 3);
  const ci = pick([1, 3, 8, 17, 33] as const);
  const co = depthwise ? ci * pick([1, 2] as const) : pick([1, 5, 16, 33, 70] as const);
  return { k, s, pad, n, h, w, ci, co };
}

describe('webgpu training kernels match tfjs-backend-cpu', () => {
  for (const depthwise of [false, true]) {
    // Each shape compiles its own pipelines (shapes are baked into the WGSL): on llvmpipe that,
    // not the arithmetic, is most of the time, so the count is what CI on 2 cores affords.
    const shapes = depthwise ? 20 : 16;
    it(`${depthwise ? 'depthwise' : 'conv2d'}: ${shapes} random shapes, relative L2 < 1e-4`, async (ctx) => {
      if (!gpu) ctx.skip(`no WebGPU adapter: ${why}`);
      const rand = mulberry32(depthwise ? 11 : 5);
      for (let t = 0; t < shapes; t++) {
        const c = randomCase(rand, depthwise);
        const xs = [c.n, c.h, c.w, c.ci];
        const ws = depthwise ? [c.k, c.k, c.ci, c.co / c.ci] : [c.k, c.k, c.ci, c.co];
        const x = fill(
          rand,
          xs.reduce((a, b) => a * b),
        );
        const w = fill(
          rand,
          ws.reduce((a, b) => a * b),
        );
        const r = fill(rand, c.n * (c.h + 4) * (c.w + 4) * c.co);
        const conv = (a: tf.Tensor, b: tf.Tensor) =>
          depthwise
            ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad)
            : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad);
        const ref = await grads('cpu', x, xs, w, ws, r, conv);
        const before = tf.memory().numTensors;
        const got = await grads('webgpu', x, xs, w, ws, r, conv);
        expect(tf.memory().numTensors).toBe(before);
        const label = JSON.stringify(c);
        expect(relL2(got[0]!, ref[0]!), `dx ${label}`).toBeLessThan(1e-4);
        expect(relL2(got[1]!, ref[1]!), `dw ${label}`).toBeLessThan(1e-4);
      }
    });
  }

  it('split-K: a weight gradient with batch × pixels in the thousands is cut into slices and summed', async (ctx) => {
    if (!gpu) ctx.skip(`no WebGPU adapter: ${why}`);
    const shape = { n: 4, h: 33, w: 31, ci: 3, co: 8, k: 3 };
    const K = shape.n * 17 * 16;
    expect(planGemm(shape.k * shape.k * shape.ci, shape.co, K).slices).toBeGreaterThan(1);
    const rand = mulberry32(21);
    const xs = [shape.n, shape.h, shape.w, shape.ci];
    const ws = [shape.k, shape.k, shape.ci, shape.co];
    const x = fill(
      rand,
      xs.reduce((a, b) => a * b),
    );
    const w = fill(
      rand,
      ws.reduce((a, b) => a * b),
    );
    const r = fill(rand, K * shape.co);
    for (const depthwise of [false, true]) {
      const wsd = depthwise ? [3, 3, 3, 1] : ws;
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        depthwise
          ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
          : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same');
      const wd = depthwise ? w.subarray(0, 27) : w;
      const ref = await grads('cpu', x, xs, wd, wsd, r, f);
      const got = await grads('webgpu', x, xs, wd, wsd, r, f);
      expect(relL2(got[1]!, ref[1]!)).toBeLessThan(1e-4);
      expect(relL2(got[0]!, ref[0]!)).toBeLessThan(1e-4);
    }
  });

  it('fused batch norm: output, moving statistics and the gradients of x, γ and β match the composed ops', async (ctx) => {
    if (!gpu) ctx.skip(`no WebGPU adapter: ${why}`);
    const rand = mulberry32(9);
    for (const shape of [
      [2, 5, 7, 3],
      [3, 17, 19, 40],
      [1, 2, 1, 8],
    ]) {
      const C = shape[3]!;
      const n = shape.reduce((a, b) => a * b);
      // An offset mean tests the variance against cancellation (Σx² − nμ² would lose it).
      const x = Float32Array.from({ length: n }, () => 50 + rand() * 4);
      const g = fill(rand, C);
      const b = fill(rand, C);
      const r = fill(rand, n);
      const m0 = fill(rand, C);
      const v0 = Float32Array.from({ length: C }, () => 1 + rand());
      // tfjs-layers' moving update: moving − (moving − batch)·(1 − momentum), momentum 0.9.
      const ema = (old: tf.Tensor, batch: tf.Tensor) => tf.sub(old, tf.mul(tf.sub(old, batch), 0.1));
      const composed = (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => {
        const { mean, variance } = tf.moments(xt, [0, 1, 2]);
        const y = tf.batchNorm(xt, mean, variance, bt, gt, 1e-3);
        return { y, mean: ema(tf.tensor1d(m0), mean), variance: ema(tf.tensor1d(v0), variance) };
      };
      const fusedOp = (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => {
        const { y, stats } = batchNormTraining(xt, gt, bt, 1e-3);
        const [mean, variance] = movingAverages(tf.tensor1d(m0), tf.tensor1d(v0), stats, 0.9);
        return { y, mean, variance };
      };
      const run = async (backend: string, fused: boolean) => {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const out = tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const gt = tf.tensor1d(g);
          const bt = tf.tensor1d(b);
          const rt = tf.tensor(r, shape);
          const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => (fused ? fusedOp(a, c, d) : composed(a, c, d));
          const { y, mean, variance } = f(xt, gt, bt);
          const gs = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(a, c, d).y, rt)))([
            xt,
            gt,
            bt,
          ]);
          return [y, mean, variance, ...gs];
        });
        const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
        tf.dispose(out);
        expect(tf.memory().numTensors).toBe(before);
        return data;
      };
      const ref = await run('cpu', false);
      const got = await run('webgpu', true);
      ['y', 'moving mean', 'moving variance', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => {
        expect(relL2(got[i]!, ref[i]!), `${name} ${shape.join('x')}`).toBeLessThan(1e-4);
      });
    }
  });

  it('dropout on the device: inverted scaling, the rate kept, one mask per seed, the gradient through the same mask', async (ctx) => {
    if (!gpu) ctx.skip(`no WebGPU adapter: ${why}`);
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const rand = mulberry32(4);
    const r = fill(rand, 64 * 512);
    const [y, again, other, dx] = tf.tidy(() => {
      const x = tf.ones([64, 512]);
      const rt = tf.tensor(r, [64, 512]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(deviceDropout(a, 0.25, 123), rt)))(x);
      return [deviceDropout(x, 0.25, 123), deviceDropout(x, 0.25, 123), deviceDropout(x, 0.25, 124), g];
    });
    const [a, b, c, d] = await Promise.all([y!, again!, other!, dx!].map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([y!, again!, other!, dx!]);
    expect(tf.memory().numTensors).toBe(before);
    const kept = a!.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    // 32,768 Bernoulli(0.75) draws: the kept share is within 0.01 of 0.75 (over 4 standard deviations).
    expect(Math.abs(kept.length / a!.length - 0.75)).toBeLessThan(0.01);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // d/dx Σ dropout(x)·r = r · mask / 0.75: zero exactly where the output was dropped.
    for (let i = 0; i < a!.length; i++) expect(d![i]).toBeCloseTo(a![i] === 0 ? 0 : r[i]! / 0.75, 5);
  });
});
