// Every optimizer against torch.optim step by step: test/golden/optim.json, written by
// test/golden/generate_optim.py with the real torch 1.13 SGD / Adam / AdamW / RMSprop (each
// case's "reference" says how), per-group rates that change every step and, for the one-cycle
// cases, a momentum / beta1 that changes every step.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, parseOptimizerConfig } from '../../../src-main/engine/optim/index.js';
import { disposeAll, golden, makeGrads, makeParams } from './golden-cases.js';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

/**
 * float32 parity: relative error 1e-5, |expected| floored at 1e-3 so that a value passing near zero
 * compares absolutely (1e-8). Measured (torch 1.13 CPU vs tfjs cpu): at most 2.7e-6 relative.
 */
const RTOL = 1e-5;
const FLOOR = 1e-3;
const relError = (a: number, e: number) => Math.abs(a - e) / Math.max(Math.abs(e), FLOOR);

describe('golden values from torch.optim', () => {
  it('covers every optimizer, one-cycle momentum, decay kinds, no-decay and bias lr', () => {
    const types = new Set(golden.cases.map((c) => c.config.type));
    expect([...types].sort()).toEqual(['adam', 'adamw', 'rmsprop', 'sgd']);
    expect(golden.cases.filter((c) => c.momentum !== null).length).toBeGreaterThanOrEqual(2);
    expect(golden.cases.some((c) => c.config.decay === 'l1')).toBe(true);
    expect(golden.cases.some((c) => c.config.biasLrMult === 2)).toBe(true);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const params = makeParams(c, `golden/${name}`);
    const opt = createOptimizer(parseOptimizerConfig(c.config), params, c.groups);
    let worst = 0;
    const bad: string[] = [];
    try {
      c.lr.forEach((lr, t) => {
        const grads = makeGrads(c, params, t);
        opt.step(grads, lr, c.momentum?.[t] ?? null);
        disposeAll(grads);
        params.forEach((p, k) => {
          const actual = p.variable.dataSync();
          c.expected[t]![k]!.forEach((e, i) => {
            const err = relError(actual[i]!, e);
            worst = Math.max(worst, err);
            if (err > RTOL) bad.push(`step ${t} ${c.params[k]!.name}[${i}]: ${actual[i]} != ${e}`);
          });
        });
      });
    } finally {
      opt.dispose();
      disposeAll(params);
    }
    expect(bad.slice(0, 5), `${c.reference}; max relative error ${worst.toExponential(2)}`).toEqual([]);
    expect(worst).toBeLessThan(RTOL);
  });
});
