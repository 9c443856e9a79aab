// K-fold out-of-sample probabilities: stratified, seeded folds; a softmax head that learns a
// separable problem; every tensor disposed.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';
import { makeShapes } from '../../../src-main/engine/demo/index.js';
import {
  crossValProbs,
  findDataIssues,
  fitPredictSoftmax,
  stratifiedFolds,
} from '../../../src-main/engine/label-issues/index.js';
import { tempDir } from '../../cli/helpers.js';

const NAMES = ['a', 'b', 'c'];

beforeAll(async () => {
  await useBackend('inference');
});

/** Three Gaussian blobs in 8 dimensions, 30 points each, class k centred at 3·e_k. */
function blobs(): { x: Float32Array; y: number[] } {
  const rng = mulberry32(5);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const y = Array.from({ length: 90 }, (_, i) => i % 3);
  const x = new Float32Array(90 * 8);
  y.forEach((k, i) => {
    for (let d = 0; d < 8; d++) x[i * 8 + d] = normal() + (d === k ? 3 : 0);
  });
  return { x, y };
}

describe('stratifiedFolds', () => {
  it('puts every class in every fold, folds within one of each other, the same for the same seed', () => {
    const labels = [...Array<number>(23).fill(0), ...Array<number>(11).fill(1), ...Array<number>(6).fill(2)];
    const folds = stratifiedFolds(labels, NAMES, 5, 3);
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((k) => k === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (let k = 0; k < 3; k++)
      for (let f = 0; f < 5; f++) expect(labels.some((l, i) => l === k && folds[i] === f)).toBe(true);
    expect(stratifiedFolds(labels, NAMES, 5, 3)).toEqual(folds);
    expect(stratifiedFolds(labels, NAMES, 5, 4)).not.toEqual(folds);
  });
});

describe('the softmax head', () => {
  it('learns separable blobs and predicts held-out points; its probabilities sum to 1', async () => {
    const { x, y } = blobs();
    const probs = await crossValProbs(x, y, 8, { folds: 5, seed: 0, classNames: NAMES });
    let right = 0;
    for (let i = 0; i < 90; i++) {
      const row = Array.from(probs.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      if (row.indexOf(Math.max(...row)) === y[i]) right++;
    }
    expect(right / 90).toBeGreaterThan(0.9);
  });

  it('disposes every tensor it makes', async () => {
    const { x, y } = blobs();
    await fitPredictSoftmax(x, y, x.subarray(0, 16), 8, 3, { steps: 5 });
    const before = tf.memory().numTensors;
    await fitPredictSoftmax(x, y, x.subarray(0, 16), 8, 3, { steps: 20 });
    await crossValProbs(x, y, 8, { folds: 3, seed: 1, classNames: NAMES, steps: 10 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('findDataIssues', () => {
  it('leaves no tensor behind: backbone, feature cache and heads', async () => {
    const dir = tempDir();
    await makeShapes(dir, 6);
    await findDataIssues(dir, { folds: 2 });
    const before = tf.memory().numTensors;
    const r = await findDataIssues(dir, { folds: 3, seed: 2 });
    expect(r.total).toBe(24);
    expect(tf.memory().numTensors).toBe(before);
  });
});
