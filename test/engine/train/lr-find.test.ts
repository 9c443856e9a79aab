// The LR range test: fastai's suggestion functions against a line-for-line transliteration run with
// torch (test/golden/generate_lr_find.py); the ramp and smoothing of schedules.md; and the test
// itself on a real model leaves every weight, BatchNorm statistics included, exactly as it was.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { makeShapes } from '../../../src-main/engine/demo/index.js';
import { DataLoader, WorkerPool } from '../../../src-main/engine/data/pipeline/index.js';
import { readImageFolder } from '../../../src-main/engine/data/sources/index.js';
import { buildModel, getArch, IMAGENET_PREPROCESSING } from '../../../src-main/engine/models/index.js';
import { OptimizerConfig } from '../../../src-main/engine/optim/index.js';
import { getModelWeights, lrAt, lrFind, smoothLosses, suggest } from '../../../src-main/engine/train/index.js';

const golden = JSON.parse(readFileSync(new URL('../../golden/lr-find.json', import.meta.url), 'utf8')) as {
  cases: { name: string; lrs: number[]; losses: number[]; minimum: number; steep: number; valley: number }[];
};

describe('suggestions (fastai/callback/schedule.py minimum, steep, valley)', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const s = suggest(c.lrs, c.losses);
    expect(s.minimum).toBeCloseTo(c.minimum, 15);
    expect(s.steep).toBe(c.steep);
    expect(s.valley).toBe(c.valley);
  });
});

describe('the ramp and the smoothing (schedules.md)', () => {
  it('step i uses startLr (endLr/startLr)^(i/numIt)', () => {
    const o = { startLr: 1e-7, endLr: 10, numIt: 100 };
    expect(lrAt(0, o)).toBe(1e-7);
    expect(lrAt(50, o)).toBeCloseTo(1e-7 * 1e8 ** 0.5, 12);
    expect(lrAt(100, o)).toBeCloseTo(10, 12);
  });
  it('is an EMA with beta 0.98, debiased by 1 - beta^(i+1)', () => {
    const s = smoothLosses([2, 4, 6]);
    expect(s[0]).toBeCloseTo(2, 12);
    expect(s[1]).toBeCloseTo((0.98 * 0.02 * 2 + 0.02 * 4) / (1 - 0.98 ** 2), 12);
  });
});

describe('lrFind on a model', () => {
  let dir: string;
  let pool: WorkerPool;
  beforeAll(async () => {
    tf.enableProdMode();
    await useBackend('full');
    dir = mkdtempSync(join(tmpdir(), 'anneal-lrfind-'));
    await makeShapes(dir, 8, 16);
    pool = new WorkerPool(2);
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** 8-image batches of the 16 px shapes, shuffled (epoch 0's order is the loader's seed's). */
  const shapesLoader = async () =>
    new DataLoader({
      samples: (await readImageFolder(dir)).samples,
      batchSize: 8,
      size: 16,
      preprocessing: IMAGENET_PREPROCESSING,
      workers: pool,
      shuffle: true,
    });

  it('ramps, stops when the loss diverges, suggests, and restores every weight', async () => {
    const built = buildModel(getArch('resnet_micro'), { numClasses: 4, inputSize: 16 });
    const loader = await shapesLoader();
    const before = await getModelWeights(built.model);
    const tensors = tf.memory().numTensors;
    const r = await lrFind(built, loader, OptimizerConfig.parse({ type: 'sgd', momentum: 0.9 }), {
      numIt: 40,
      endLr: 100,
    });
    expect(r.lrs.length).toBeGreaterThan(4);
    expect(r.lrs.length).toBeLessThanOrEqual(40);
    expect(r.lrs[0]).toBe(1e-7);
    expect(r.losses).toEqual(smoothLosses(r.rawLosses));
    if (r.lrs.length < 40) expect(r.diverged).toBe(true);
    for (const k of ['minimum', 'steep', 'valley'] as const) expect(r.suggestions[k]).toBeGreaterThan(0);
    // A CPU backend chosen automatically: the steps run as a training run's do, through onnxruntime.
    expect(r.engine.name).toBe('onnxruntime');
    const after = await getModelWeights(built.model);
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    built.model.dispose();
    await loader.close();
  }, 600_000);

  it('measures the same losses through onnxruntime as through TF.js (ANNEAL_TRAIN_ENGINE=tfjs)', async () => {
    // One model and one loader for both: the test restores the weights, and epoch 0's order is the
    // loader's seed's. No dropout: TF.js draws its masks unseeded, so they could not match.
    const built = buildModel(getArch('resnet_micro'), { numClasses: 4, inputSize: 16, dropout: 0 });
    const loader = await shapesLoader();
    // Rates up to 1.5e-3: the engines agree to ~4e-6 there; at 0.07 a 16 px batch of 8 (BatchNorm
    // over a few values) amplifies float rounding to ~5e-5.
    const run = () =>
      lrFind(built, loader, OptimizerConfig.parse({ type: 'sgd', momentum: 0.9 }), { numIt: 6, endLr: 1e-2 });
    const fast = await run();
    process.env.ANNEAL_TRAIN_ENGINE = 'tfjs';
    let slow: Awaited<ReturnType<typeof run>>;
    try {
      slow = await run();
    } finally {
      delete process.env.ANNEAL_TRAIN_ENGINE;
      built.model.dispose();
      await loader.close();
    }
    expect([fast.engine.name, slow.engine.name]).toEqual(['onnxruntime', 'tfjs']);
    expect(fast.rawLosses).toHaveLength(6);
    for (let i = 0; i < 6; i++) expect(fast.rawLosses[i]).toBeCloseTo(slow.rawLosses[i]!, 4);
  }, 600_000);
});
