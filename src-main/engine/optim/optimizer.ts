// createOptimizer: torch.optim semantics over layer groups. torch keeps hyper-parameters per param
// group (lr, weight_decay, momentum/betas); here every parameter carries its layer group and
// kind, and its lr / weight decay are derived from them each step, which is what torch computes
// with one param group per (layer group, kind) (test/golden/generate_optim.py checks that).
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../schedules/errors.js';
import { weightDecayPerGroup, type OptimizerConfig } from './config.js';
import { RULES, applyDecay, slotVariable, type Hyper, type ParamSlots } from './rules.js';
import {
  OPTIMIZER_BUFFER_PREFIX,
  SLOT_NAMES,
  decodeFloat32,
  encodeFloat32,
  parseOptimizerState,
  type OptimizerState,
  type SlotName,
} from './state.js';
import type { GroupOptimizer, ParamSpec } from './types.js';

type Grads = Parameters<GroupOptimizer['step']>[0];

interface Param extends ParamSpec {
  name: string;
}

function checkParams(params: readonly ParamSpec[], groups: number): Param[] {
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`groups must be a whole number >= 1, got ${groups}`);
  const seen = new Set<string>();
  return params.map((p) => {
    const name = p.variable.name;
    if (seen.has(name)) throw new Error(`parameter ${name} is listed twice`);
    seen.add(name);
    if (!Number.isInteger(p.group) || p.group < 0 || p.group >= groups) {
      throw new Error(`parameter ${name}: group ${p.group} is not in 0..${groups - 1}`);
    }
    if (p.variable.dtype !== 'float32') throw new Error(`parameter ${name}: dtype ${p.variable.dtype}, not float32`);
    if (p.kind !== 'weight' && p.kind !== 'bias' && p.kind !== 'norm') {
      throw new Error(`parameter ${name}: unknown kind ${String(p.kind)}`);
    }
    return { ...p, name };
  });
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

