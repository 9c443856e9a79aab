import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { headDenseName } from '../../../src-main/engine/models/build.js';
import { loadModel, parseRunSettings } from '../../../src-main/engine/train/index.js';

beforeAll(async () => {
  await useBackend('full', 'cpu');
});

/** The new head's kernel for a run config with this seed (a pretrained source or a fresh build). */
async function headKernel(seed: number, pretrained: boolean): Promise<number[]> {
  const config = parseRunSettings({ model: 'resnet_micro', pretrained, imageSize: 16, seed });
  const { built } = await loadModel(config, ['a', 'b', 'c']);
  const kernel = Array.from(built.model.getLayer(headDenseName(built.spec)).getWeights()[0]!.dataSync());
  built.model.dispose();
  return kernel;
}

describe('loadModel', () => {
  for (const pretrained of [true, false])
    it(`starts the head from the run's seed (${pretrained ? 'new head on a source' : 'built from scratch'})`, async () => {
      const before = tf.memory().numTensors;
      const a = await headKernel(5, pretrained);
      const b = await headKernel(5, pretrained);
      const c = await headKernel(6, pretrained);
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      expect(tf.memory().numTensors).toBe(before);
    });
});
