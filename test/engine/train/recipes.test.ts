// The training recipes against their outside references (test/golden/generate_recipes.py wrote
// recipes.json from the real code):
// - label smoothing: torch CrossEntropyLoss(weight, label_smoothing) (torch/nn/functional.py
//   cross_entropy; aten/src/ATen/native/LossNLL.cpp cross_entropy_loss_label_smoothing), loss and
//   gradient, through softTargets + softCrossEntropy;
// - MixUp / CutMix: timm/data/mixup.py Mixup.__call__ (mode 'batch': _mix_batch,
//   cutmix_bbox_and_lam, rand_bbox, mixup_target) with the draws injected;
// - EMA: timm/utils/model_ema.py ModelEmaV3 (get_decay, apply_update_) on parameters and
//   BatchNorm buffers alike.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import {
  beta,
  cutmixBoxAt,
  drawMix,
  emaDecay,
  EMA_PREFIX,
  mixImages,
  mixPixels,
  mixRng,
  softCrossEntropy,
  softTargets,
  WeightEma,
} from '../../../src-main/engine/train/index.js';

interface Golden {
  labelSmoothing: {
    eps: number;
    classWeights: number[] | null;
    logits: number[];
    labels: number[];
    classes: number;
    loss: number;
    grad: number[];
  }[];
  mix: {
    method: 'mixup' | 'cutmix';
    lam: number;
    centre: [number, number] | null;
    smoothing: number;
    shape: [number, number, number, number];
    classes: number;
    labels: number[];
    x: number[];
    mixed: number[];
    targets: number[];
    box: [number, number, number, number] | null;
    correctedLam: number;
  }[];
  ema: {
    decay: number;
    warmup: boolean;
    steps: number;
    live: Record<string, Record<string, number[]>>;
    ema: Record<string, number[]>;
    decays: Record<string, number>;
  }[];
}

const golden = JSON.parse(readFileSync(new URL('../../golden/recipes.json', import.meta.url), 'utf8')) as Golden;

function close(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...expected.map((e, i) => Math.abs((actual[i] ?? NaN) - e)));
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  await useBackend('full', 'cpu');
});

describe('label smoothing = torch CrossEntropyLoss(weight, label_smoothing)', () => {
  for (const c of golden.labelSmoothing) {
    it(`ε ${c.eps}${c.classWeights ? ', class weights' : ''}: loss and gradient`, () => {
      const n = c.labels.length;
      const t = softTargets(c.labels, c.classes, { smoothing: c.eps, classWeights: c.classWeights });
      const logits = tf.tensor2d(c.logits, [n, c.classes]);
      const targets = tf.tensor2d(t.targets, [n, c.classes]);
      const weights = t.weights ? tf.tensor1d(t.weights) : undefined;
      const f = (z: tf.Tensor) => softCrossEntropy(z as tf.Tensor2D, targets, weights);
      const loss = f(logits);
      const grad = tf.grad(f)(logits);
      expect(loss.dataSync()[0]).toBeCloseTo(c.loss, 5);
      close(grad.dataSync(), c.grad, 1e-6);
      tf.dispose([logits, targets, loss, grad, ...(weights ? [weights] : [])]);
    });
  }
});

