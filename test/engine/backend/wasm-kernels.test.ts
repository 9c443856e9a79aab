// Anneal's wasm training kernels against tfjs-backend-cpu's reference kernels, on random shapes:
// kernel sizes, strides, 'same'/'valid'/explicit padding, odd sizes, depthwise channel multipliers.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';
import { relL2 } from '../../../src-main/engine/index.js';

type Pad = 'same' | 'valid' | number;

/** Gradients of sum(conv(x, w) · r) with respect to x and w: dy = r exercises both backprops. */
async function grads(
  backend: string,
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  r: Float32Array,
  conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await tf.setBackend(backend);
  const [dx, dw] = tf.tidy(() => {
    const xt = tf.tensor4d(x, xs as [number, number, number, number]);
    const wt = tf.tensor4d(w, ws as [number, number, number, number]);
    const y = conv(xt, wt);
    const rt = tf.tensor(r.subarray(0, y.size), y.shape);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), rt)))([
      xt,
      wt,
    ]);
  });
  const out = { dx: (await dx!.data()) as Float32Array, dw: (await dw!.data()) as Float32Array };
  tf.dispose([dx!, dw!]);
  return out;
}

function randomCase(rand: () => number, depthwise: boolean) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const k = pick([1, 2, 3, 5, 7] as const);
  const s = pick([1, 1, 2, 3] as const);
  const pads: Pad[] = ['same', 'valid', Math.floor(rand() * 3)];
  const pad = pick(pads);
  const h = k + Math.floor(rand() * 9);
  const w = k + Math.floor(rand() * 9);
  const n = 1 + Math.floor(rand() * 3);
  const ci = pick([1, 3, 8, 17, 32] as const);
  const co = depthwise ? ci * pick([1, 2] as const) : pick([1, 4, 16, 33] as const);
  return { k, s, pad, n, h, w, ci, co };
}

beforeAll(async () => {
  for (const b of ['cpu', 'wasm'] as const) expect((await initBackend(b)).ok).toBe(true);
});

describe('wasm conv backprop kernels match tfjs-backend-cpu', () => {
  for (const depthwise of [false, true]) {
    it(`${depthwise ? 'depthwise' : 'conv2d'}: 40 random shapes, relative L2 < 1e-5`, async () => {
      const rand = mulberry32(depthwise ? 7 : 3);
      for (let t = 0; t < 40; t++) {
        const c = randomCase(rand, depthwise);
        const xs = [c.n, c.h, c.w, c.ci];
        const ws = depthwise ? [c.k, c.k, c.ci, c.co / c.ci] : [c.k, c.k, c.ci, c.co];
        const x = Float32Array.from({ length: xs.reduce((a, b) => a * b) }, () => rand() * 2 - 1);
        const w = Float32Array.from({ length: ws.reduce((a, b) => a * b) }, () => rand() * 2 - 1);
        const r = Float32Array.from({ length: c.n * (c.h + 4) * (c.w + 4) * c.co }, () => rand() * 2 - 1);
        const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
          depthwise ? tf.depthwiseConv2d(a, b, c.s, c.pad) : tf.conv2d(a, b, c.s, c.pad);
        const ref = await grads('cpu', x, xs, w, ws, r, conv);
        const before = tf.memory().numTensors;
        const got = await grads('wasm', x, xs, w, ws, r, conv);
        expect(tf.memory().numTensors).toBe(before);
        const label = JSON.stringify(c);
        expect(relL2(got.dx, ref.dx), `dx ${label}`).toBeLessThan(1e-5);
        expect(relL2(got.dw, ref.dw), `dw ${label}`).toBeLessThan(1e-5);
      }
    });
  }

  it('Tile (block copies) matches the cpu backend on random shapes and dtypes', async () => {
    const rand = mulberry32(11);
    for (let t = 0; t < 30; t++) {
      const rank = 1 + Math.floor(rand() * 4);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 4));
      const reps = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 4));
      const dtype = rand() < 0.5 ? 'float32' : 'int32';
      const values = Array.from({ length: shape.reduce((a, b) => a * b) }, () => Math.floor(rand() * 100));
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const x = tf.tensor(values, shape, dtype);
        const y = tf.tile(x, reps);
        const out = Array.from(await y.data());
        tf.dispose([x, y]);
        return out;
      };
      expect(await run('wasm'), JSON.stringify({ shape, reps })).toEqual(await run('cpu'));
    }
  });

  it('the wasm backend now offers every training kernel', () => {
    const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'])
      expect(have.has(k)).toBe(true);
  });
});
