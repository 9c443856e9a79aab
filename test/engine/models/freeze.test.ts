// Freezing a layer group: its BatchNormalization runs in inference mode and keeps its moving
// statistics (Keras fine-tuning behaviour), its weights do not move, and no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildModel,
  freezeBackbone,
  getArch,
  replaceHead,
  unfreezeAll,
} from '../../../src-main/engine/models/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

/**
 * Builds with the real initialisers drawing from a seeded Math.random (tfjs seeds its generators
 * from Math.random when given no seed), so the run is the same every time: unseeded initial
 * weights made this test fail on rare draws.
 */
function seededBuild(numClasses: number): ReturnType<typeof buildModel> {
  const original = Math.random;
  Math.random = mulberry32(7);
  try {
    // No head dropout either: its masks are drawn during fit.
    return buildModel(getArch('resnet_micro'), { numClasses, inputSize: 16, dropout: 0 });
  } finally {
    Math.random = original;
  }
}

const snapshot = (layers: { getWeights(): tf.Tensor[] }[]) =>
  layers.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())));

describe('freezing layer groups', () => {
  it('a frozen backbone keeps BatchNorm statistics and weights; the head trains', async () => {
    const built = seededBuild(3);
    const { model, groups } = built;
    freezeBackbone(groups);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
    const backbone = groups.slice(0, -1).flatMap((g) => g.layers.filter((l) => l.weights.length > 0));
    const head = groups.at(-1)!.layers.filter((l) => l.weights.length > 0);
    const before = snapshot(backbone);
    const headBefore = snapshot(head);
    // Seeded and normalised like real inputs, so the run is the same every time.
    const x = tf.randomNormal([8, 16, 16, 3], 0, 1, 'float32', 42);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'float32');
    const start = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(tf.memory().numTensors).toBe(start);
    expect(snapshot(backbone)).toEqual(before);
    expect(snapshot(head)).not.toEqual(headBefore);
    expect(model.trainableWeights.length).toBe(2); // the head's kernel and bias

    unfreezeAll(groups);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const bnAfter = backbone.find((l) => l.getClassName() === 'BatchNormalization')!;
    const bnIndex = backbone.indexOf(bnAfter);
    // Unfrozen, BatchNorm updates its moving mean again (the batch means move it away from 0).
    expect(Array.from(bnAfter.getWeights()[2]!.dataSync())).not.toEqual(before[bnIndex]![2]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('replacing the head keeps the backbone and gives a new number of classes', () => {
    const before = tf.memory().numTensors;
    const built = buildModel(getArch('resnet_micro'), { numClasses: 1000, inputSize: 16 });
    const conv = Array.from(built.model.getLayer('conv1').getWeights()[0]!.dataSync());
    const fresh = replaceHead(built, 4);
    expect(fresh.model.outputs[0]!.shape).toEqual([null, 4]);
    expect(Array.from(fresh.model.getLayer('conv1').getWeights()[0]!.dataSync())).toEqual(conv);
    expect(fresh.groups.map((g) => g.name)).toEqual(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'head']);
    const out = tf.tidy(() => fresh.model.predict(tf.zeros([2, 16, 16, 3])) as tf.Tensor);
    expect(out.shape).toEqual([2, 4]);
    out.dispose();
    // The old head's weights were freed with the swap; the new model holds everything else.
    fresh.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
