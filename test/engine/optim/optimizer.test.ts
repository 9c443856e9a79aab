// The optimizer in use: no tensor leaks, the update-to-weight ratio against a hand computation,
// refused steps, and a tfjs-layers model trained through variableGrads with layer groups,
// freezing, and the parameter kinds read from its layers.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, freezeBackbone, getArch, unfreezeAll } from '../../../src-main/engine/models/index.js';
import {
  OPTIMIZER_TYPES,
  createOptimizer,
  paramSpecs,
  parseOptimizerConfig,
  variableOf,
  type ParamSpec,
} from '../../../src-main/engine/optim/index.js';
import { disposeAll, golden, makeGrads, makeParams } from './golden-cases.js';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

const param = (name: string, values: number[], group: number, kind: ParamSpec['kind'] = 'weight'): ParamSpec => ({
  variable: tf.variable(tf.tensor1d(values), true, name),
  group,
  kind,
});

describe('no tensor leaks', () => {
  it.each(OPTIMIZER_TYPES.flatMap((type) => [[type, false] as const, [type, true] as const]))(
    '%s (measure %s): tensors after the first step stay constant',
    async (type, measure) => {
      const c = golden.cases.find((x) => x.name === 'sgd-no-decay-norm-bias-lr-mult')!;
      const params = makeParams(c, `leak/${type}/${measure}`);
      const config = parseOptimizerConfig({
        type,
        weightDecay: 1e-2,
        ...(type === 'rmsprop' ? { momentum: 0.9 } : {}),
      });
      const opt = createOptimizer(config, params, c.groups);
      const step = async (t: number) => {
        const grads = makeGrads(c, params, t);
        await opt.step(grads, c.lr[t]!, t % 2 ? 0.9 : null, measure);
        disposeAll(grads);
      };
      const start = tf.memory().numTensors;
      await step(0);
      const slots = Object.values((await opt.getState()).params).flatMap((p) => Object.keys(p.slots)).length;
      expect(tf.memory().numTensors).toBe(start + slots);
      for (let t = 1; t < 6; t++) await step(t);
      expect(tf.memory().numTensors).toBe(start + slots);
      opt.dispose();
      expect(tf.memory().numTensors).toBe(start);
      disposeAll(params);
    },
  );
});

describe('update-to-weight ratio ||Δw|| / ||w||', () => {
  it('matches a hand computation (AdamW first step, decoupled decay), weights only, 0 without update', async () => {
    // Group 0: w = [3, 4] (||w|| = 5), g = [1, -2], lr 0.01, wd 0.1. First Adam step: m̂ = g,
    // v̂ = g², so the step is -lr * g / (|g| + eps) ≈ -lr * sign(g); AdamW first shrinks w by lr*wd:
    // Δw = -0.001 * [3, 4] - 0.01 * [1, -1] = [-0.013, 0.006], ||Δw|| = sqrt(0.000205).
    // Its bias (kind 'bias', no decay, biasLrMult 2) is not part of the ratio.
    // Group 1 has only a 'norm' parameter: it is measured. Group 2 gets no gradient: 0.
    const params = [
      param('ratio/w0', [3, 4], 0),
      param('ratio/b0', [100, 100], 0, 'bias'),
      param('ratio/n1', [2], 1, 'norm'),
      param('ratio/w2', [1, 1], 2),
    ];
    const config = parseOptimizerConfig({ type: 'adamw', weightDecay: 0.1, biasLrMult: 2 });
    const opt = createOptimizer(config, params, 3);
    const grads = {
      'ratio/w0': tf.tensor1d([1, -2]),
      'ratio/b0': tf.tensor1d([1, 1]),
      'ratio/n1': tf.tensor1d([-0.5]),
    };
    const ratios = (await opt.step(grads, [0.01, 0.02, 0.03], null, true))!;
    disposeAll(grads);
    expect(ratios).toHaveLength(3);
    expect(ratios[0]).toBeCloseTo(Math.sqrt(0.000205) / 5, 7);
    // 'norm' gets no decay: Δ = +0.02 on a value of 2.
    expect(ratios[1]).toBeCloseTo(0.01, 7);
    expect(ratios[2]).toBe(0);
    expect(Array.from(params[1]!.variable.dataSync())).toEqual([Math.fround(100 - 0.02), Math.fround(100 - 0.02)]);
    expect(await opt.step({}, [0.01, 0.02, 0.03], null)).toBeNull();
    opt.dispose();
    disposeAll(params);
  });
});

