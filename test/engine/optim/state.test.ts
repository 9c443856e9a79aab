// Checkpoints: 10 steps equal 5 steps, getState, JSON, setState into a fresh optimizer, 5 steps;
// and a state that does not fit the optimizer is refused, naming the field.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/engine/schedules/index.js';
import {
  createOptimizer,
  parseOptimizerConfig,
  type GroupOptimizer,
  type OptimizerState,
  type ParamSpec,
} from '../../../src-main/engine/optim/index.js';
import { disposeAll, golden, makeGrads, makeParams, type GoldenCase } from './golden-cases.js';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

function run(c: GoldenCase, opt: GroupOptimizer, params: ParamSpec[], from: number, to: number): void {
  for (let t = from; t < to; t++) {
    const grads = makeGrads(c, params, t);
    opt.step(grads, c.lr[t]!, c.momentum?.[t] ?? null);
    disposeAll(grads);
  }
}

const values = (params: ParamSpec[]) => params.map((p) => Array.from(p.variable.dataSync()));

describe('getState / setState', () => {
  // One case per optimizer and slot layout, including a frozen group (per-parameter step counts).
  const names = ['sgd-nesterov-l2-per-group', 'adamw-one-cycle-beta1', 'adam-frozen-group', 'rmsprop-momentum'];
  const cases = names.flatMap((n) => [[n, 'inline'] as const, [n, 'buffers'] as const]);
  it.each(cases)('%s (%s): 10 steps = 5 steps, save, restore into a fresh optimizer, 5 steps', async (name, form) => {
    const c = golden.cases.find((x) => x.name === name)!;
    const config = parseOptimizerConfig(c.config);

    const straight = makeParams(c, `state/${name}/a`);
    const a = createOptimizer(config, straight, c.groups);
    run(c, a, straight, 0, 10);

    const resumed = makeParams(c, `state/${name}/b`);
    const b = createOptimizer(config, resumed, c.groups);
    run(c, b, resumed, 0, 5);
    // 'buffers': the slots set aside as Float32Arrays (a checkpoint's optimizer.bin), named in the JSON.
    const buffers: Record<string, Float32Array> = {};
    const saved = await b.getState(form === 'buffers' ? buffers : undefined);
    if (form === 'buffers') {
      const slots = Object.values(saved.params).flatMap((p) => Object.values(p.slots));
      expect(slots.length).toBeGreaterThan(0);
      expect(
        slots.every((t) => 'buffer' in t && buffers[t.buffer]!.length === t.shape.reduce((x, y) => x * y, 1)),
      ).toBe(true);
      expect(Object.keys(buffers).every((k) => k.startsWith('optim/'))).toBe(true);
    } else expect(buffers).toEqual({});
    const weights = values(resumed);
    b.dispose();
    // A fresh process: new variables (same names as the checkpoint) and a new optimizer.
    disposeAll(resumed);
    const fresh = makeParams(c, `state/${name}/b`);
    fresh.forEach((p, k) => p.variable.assign(tf.tensor(weights[k]!, p.variable.shape)));
    const before = tf.memory().numTensors;
    const restored = createOptimizer(config, fresh, c.groups);
    restored.setState(JSON.parse(JSON.stringify(saved)) as OptimizerState, buffers);
    expect(restored.steps).toBe(5);
    expect(tf.memory().numTensors - before).toBe(
      Object.values(saved.params).flatMap((p) => Object.keys(p.slots)).length,
    );
    run(c, restored, fresh, 5, 10);

    expect(values(fresh)).toEqual(values(straight));
    // The slots too, bit for bit (the two runs' variables differ only in their name prefix).
    const renamed = (st: OptimizerState, from: string) =>
      Object.fromEntries(Object.entries(st.params).map(([k, v]) => [k.slice(from.length), v]));
    expect(renamed(await restored.getState(), `state/${name}/b`)).toEqual(
      renamed(await a.getState(), `state/${name}/a`),
    );
    for (const o of [a, restored]) o.dispose();
    disposeAll(straight);
    disposeAll(fresh);
  });

  it('records torch state keys and per-parameter steps', async () => {
    const c = golden.cases.find((x) => x.name === 'adam-frozen-group')!;
    const params = makeParams(c, 'state/keys');
    const opt = createOptimizer(parseOptimizerConfig(c.config), params, c.groups);
    run(c, opt, params, 0, 6);
    const s = await opt.getState();
    expect(s.steps).toBe(6);
    expect(s.params['state/keys/g0/kernel']!.step).toBe(2);
    expect(s.params['state/keys/g1/kernel']!.step).toBe(6);
    expect(Object.keys(s.params['state/keys/g1/kernel']!.slots).sort()).toEqual(['exp_avg', 'exp_avg_sq']);
    expect(s.params['state/keys/g1/kernel']!.slots.exp_avg!.shape).toEqual([3, 4]);
    opt.dispose();
    disposeAll(params);
  });

  describe('refusals', () => {
    const c = golden.cases.find((x) => x.name === 'adamw-per-group-wd')!;
    const refused = async (
      mutate: (s: OptimizerState) => unknown,
      type?: string,
      buffers?: Record<string, Float32Array>,
    ): Promise<ConfigError> => {
      const params = makeParams(c, 'state/refusal');
      const opt = createOptimizer(parseOptimizerConfig(type ? { type } : c.config), params, c.groups);
      const donor = createOptimizer(parseOptimizerConfig(c.config), params, c.groups);
      run(c, donor, params, 0, 1);
      const state = await donor.getState();
      donor.dispose();
      const before = tf.memory().numTensors;
      try {
        opt.setState(mutate(state) as OptimizerState, buffers);
      } catch (e) {
        expect(tf.memory().numTensors).toBe(before);
        if (e instanceof ConfigError) return e;
        throw e;
      } finally {
        opt.dispose();
        disposeAll(params);
      }
      throw new Error('accepted');
    };
    const first = (s: OptimizerState) => s.params['state/refusal/g0/kernel']!;

    it('another optimizer type', async () =>
      expect((await refused((s) => s, 'sgd')).message).toMatch(/^type: state of a adamw/));
    it('an unknown parameter', async () => {
      const e = await refused((s) => ({ ...s, params: { ...s.params, other: first(s) } }));
      expect(e.field).toBe('params["other"]');
    });
    it('a slot of another optimizer', async () => {
      const e = await refused((s) => {
        first(s).slots.momentum_buffer = first(s).slots.exp_avg!;
        return s;
      });
      expect(e.message).toMatch(/^params\["state\/refusal\/g0\/kernel"\]\.slots\.momentum_buffer: is not a adamw slot/);
    });
    it('a wrong shape', async () => {
      const e = await refused((s) => {
        first(s).slots.exp_avg!.shape = [3, 2];
        return s;
      });
      expect(e.field).toBe('params["state/refusal/g0/kernel"].slots.exp_avg.shape');
    });
    it('data of the wrong length', async () => {
      const e = await refused((s) => {
        (first(s).slots.exp_avg as { data: string }).data = 'AAAA';
        return s;
      });
      expect(e.message).toMatch(/slots\.exp_avg\.data: 3 bytes for shape \[2, 3\], expected 24/);
    });
    it('a buffer the checkpoint does not hold, or of the wrong length', async () => {
      const named = (s: OptimizerState) => {
        first(s).slots.exp_avg = { shape: [2, 3], buffer: 'optim/g0/exp_avg' };
        return s;
      };
      expect((await refused(named, undefined, {})).message).toMatch(
        /slots\.exp_avg\.buffer: names the buffer "optim\/g0\/exp_avg", which the checkpoint does not hold/,
      );
      expect((await refused(named, undefined, { 'optim/g0/exp_avg': new Float32Array(5) })).message).toMatch(
        /slots\.exp_avg\.buffer: 5 values for shape \[2, 3\], expected 6/,
      );
      // An inherited name is not a buffer.
      const proto = (s: OptimizerState) => {
        first(s).slots.exp_avg = { shape: [2, 3], buffer: 'constructor' };
        return s;
      };
      expect((await refused(proto, undefined, {})).message).toMatch(/which the checkpoint does not hold/);
    });
    it('a malformed state', async () => {
      expect((await refused((s) => ({ ...s, steps: -1 }))).message).toMatch(/^steps: /);
      expect((await refused((s) => ({ ...s, format: 'x' }))).field).toBe('format');
    });
  });
});
