// The catalog's parameter counts (torchvision's num_params, shown on the Model screen) are the
// parameters of the networks Anneal builds with the 1000-class ImageNet head; BatchNorm's running
// statistics are buffers, not parameters, in both.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel, getArch } from '../../../src-main/engine/models/index.js';

describe('catalog params', () => {
  it.each(['resnet18', 'efficientnet_b0'])(
    '%s: the built network has exactly params parameters',
    async (id) => {
      await tf.setBackend('cpu');
      const spec = getArch(id);
      const { model } = buildModel(spec, { numClasses: 1000, inputSize: 32 });
      try {
        const trainable = model.trainableWeights.reduce((n, w) => n + tf.util.sizeFromShape(w.shape as number[]), 0);
        expect(trainable).toBe(spec.params);
      } finally {
        model.dispose();
      }
    },
    120_000,
  );
});
