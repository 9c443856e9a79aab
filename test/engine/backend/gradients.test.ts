// The bounded backprop (backend/gradients.ts) against tfjs-core's own: the same gradients, bit for
// bit (same tape, same order, same gradient functions), a flat tensor count, and a lower peak of
// live tensor bytes during the step (it frees saved tensors and activation gradients as it goes).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installBoundedBackprop,
  uninstallBoundedBackprop,
  useBackend,
} from '../../../src-main/engine/backend/index.js';
import { mulberry32 } from '../../../src-main/engine/data/sources/index.js';
import { buildModel, getArch, setTrainable } from '../../../src-main/engine/models/index.js';
import { crossEntropy } from '../../../src-main/engine/train/loss.js';

beforeAll(async () => {
  await useBackend('full', 'wasm');
});

afterAll(() => installBoundedBackprop());

describe('bounded backprop', () => {
  for (const arch of ['resnet_micro', 'efficientnet_b0'] as const) {
    it(`${arch}: gradients identical to tfjs's backprop, fewer live bytes at peak, no tensor left`, async () => {
      const size = 32;
      const built = buildModel(getArch(arch), { numClasses: 5, inputSize: size });
      setTrainable(built.groups, () => true);
      const rand = mulberry32(21);
      const x = tf.tensor4d(
        Float32Array.from({ length: 4 * size * size * 3 }, () => rand() * 2 - 1),
        [4, size, size, 3],
      );
      const y = tf.tensor1d([0, 1, 2, 3], 'int32');
      const vars = built.model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      // Dropout draws from Math.random (tfjs seeds its generator from it): the same draws for both runs.
      const random = Math.random;
      const step = async () => {
        Math.random = mulberry32(99);
        let out: Float32Array[] = [];
        const prof = await tf.profile(async () => {
          const { value, grads } = tf.variableGrads(
            () => crossEntropy(built.model.apply(x, { training: true }) as tf.Tensor2D, y),
            vars,
          );
          out = await Promise.all(vars.map(async (v) => (await grads[v.name]!.data()) as Float32Array));
          tf.dispose([value, ...Object.values(grads)]);
        });
        Math.random = random;
        return { grads: out, peak: prof.peakBytes };
      };
      uninstallBoundedBackprop();
      const ref = await step();
      installBoundedBackprop();
      const before = tf.memory().numTensors;
      const got = await step();
      expect(tf.memory().numTensors).toBe(before);
      expect(got.grads.length).toBe(ref.grads.length);
      got.grads.forEach((g, i) => expect(Array.from(g), vars[i]!.name).toEqual(Array.from(ref.grads[i]!)));
      expect(got.peak).toBeLessThan(ref.peak * 0.85);
      tf.dispose([x, y]);
      built.model.dispose();
    });
  }
});
