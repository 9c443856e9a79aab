// The threaded wasm backend (tfjs-backend-wasm's threaded-simd build started under Node, backend/
// wasm-threads.ts) against the single-threaded one: the same gradients for random convolution
// shapes (as in wasm-kernels.test.ts, plus layer-sized ones that XNNPACK actually splits across its
// pool), with a flat tensor count. Also: the thread count's resolution and the CLI's answers.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  initBackend,
  physicalCoresFromCpuinfo,
  resolveThreads,
  restartWasm,
  wasmThreads,
} from '../../../src-main/engine/backend/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';
import { run } from '../../../src-main/cli/index.js';
import { relL2 } from '../../../src-main/engine/index.js';

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  pad: 'same' | 'valid' | number;
  depthwise: boolean;
}

function randomCase(rand: () => number, depthwise: boolean): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const k = pick([1, 2, 3, 5, 7] as const);
  const s = pick([1, 1, 2, 3] as const);
  const pad = pick(['same', 'valid', Math.floor(rand() * 3)] as const);
  const ci = pick([1, 3, 8, 17, 32] as const);
  return {
    k,
    s,
    pad,
    depthwise,
    h: k + Math.floor(rand() * 9),
    w: k + Math.floor(rand() * 9),
    n: 1 + Math.floor(rand() * 3),
    ci,
    co: depthwise ? ci * pick([1, 2] as const) : pick([1, 4, 16, 33] as const),
  };
}

/** ResNet/EfficientNet-sized layers: enough work per GEMM for XNNPACK to use every thread. */
const LAYERS: Case[] = [
  { n: 2, h: 56, w: 56, ci: 64, co: 64, k: 3, s: 1, pad: 'same', depthwise: false },
  { n: 2, h: 28, w: 28, ci: 128, co: 256, k: 3, s: 2, pad: 'same', depthwise: false },
  { n: 2, h: 32, w: 32, ci: 3, co: 64, k: 7, s: 2, pad: 3, depthwise: false },
  { n: 2, h: 14, w: 14, ci: 256, co: 512, k: 1, s: 2, pad: 'valid', depthwise: false },
  { n: 2, h: 28, w: 28, ci: 96, co: 96, k: 5, s: 1, pad: 'same', depthwise: true },
];

const CASES: Case[] = (() => {
  const rand = mulberry32(13);
  return [
    ...Array.from({ length: 30 }, () => randomCase(rand, false)),
    ...Array.from({ length: 30 }, () => randomCase(rand, true)),
    ...LAYERS,
  ];
})();

interface Inputs {
  x: Float32Array;
  w: Float32Array;
  r: Float32Array;
}

const INPUTS: Inputs[] = (() => {
  const rand = mulberry32(17);
  const fill = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
  return CASES.map((c) => ({
    x: fill(c.n * c.h * c.w * c.ci),
    w: fill(c.k * c.k * c.ci * (c.depthwise ? c.co / c.ci : c.co)),
    r: fill(c.n * (c.h + 6) * (c.w + 6) * c.co),
  }));
})();

/** Gradients of sum(conv(x, w) · r) and of a matmul, for every case, on the active backend. */
async function allGrads(): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of CASES.entries()) {
    const { x, w, r } = INPUTS[i]!;
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      c.depthwise ? tf.depthwiseConv2d(a, b, c.s, c.pad) : tf.conv2d(a, b, c.s, c.pad);
    const grads = tf.tidy(() => {
      const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
      const wt = tf.tensor4d(w, [c.k, c.k, c.ci, c.depthwise ? c.co / c.ci : c.co]);
      const y = conv(xt, wt);
      const rt = tf.tensor(r.subarray(0, y.size), y.shape);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), rt)))([
        xt,
        wt,
      ]);
    });
    for (const g of grads) out.push((await g.data()) as Float32Array);
    tf.dispose(grads);
  }
  const mm = tf.tidy(() => {
    const a = tf.tensor2d(INPUTS.at(-1)!.r.subarray(0, 384 * 512), [384, 512]);
    const b = tf.tensor2d(INPUTS.at(-2)!.r.subarray(0, 512 * 300), [512, 300]);
    return tf.matMul(a, b);
  });
  out.push((await mm.data()) as Float32Array);
  mm.dispose();
  return out;
}

