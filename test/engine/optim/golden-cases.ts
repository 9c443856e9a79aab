// Reads test/golden/optim.json (written by test/golden/generate_optim.py from real torch.optim) and
// rebuilds its closed-form inputs exactly as the generator does: float64 formulas cast to float32.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfigInput, ParamKind, ParamSpec } from '../../../src-main/engine/optim/index.js';

export interface GoldenParam {
  name: string;
  group: number;
  kind: ParamKind;
  shape: number[];
}

export interface GoldenCase {
  name: string;
  reference: string;
  config: OptimizerConfigInput;
  groups: number;
  params: GoldenParam[];
  lr: number[][];
  momentum: number[] | null;
  frozenUntil?: number[];
  /** expected[step][param] = the parameter's values (flat) after that step. */
  expected: number[][][];
}

export const golden = JSON.parse(readFileSync(new URL('../../golden/optim.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: GoldenCase[];
};

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** p[k][i] = sin(0.9*i + 1.7*k + 0.3) */
export const initValues = (k: number, n: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(0.9 * i + 1.7 * k + 0.3));

/** g[k][i](t) = 0.1*cos(0.3*i + 0.7*t + k) */
export const gradValues = (k: number, n: number, t: number) =>
  Float32Array.from({ length: n }, (_, i) => 0.1 * Math.cos(0.3 * i + 0.7 * t + k));

/** The case's parameters as tf.Variables, named `${prefix}/${param.name}` (tfjs-core names are global). */
export function makeParams(c: GoldenCase, prefix: string): ParamSpec[] {
  return c.params.map((p, k) => ({
    variable: tf.variable(tf.tensor(initValues(k, size(p.shape)), p.shape), true, `${prefix}/${p.name}`),
    group: p.group,
    kind: p.kind,
  }));
}

/** Gradients of step t, keyed by variable name; frozen groups get none. */
export function makeGrads(c: GoldenCase, params: readonly ParamSpec[], t: number): Record<string, tf.Tensor> {
  const grads: Record<string, tf.Tensor> = {};
  params.forEach((p, k) => {
    if (t < (c.frozenUntil?.[p.group] ?? 0)) return;
    grads[p.variable.name] = tf.tensor(gradValues(k, size(p.variable.shape), t), p.variable.shape);
  });
  return grads;
}

export const disposeAll = (ts: Record<string, tf.Tensor> | readonly ParamSpec[]) =>
  Array.isArray(ts)
    ? (ts as readonly ParamSpec[]).forEach((p) => p.variable.dispose())
    : Object.values(ts as Record<string, tf.Tensor>).forEach((t) => t.dispose());