describe('refused steps', () => {
  const params = () => [param('refuse/w', [1, 2], 0), param('refuse/b', [0.5], 1, 'bias')];
  it.each([
    [[0.1], {}, null, /1 learning rates for 2 layer groups/],
    [[0.1, -1], {}, null, /lr\[1\] = -1/],
    [[0.1, NaN], {}, null, /lr\[1\] = NaN/],
    [[0.1, 0.1], { other: [1] }, null, /gradient for other, which is not a parameter/],
    [[0.1, 0.1], { 'refuse/w': [1, 2, 3] }, null, /gradient for refuse\/w has shape \[3\], the parameter \[2\]/],
    [[0.1, 0.1], {}, 1, /momentum 1 is not in \[0, 1\)/],
  ] as const)('lr %j grads %j momentum %j', (lr, g, momentum, message) => {
    const ps = params();
    const opt = createOptimizer(parseOptimizerConfig({ type: 'sgd' }), ps, 2);
    const grads = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, tf.tensor1d([...v])]));
    const before = tf.memory().numTensors;
    expect(() => opt.step(grads, lr, momentum)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
    expect(opt.steps).toBe(0);
    disposeAll(grads);
    opt.dispose();
    expect(() => opt.step({}, [0.1, 0.1], null)).toThrow(/disposed/);
    disposeAll(ps);
  });
  it('refuses bad parameter lists', () => {
    const ps = params();
    const config = parseOptimizerConfig({});
    expect(() => createOptimizer(config, ps, 1)).toThrow(/refuse\/b: group 1 is not in 0..0/);
    expect(() => createOptimizer(config, [ps[0]!, ps[0]!], 2)).toThrow(/refuse\/w is listed twice/);
    expect(() => createOptimizer(parseOptimizerConfig({ weightDecay: [0.1] }), ps, 2)).toThrow(/^weightDecay: /);
    disposeAll(ps);
  });
});

describe('a tfjs-layers model', () => {
  it('reads its tf.Variables and kinds; trains through variableGrads; frozen groups stay put', async () => {
    const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'optm_conv' });
    const bn = tfl.layers.batchNormalization({ name: 'optm_bn' });
    const flat = tfl.layers.flatten({ name: 'optm_flat' });
    const dense = tfl.layers.dense({ units: 1, name: 'optm_fc' });
    // Functional, as the zoo's models are (a Sequential builds lazily on first use and its build
    // marks every weight trainable again, undoing a freeze made before).
    const input = tfl.input({ shape: [4, 4, 1] });
    const output = dense.apply(flat.apply(bn.apply(conv.apply(input)))) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const groups = [{ layers: [conv, bn] }, { layers: [flat, dense] }];
    freezeBackbone(groups as never); // a frozen group is still listed: one optimizer for all stages
    const params = paramSpecs(groups);
    expect(params.map((p) => [p.variable.name, p.group, p.kind])).toEqual([
      ['optm_conv/kernel', 0, 'weight'],
      ['optm_conv/bias', 0, 'bias'],
      ['optm_bn/gamma', 0, 'norm'],
      ['optm_bn/beta', 0, 'norm'],
      ['optm_fc/kernel', 1, 'weight'],
      ['optm_fc/bias', 1, 'bias'],
    ]);
    // The same object the model computes with, not a copy.
    expect(params[0]!.variable).toBe(variableOf(conv.weights[0]!));
    expect(params[0]!.variable).toBe(conv.weights[0]!.read());

    const x = tf.randomNormal([8, 4, 4, 1], 0, 1, 'float32', 1);
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 2);
    const loss = () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const opt = createOptimizer(parseOptimizerConfig({ type: 'sgd' }), params, 2);
    const frozen = params.filter((p) => p.group === 0).map((p) => Array.from(p.variable.dataSync()));
    const losses: number[] = [];
    const fit = (steps: number) => {
      for (let i = 0; i < steps; i++) {
        const { value, grads } = tf.variableGrads(
          loss,
          params.map((p) => p.variable),
        );
        losses.push(value.dataSync()[0]!);
        opt.step(grads, [0.01, 0.01], null);
        value.dispose();
        disposeAll(Object.fromEntries(Object.entries(grads).filter(([, g]) => g != null)));
      }
    };
    fit(5);
    expect(params.filter((p) => p.group === 0).map((p) => Array.from(p.variable.dataSync()))).toEqual(frozen);
    expect((await opt.getState()).params['optm_conv/kernel']).toBeUndefined();
    unfreezeAll(groups as never);
    fit(5);
    expect((await opt.getState()).params['optm_conv/kernel']!.step).toBe(5);
    expect(losses[9]!).toBeLessThan(losses[0]!);
    opt.dispose();
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('the zoo: every trainable weight of resnet_micro, BatchNorm as norm, fc bias as bias', () => {
    const { model, groups } = buildModel(getArch('resnet_micro'), { numClasses: 3, inputSize: 32 });
    const params = paramSpecs(groups);
    expect(params.map((p) => p.variable)).toEqual(model.trainableWeights.map((w) => w.read()));
    expect(params.filter((p) => p.kind === 'bias').map((p) => p.variable.name)).toEqual(['fc/bias']);
    expect(
      params.filter((p) => p.kind === 'norm').every((p) => /bn\d?\/(gamma|beta)$|downsample/.test(p.variable.name)),
    ).toBe(true);
    expect(new Set(params.map((p) => p.group)).size).toBe(groups.length);
    model.dispose();
  });
});