describe('threaded wasm backend', () => {
  let single: Float32Array[];

  beforeAll(async () => {
    expect((await initBackend('wasm')).ok).toBe(true);
    expect((await restartWasm(1)).count).toBe(1);
    await tf.setBackend('wasm');
    single = await allGrads();
  });

  afterAll(async () => {
    await restartWasm(1);
  });

  it('runs 2 and 3 threads under Node (the count the pool reports, not only the one asked for)', async () => {
    for (const n of [2, 3]) {
      const t = await restartWasm(n);
      expect(t.count).toBe(n);
      expect(t.why).toContain(`${n} from --threads`);
    }
  });

  it('gradients equal the single-threaded ones to relative L2 < 1e-5; tensor count flat', async () => {
    await restartWasm(2);
    await tf.setBackend('wasm');
    expect(wasmThreads()?.count).toBe(2);
    await allGrads(); // warm-up: XNNPACK operator caches are created once per shape
    const before = tf.memory().numTensors;
    const threaded = await allGrads();
    expect(tf.memory().numTensors).toBe(before);
    expect(threaded.length).toBe(single.length);
    for (const [i, g] of threaded.entries()) {
      const label = JSON.stringify(CASES[i >> 1] ?? 'matmul');
      expect(g.length, label).toBe(single[i]!.length);
      expect(relL2(g, single[i]!), label).toBeLessThan(1e-5);
    }
  });
});

describe('thread count', () => {
  it('counts physical cores from /proc/cpuinfo, not hyper-threads', () => {
    const cpu = (pkg: number, core: number) => `processor\t: x\nphysical id\t: ${pkg}\ncore id\t\t: ${core}\n`;
    const smt = [cpu(0, 0), cpu(0, 1), cpu(0, 0), cpu(0, 1), cpu(1, 0), cpu(1, 0)].join('\n');
    expect(physicalCoresFromCpuinfo(smt)).toBe(3);
    expect(physicalCoresFromCpuinfo('processor\t: 0\nBogoMIPS\t: 50\n')).toBeNull();
  });

  it('takes --threads, then the config, then ANNEAL_THREADS, then the physical cores; caps at 8', () => {
    expect(resolveThreads({ flag: 3, config: 2, env: '5' }, 4)).toMatchObject({ count: 3, source: 'flag' });
    expect(resolveThreads({ config: 2, env: '5' }, 4)).toMatchObject({ count: 2, source: 'config' });
    expect(resolveThreads({ env: ' 5 ' }, 4)).toMatchObject({ count: 5, source: 'env' });
    expect(resolveThreads({ env: '' }, 4)).toMatchObject({ count: 4, source: 'default' });
    const capped = resolveThreads({ flag: 32 }, 64);
    expect(capped.count).toBe(8);
    expect(capped.why).toMatch(/capped at 8/);
    expect(() => resolveThreads({ env: 'two' }, 4)).toThrow(/ANNEAL_THREADS must be a whole number >= 1/);
    expect(() => resolveThreads({ config: 0 }, 4)).toThrow(/config "threads"/);
  });

  it('the CLI: doctor --json reports the count and why; bad counts exit 2 with one line', async () => {
    const io = () => {
      const o = { out: '', err: '' };
      return { o, io: { stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) } };
    };
    const bad = io();
    expect(await run(['bench', '--threads', '0'], bad.io)).toBe(2);
    expect(bad.o.err.trim().split('\n')).toHaveLength(1);
    expect(bad.o.err).toMatch(/--threads must be a whole number >= 1/);

    const saved = process.env.ANNEAL_THREADS;
    process.env.ANNEAL_THREADS = 'many';
    const env = io();
    try {
      expect(await run(['doctor'], env.io)).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.ANNEAL_THREADS;
      else process.env.ANNEAL_THREADS = saved;
    }
    expect(env.o.err).toBe('anneal: ANNEAL_THREADS must be a whole number >= 1 (got "many")\n');
  });
});