export function createOptimizer(config: OptimizerConfig, params: ParamSpec[], groups: number): GroupOptimizer {
  const list = checkParams(params, groups);
  const byName = new Map(list.map((p) => [p.name, p]));
  // Saved state names each parameter by its stateName (stable across processes), in-memory state by its variable's.
  const byStateName = new Map(list.map((p) => [p.stateName ?? p.name, p]));
  const stateNameOf = new Map(list.map((p) => [p.name, p.stateName ?? p.name]));
  const weightDecay = weightDecayPerGroup(config, groups);
  const rule = RULES[config.type];
  const slotNames: readonly SlotName[] = SLOT_NAMES[config.type];
  // A parameter's state exists from its first update on (torch's lazy `len(state) == 0` init).
  let state = new Map<string, ParamSlots>();
  let steps = 0;
  let disposed = false;
  // measure: a group's 'weight' parameters, or all of its parameters where it has no 'weight'.
  const hasWeights = new Set(list.filter((p) => p.kind === 'weight').map((p) => p.group));

  const hyper = (p: Param, lr: readonly number[], momentum: number | null): Hyper => {
    const adam = config.type === 'adam' || config.type === 'adamw';
    const decays = !(config.noDecayOnNormAndBias && p.kind !== 'weight');
    return {
      lr: lr[p.group]! * (p.kind === 'bias' ? config.biasLrMult : 1),
      weightDecay: decays ? weightDecay[p.group]! : 0,
      decay: config.decay,
      momentum: momentum ?? (adam ? config.betas[0] : config.momentum),
      nesterov: config.nesterov,
      beta2: config.betas[1],
      eps: config.eps,
      alpha: config.alpha,
    };
  };

  const checkStep = (grads: Grads, lr: readonly number[], momentum: number | null) => {
    if (disposed) throw new Error('optimizer is disposed');
    if (lr.length !== groups) throw new Error(`step: ${lr.length} learning rates for ${groups} layer groups`);
    lr.forEach((v, i) => {
      if (!Number.isFinite(v) || v < 0) throw new Error(`step: lr[${i}] = ${v} is not a finite rate >= 0`);
    });
    if (momentum !== null && !(Number.isFinite(momentum) && momentum >= 0 && momentum < 1)) {
      throw new Error(`step: momentum ${momentum} is not in [0, 1)`);
    }
    if (config.nesterov && momentum === 0) throw new Error('step: Nesterov momentum needs momentum > 0');
    for (const [name, g] of Object.entries(grads)) {
      if (g == null) continue;
      const p = byName.get(name);
      if (p === undefined) throw new Error(`step: gradient for ${name}, which is not a parameter of this optimizer`);
      if (!sameShape(g.shape, p.variable.shape)) {
        throw new Error(`step: gradient for ${name} has shape [${g.shape}], the parameter [${p.variable.shape}]`);
      }
    }
  };

  /** Each parameter's update (and, measuring, its ||Δw||² and ||w||², added to its group's sums). */
  const update = (
    grads: Parameters<GroupOptimizer['step']>[0],
    lr: readonly number[],
    momentum: number | null,
    measure: boolean,
    sums: { dw: tf.Tensor[]; w: tf.Tensor[] }[],
  ) => {
    for (const p of list) {
      const g = grads[p.name];
      if (g == null) continue;
      let s = state.get(p.name);
      if (s === undefined) state.set(p.name, (s = { step: 0, slots: {} }));
      s.step += 1;
      const h = hyper(p, lr, momentum);
      // One tidy per parameter: its temporaries are freed before the next one's are made. One
      // tidy around the whole step held every parameter's at once, ~1 GB for ResNet-18, and
      // the wasm heap keeps its high-water mark for the rest of the run (RSS 2.4 GB in
      // `anneal train` at 224 px, batch 16; docs/benchmarks.md).
      const measured = tf.tidy(() => {
        const [w, grad] = applyDecay(p.variable, g, h);
        const next = rule(w, grad, s, h);
        const out =
          measure && (p.kind === 'weight' || !hasWeights.has(p.group))
            ? [tf.sum(tf.square(tf.sub(next, p.variable))), tf.sum(tf.square(p.variable))]
            : [];
        p.variable.assign(next);
        return out;
      });
      if (measured.length) {
        sums[p.group]!.dw.push(measured[0]!);
        sums[p.group]!.w.push(measured[1]!);
      }
    }
  };

  return {
    groups,
    get steps() {
      return steps;
    },

    step(grads, lr, momentum, measure = false) {
      checkStep(grads, lr, momentum);
      steps += 1;
      // Per group: sum of ||Δw||² and of ||w||² over the measured parameters.
      const sums: { dw: tf.Tensor[]; w: tf.Tensor[] }[] = Array.from({ length: groups }, () => ({ dw: [], w: [] }));
      const dropSums = () => tf.dispose(sums.flatMap((acc) => [...acc.dw, ...acc.w]));
      try {
        update(grads, lr, momentum, measure, sums);
      } catch (e) {
        dropSums();
        throw e;
      }
      const ratios = measure
        ? tf.tidy(() => {
            const total = (ts: tf.Tensor[]) => (ts.length ? tf.addN(ts) : tf.scalar(0));
            return tf.stack(sums.flatMap((acc) => [total(acc.dw), total(acc.w)]));
          })
        : undefined;
      dropSums();
      if (ratios === undefined) return Promise.resolve(null);
      return ratios.data().then((v) => {
        ratios.dispose();
        return Array.from({ length: groups }, (_, i) => {
          const dw = Math.sqrt(v[2 * i]!);
          const w = Math.sqrt(v[2 * i + 1]!);
          return dw === 0 ? 0 : dw / w;
        });
      });
    },

    async getState(into) {
      if (disposed) throw new Error('optimizer is disposed');
      const out: OptimizerState = { format: 'anneal.optim.v1', type: config.type, steps, params: {} };
      for (const [name, s] of state) {
        const slots: OptimizerState['params'][string]['slots'] = {};
        const stateName = stateNameOf.get(name) ?? name;
        for (const slot of slotNames) {
          const v = s.slots[slot];
          if (v === undefined) continue;
          const values = (await v.data()) as Float32Array;
          if (into) {
            const buffer = `${OPTIMIZER_BUFFER_PREFIX}${stateName}/${slot}`;
            into[buffer] = values;
            slots[slot] = { shape: [...v.shape], buffer };
          } else slots[slot] = encodeFloat32(v.shape, values);
        }
        out.params[stateName] = { step: s.step, slots };
      }
      return out;
    },

    setState(input, buffers = {}) {
      if (disposed) throw new Error('optimizer is disposed');
      const parsed = parseOptimizerState(input);
      if (parsed.type !== config.type) {
        throw new ConfigError('type', `state of a ${parsed.type} optimizer cannot be restored into ${config.type}`);
      }
      // Decode and check everything before replacing anything.
      const decoded = new Map<string, { step: number; slots: [SlotName, tf.Tensor][] }>();
      try {
        for (const [name, ps] of Object.entries(parsed.params)) {
          const p = byStateName.get(name);
          const at = `params[${JSON.stringify(name)}]`;
          if (p === undefined) throw new ConfigError(at, 'is not a parameter of this optimizer');
          const slots: [SlotName, tf.Tensor][] = [];
          decoded.set(p.name, { step: ps.step, slots });
          for (const [slot, t] of Object.entries(ps.slots)) {
            const where = `${at}.slots.${slot}`;
            if (!slotNames.includes(slot as SlotName)) {
              throw new ConfigError(where, `is not a ${config.type} slot (${slotNames.join(', ')})`);
            }
            if (!sameShape(t.shape, p.variable.shape)) {
              throw new ConfigError(
                `${where}.shape`,
                `[${t.shape}] differs from the parameter's [${p.variable.shape}]`,
              );
            }
            slots.push([
              slot as SlotName,
              tf.tensor(decodeFloat32(t, `${where}.${'buffer' in t ? 'buffer' : 'data'}`, buffers), t.shape, 'float32'),
            ]);
          }
        }
      } catch (e) {
        for (const d of decoded.values()) d.slots.forEach(([, t]) => t.dispose());
        throw e;
      }
      disposeState(state);
      state = new Map();
      for (const [name, d] of decoded) {
        const slots: ParamSlots['slots'] = {};
        for (const [slot, t] of d.slots) {
          slots[slot] = slotVariable(t);
          t.dispose();
        }
        state.set(name, { step: d.step, slots });
      }
      steps = parsed.steps;
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      disposeState(state);
      state = new Map();
    },
  };
}

function disposeState(state: Map<string, ParamSlots>): void {
  for (const s of state.values()) for (const v of Object.values(s.slots)) v.dispose();
}
