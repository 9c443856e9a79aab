// Forward-only work in onnxruntime (predict/forward.ts) gives TF.js's numbers: logits and pooled
// features of zoo architectures with random weights (BatchNorm statistics randomised too, so
// inference-mode BatchNorm is exercised), relative L2 < 1e-4, and no TF.js tensor left behind.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';
import { buildModel, getArch } from '../../../src-main/engine/models/index.js';
import { fastForward, onnxForward, tfjsForward } from '../../../src-main/engine/predict/forward.js';
import { backboneOf } from '../../../src-main/engine/train/feature-cache.js';
import { relL2 } from '../../../src-main/engine/index.js';
import { randomise } from '../random-weights.js';

beforeAll(async () => {
  await useBackend('inference', 'wasm');
});

describe('onnxruntime forward equals TF.js', () => {
  for (const [arch, size] of [
    ['resnet18', 64],
    ['efficientnet_b0', 64],
  ] as const) {
    it(`${arch} at ${size} px: logits and backbone features, relative L2 < 1e-4`, async () => {
      const built = buildModel(getArch(arch), { numClasses: 7, inputSize: size });
      randomise(built.model, 5);
      const rand = mulberry32(9);
      const n = 3;
      const x = Float32Array.from({ length: n * size * size * 3 }, () => rand() * 4 - 2);
      const before = tf.memory().numTensors;
      for (const model of [built.model, backboneOf(built)]) {
        const ref = await tfjsForward(model, size).run(x, n);
        const ort = await onnxForward(model, size);
        expect(ort.runtime).toMatch(/^onnxruntime .* \(cpu, \d+ threads?\)$/);
        const got = await ort.run(x, n);
        await ort.dispose();
        expect(got.length).toBe(ref.length);
        expect(relL2(got, ref), `${model.name}`).toBeLessThan(1e-4);
      }
      expect(tf.memory().numTensors).toBe(before);
      built.model.dispose();
    });
  }

  it('fastForward: onnxruntime on a CPU backend chosen automatically; TF.js on a named backend or with ANNEAL_FORWARD=tfjs', async () => {
    const built = buildModel(getArch('resnet_micro'), { numClasses: 3, inputSize: 32 });
    const named = await fastForward(built.model, 32);
    expect(named.runtime).toBe('TF.js (wasm)');
    const info = await useBackend('inference');
    expect(['wasm', 'cpu']).toContain(info.name); // no GPU on the machines tests run on
    const auto = await fastForward(built.model, 32);
    expect(auto.runtime).toMatch(/^onnxruntime/);
    await auto.dispose();
    process.env.ANNEAL_FORWARD = 'tfjs';
    try {
      expect((await fastForward(built.model, 32)).runtime).toBe(`TF.js (${info.name})`);
    } finally {
      delete process.env.ANNEAL_FORWARD;
    }
    built.model.dispose();
  });
});
