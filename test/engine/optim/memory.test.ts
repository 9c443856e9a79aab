// An optimizer step holds one parameter's temporaries at a time, not every parameter's: with one
// tf.tidy around the whole step, AdamW on ResNet-18 held ~1 GB of intermediates at once, and the
// wasm heap keeps its high-water mark for the rest of the run (anneal train peaked at 2.4 GB RSS
// at 224 px, batch 16; 2.0 GB after). tf.profile's peakBytes is the largest tensor total during
// the call.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { createOptimizer, parseOptimizerConfig, type ParamSpec } from '../../../src-main/engine/optim/index.js';

describe('optimizer step memory', () => {
  it.each(['adamw', 'sgd', 'rmsprop'] as const)(
    '%s: a step peaks at a few parameters’ worth above its state, not at every parameter’s temporaries',
    async (type) => {
      await tf.setBackend('cpu');
      const P = 8;
      const shape = [256, 1024];
      const bytes = 256 * 1024 * 4;
      const params: ParamSpec[] = Array.from({ length: P }, (_, i) => ({
        variable: tf.variable(tf.randomNormal(shape), true, `${type}${i}`),
        group: 0,
        kind: 'weight',
      }));
      const grads = () => Object.fromEntries(params.map((p) => [p.variable.name, tf.randomNormal(shape)]));
      const opt = createOptimizer(
        parseOptimizerConfig({ type, weightDecay: 1e-2, ...(type === 'sgd' ? { momentum: 0.9 } : {}) }),
        params,
        1,
      );
      // The first step creates the state (moment buffers); the second is the steady state.
      let g = grads();
      await opt.step(g, [1e-3], null, false);
      tf.dispose(Object.values(g));
      g = grads();
      const before = tf.memory().numBytes;
      const tensors = tf.memory().numTensors;
      const info = await tf.profile(async () => void (await opt.step(g, [1e-3], null, true)));
      // Measured, in parameters' worth above the state: 17 (AdamW), 9 (SGD), 14 (RMSprop) with one
      // tidy per parameter; 136, 72 and 112 (P times as much) with one tidy around the step.
      expect(info.peakBytes - before).toBeLessThan(24 * bytes);
      tf.dispose(Object.values(g));
      expect(tf.memory().numTensors).toBe(tensors - P);
      opt.dispose();
      tf.dispose(params.map((p) => p.variable));
    },
  );
});