describe('MixUp / CutMix = timm Mixup (mode batch) with the same draws', () => {
  for (const c of golden.mix) {
    const what = `${c.method} λ ${c.lam}${c.centre ? ` centre ${c.centre.join(',')}` : ''}, smoothing ${c.smoothing}`;
    it(`${what}: box, corrected λ, mixed images and targets`, () => {
      const [n, h, w] = c.shape;
      let draw;
      if (c.method === 'cutmix') {
        const b = cutmixBoxAt(h, w, c.lam, c.centre![0], c.centre![1]);
        expect(b.box).toEqual(c.box);
        expect(b.lam).toBeCloseTo(c.correctedLam, 12);
        draw = { method: 'cutmix' as const, lam: b.lam, box: b.box };
      } else {
        draw = { method: 'mixup' as const, lam: c.lam, box: null };
      }
      const x = tf.tensor4d(c.x, c.shape);
      const mixed = mixImages(x, draw);
      close(mixed.dataSync(), c.mixed, 1e-6);
      const t = softTargets(c.labels, c.classes, { smoothing: c.smoothing, lam: draw.lam });
      expect(t.weights).toBeNull();
      close(t.targets, c.targets, 1e-6);
      expect(n).toBe(c.labels.length);
      tf.dispose([x, mixed]);
    });
  }

  it("the preview's pixel mixing is the training batch's, rounded to bytes", () => {
    const [h, w] = [8, 6];
    const bytes = (k: number) => Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 37 + k * 101) % 256);
    const a = { width: w, height: h, data: bytes(1) };
    const b = { width: w, height: h, data: bytes(2) };
    for (const draw of [
      { method: 'mixup' as const, lam: 0.37, box: null },
      { method: 'cutmix' as const, ...cutmixBoxAt(h, w, 0.45, 1, 5) },
    ]) {
      // Batch [a, b]: sample 0's partner is b (x.flip(0)).
      const x = tf.tensor4d([...a.data, ...b.data], [2, h, w, 3]);
      const mixed = mixImages(x, draw);
      const first = Array.from(mixed.dataSync().slice(0, h * w * 3), Math.round);
      expect(Array.from(mixPixels(a, b, draw).data)).toEqual(first);
      tf.dispose([x, mixed]);
    }
  });

  it('draws are a function of the seed, step and micro-batch: the same again, others differ', () => {
    const m = { mixup: { alpha: 0.4 }, cutmix: { alpha: 1 }, mixProb: 1, switchProb: 0.5 } as const;
    const a = drawMix(m, mixRng(7, 12, 0), 32, 32);
    expect(drawMix(m, mixRng(7, 12, 0), 32, 32)).toEqual(a);
    expect(drawMix(m, mixRng(7, 13, 0), 32, 32)).not.toEqual(a);
    expect(drawMix({ ...m, mixProb: 0 }, mixRng(7, 12, 0), 32, 32)).toBeNull();
    // CutMix alone always cuts; MixUp alone never does.
    for (let s = 0; s < 20; s++) {
      expect(drawMix({ ...m, mixup: false }, mixRng(1, s, 0), 32, 32)!.method).toBe('cutmix');
      expect(drawMix({ ...m, cutmix: false }, mixRng(1, s, 0), 32, 32)!.method).toBe('mixup');
    }
  });

  it('Beta(α, α) draws have the mean 1/2 and variance 1/(4(2α+1)) of numpy.random.beta', () => {
    for (const alpha of [0.2, 1, 3]) {
      const rng = mixRng(3, alpha * 10, 0);
      const xs = Array.from({ length: 20000 }, () => beta(alpha, alpha, rng));
      const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
      const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
      expect(Math.abs(variance - 1 / (4 * (2 * alpha + 1)))).toBeLessThan(0.01);
      expect(xs.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });
});

describe('EMA of the weights = timm ModelEmaV3, BatchNorm statistics included', () => {
  /** Linear(3, 2) + BatchNorm1d(2), as the golden's torch module (the kernel transposed). */
  function model(): tfl.LayersModel {
    const input = tfl.input({ shape: [3] });
    const dense = tfl.layers.dense({ units: 2, name: 'fc' }).apply(input) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(dense) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: bn });
  }
  function setLive(m: tfl.LayersModel, v: Record<string, number[]>): void {
    const w = v['0.weight']!;
    const kernel = tf.tidy(() => tf.transpose(tf.tensor2d(w, [2, 3])));
    const bias = tf.tensor1d(v['0.bias']!);
    m.getLayer('fc').setWeights([kernel, bias]);
    const bn = ['1.weight', '1.bias', '1.running_mean', '1.running_var'].map((k) => tf.tensor1d(v[k]!));
    m.getLayer('bn').setWeights(bn);
    tf.dispose([kernel, bias, ...bn]);
  }

  for (const c of golden.ema) {
    it(`decay ${c.decay}, warmup ${c.warmup}: get_decay and the average after ${c.steps} updates`, async () => {
      const settings = { decay: c.decay, warmup: c.warmup };
      for (const [step, d] of Object.entries(c.decays)) expect(emaDecay(settings, Number(step))).toBeCloseTo(d, 12);
      const m = model();
      setLive(m, c.live['0']!);
      const ema = new WeightEma(m, settings);
      const before = tf.memory().numTensors;
      for (let k = 1; k <= c.steps; k++) {
        setLive(m, c.live[String(k)]!);
        ema.update(k);
      }
      // One extra copy of the weights, and no more: updates and a swap leave the count flat.
      await ema.swapped(async () => undefined);
      expect(tf.memory().numTensors).toBe(before);
      const b = await ema.buffers();
      const kernel = b[`${EMA_PREFIX}fc/kernel`]!;
      // torch's [out, in] weight is the transposed [in, out] kernel.
      const transposed = [0, 1].flatMap((o) => [0, 1, 2].map((i) => kernel[i * 2 + o]!));
      close(transposed, c.ema['0.weight']!, 1e-6);
      close(b[`${EMA_PREFIX}fc/bias`]!, c.ema['0.bias']!, 1e-6);
      close(b[`${EMA_PREFIX}bn/gamma`]!, c.ema['1.weight']!, 1e-6);
      close(b[`${EMA_PREFIX}bn/beta`]!, c.ema['1.bias']!, 1e-6);
      close(b[`${EMA_PREFIX}bn/moving_mean`]!, c.ema['1.running_mean']!, 1e-6);
      close(b[`${EMA_PREFIX}bn/moving_variance`]!, c.ema['1.running_var']!, 1e-6);
      // The live weights are back after the swap.
      close(m.getLayer('bn').getWeights()[2]!.dataSync(), c.live[String(c.steps)]!['1.running_mean']!, 1e-7);
      ema.dispose();
      m.dispose();
    });
  }
});
