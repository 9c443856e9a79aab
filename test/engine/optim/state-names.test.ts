// Saved optimizer state names each parameter by layer and weight ("fc/kernel"), not by its
// tf.Variable's name, which tfjs-layers suffixes ("fc/kernel_1") once a process has built the
// model before: a checkpoint resumes in any process, not only in a fresh one.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { buildModel, getArch } from '../../../src-main/engine/models/index.js';
import { createOptimizer, paramSpecs, parseOptimizerConfig } from '../../../src-main/engine/optim/index.js';

const build = () => buildModel(getArch('resnet_micro'), { numClasses: 3, inputSize: 16 });

describe('optimizer state across models of one process', () => {
  it('restores into a second build of the model, whose variables are named differently', async () => {
    await tf.setBackend('cpu');
    const config = parseOptimizerConfig({ type: 'adamw' });
    const a = build();
    const pa = paramSpecs(a.groups);
    const opt = createOptimizer(config, pa, a.groups.length);
    const fc = pa.find((p) => p.stateName === 'fc/kernel')!;
    const grads = { [fc.variable.name]: tf.onesLike(fc.variable) };
    await opt.step(
      grads,
      a.groups.map(() => 1e-3),
      null,
      false,
    );
    const state = (await opt.getState()) as { params: Record<string, unknown> };
    expect(Object.keys(state.params)).toEqual(['fc/kernel']);

    const b = build();
    const pb = paramSpecs(b.groups);
    const fcB = pb.find((p) => p.stateName === 'fc/kernel')!;
    expect(fcB.variable.name).not.toBe(fc.variable.name); // the second build's suffix
    const restored = createOptimizer(config, pb, b.groups.length);
    restored.setState(state as never);
    expect(Object.keys(((await restored.getState()) as { params: Record<string, unknown> }).params)).toEqual([
      'fc/kernel',
    ]);
    expect(await restored.getState()).toEqual(state);
    tf.dispose(Object.values(grads));
    for (const o of [opt, restored]) o.dispose();
    a.model.dispose();
    b.model.dispose();
  });
});
