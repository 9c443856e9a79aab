// Test-time augmentation: the combination equals fastai's Learner.tta (fastai/learner.py, `tta`:
// mean of the augmented views' probabilities, torch.lerp(aug, plain, beta), or use_max) on torch's
// own numbers (test/golden/generate_tta.py); with n = 0 or beta = 1 evaluation is the plain one;
// eval and predict draw the same views for the same images; tensors are freed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifyImages,
  combineTta,
  DEFAULT_TTA,
  evaluate,
  fastLayersClassifier,
  IMAGENET_PREPROCESSING,
  lerp,
  parseTtaConfig,
  ttaRun,
  useBackend,
  type Sample,
} from '../../../src-main/engine/index.js';

interface GoldenCase {
  n: number;
  beta: number;
  useMax: boolean;
  plain: number[];
  views: number[][];
  expected: number[];
}
const golden = JSON.parse(readFileSync(new URL('../../golden/tta.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

describe("fastai's combination", () => {
  it.each(golden.cases.map((c) => [c.n, c.beta, c.useMax, c] as const))(
    'n=%i beta=%f use_max=%s equals torch to 1e-7',
    (_n, _b, _m, c) => {
      const out = combineTta(c.plain, c.views, { beta: c.beta, useMax: c.useMax });
      Array.from(out).forEach((v, i) => expect(Math.abs(v - c.expected[i]!)).toBeLessThan(1e-7));
    },
  );
  it('beta = 1 is the plain view exactly (torch.lerp’s second branch); n = 0 too', () => {
    const c = golden.cases[0]!;
    expect(Array.from(combineTta(c.plain, c.views, { beta: 1, useMax: false }))).toEqual(c.plain);
    expect(Array.from(combineTta(c.plain, [], { beta: 0.25, useMax: false }))).toEqual(c.plain);
    expect(lerp(0.2, 0.9, 1)).toBe(0.9);
    expect(lerp(0.2, 0.9, 0)).toBe(0.2);
  });
  it("defaults are fastai's; bad values name the field", () => {
    expect(DEFAULT_TTA).toEqual({ n: 4, beta: 0.25, useMax: false, seed: 0 });
    expect(() => parseTtaConfig({ beta: 1.5 })).toThrow(/^tta\.beta: must be between 0 and 1/);
    expect(() => parseTtaConfig({ n: -1 })).toThrow(/^tta\.n: must be >= 0/);
    expect(() => parseTtaConfig({ n: 2.5 })).toThrow(/^tta\.n: expected int, got 2.5/);
  });
});

const SIZE = 8;
const META = { arch: 'tiny', inputSize: SIZE, labels: ['red', 'green', 'blue'], preprocessing: IMAGENET_PREPROCESSING };

describe('evaluation and prediction with TTA', () => {
  let samples: Sample[];
  let model: tfl.LayersModel;

  beforeAll(async () => {
    tf.enableProdMode();
    await useBackend('inference', 'cpu');
    const dir = mkdtempSync(join(tmpdir(), 'anneal-tta-'));
    // Images with structure (a bright corner, a gradient), so that crops, flips and jitter change them.
    samples = await Promise.all(
      [0, 1, 2, 0, 1, 2].map(async (label, k) => {
        const w = 12 + k;
        const h = 10 + 2 * k;
        const px = Buffer.alloc(w * h * 3);
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let c = 0; c < 3; c++)
              px[(y * w + x) * 3 + c] = c === label ? 120 + ((x * 9 + y * 5) % 130) : x < w / 3 && y < h / 2 ? 200 : 30;
        const path = join(dir, `img-${k}.png`);
        await sharp(px, { raw: { width: w, height: h, channels: 3 } })
          .png()
          .toFile(path);
        return { path, label };
      }),
    );
    // A small conv net: what the views do to the pixels reaches the logits unevenly.
    const input = tfl.input({ shape: [SIZE, SIZE, 3] });
    let x = tfl.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) })
      .apply(x) as tfl.SymbolicTensor;
    model = tfl.model({ inputs: input, outputs: x });
  });

  it('n = 0 is the plain evaluation; beta = 1 gives its accuracy and loss', async () => {
    const plain = await evaluate(model, META, samples, { workers: 1, perImage: true });
    const none = await evaluate(model, META, samples, {
      workers: 1,
      perImage: true,
      tta: ttaRun({ ...DEFAULT_TTA, n: 0 }, null),
    });
    expect(none).toEqual(plain);
    const one = await evaluate(model, META, samples, {
      workers: 1,
      perImage: true,
      tta: ttaRun({ ...DEFAULT_TTA, beta: 1 }, null),
    });
    expect(one.accuracy).toBe(plain.accuracy);
    expect(one.confusion).toEqual(plain.confusion);
    expect(one.loss).toBeCloseTo(plain.loss, 5);
    expect(one.tta).toMatchObject({ n: 4, beta: 1, augmentFrom: 'default', plain: { accuracy: plain.accuracy } });
    one.images!.forEach((im, i) => im.probs.forEach((p, j) => expect(p).toBeCloseTo(plain.images![i]!.probs[j]!, 6)));
  });

  it('is seeded (the same twice), changes the probabilities, matches predict --tta, and frees its tensors', async () => {
    const tta = ttaRun(DEFAULT_TTA, null);
    const before = tf.memory().numTensors;
    const a = await evaluate(model, META, samples, { workers: 1, perImage: true, tta });
    const b = await evaluate(model, META, samples, { workers: 2, batchSize: 4, perImage: true, tta });
    expect(tf.memory().numTensors).toBe(before);
    expect(b.images).toEqual(a.images);
    const plain = await evaluate(model, META, samples, { workers: 1, perImage: true });
    const moved = a.images!.some((im, i) => Math.abs(im.probs[0]! - plain.images![i]!.probs[0]!) > 1e-4);
    expect(moved, 'the augmented views change the probabilities').toBe(true);
    // predict --tta: the same views (presize, seeds by image index) through the classifier.
    const classifier = await fastLayersClassifier(model, META, 'model-dir', false);
    try {
      const preds = await classifyImages(
        classifier,
        samples.map((s) => s.path),
        { tta, batchSize: 4 },
      );
      preds.forEach((p, i) => p.probs.forEach((v, j) => expect(v).toBeCloseTo(a.images![i]!.probs[j]!, 5)));
    } finally {
      await classifier.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
