// The per-parameter update of each optimizer, transliterated from torch 1.13's single-tensor
// paths (foreach=False) operation by operation, so that float32 results match torch's:
// torch `a.add(b, alpha=s)` is a + s*b, `a.addcmul(b, c, value=s)` is a + s*b*c,
// `a.addcdiv(b, c, value=s)` is a + s*b/c. Each rule runs inside the optimizer's tf.tidy (one per parameter), updates
// its slots with `assign`, and returns the parameter's new value.
import * as tf from '@tensorflow/tfjs-core';
import type { DecayKind, OptimizerType } from './types.js';
import type { SlotName } from './state.js';

/** Hyper-parameters for one parameter at one step (its group's lr times biasLrMult, its decay). */
export interface Hyper {
  lr: number;
  weightDecay: number;
  decay: DecayKind;
  /** SGD / RMSprop momentum, or Adam beta1. */
  momentum: number;
  nesterov: boolean;
  beta2: number;
  eps: number;
  alpha: number;
}

/** A parameter's lazily created state (torch's `optimizer.state[p]`). */
export interface ParamSlots {
  step: number;
  slots: Partial<Record<SlotName, tf.Variable>>;
}

/** Slot variables are not trainable, so `tf.variableGrads(f)` without a list never sees them. */
export function slotVariable(initial: tf.Tensor): tf.Variable {
  return tf.variable(initial, false, undefined, 'float32');
}

function zerosSlot(s: ParamSlots, name: SlotName, like: tf.Tensor): tf.Variable {
  return (s.slots[name] ??= slotVariable(tf.zerosLike(like)));
}

/**
 * Weight decay before the update. 'l2' and 'l1' change the gradient; 'decoupled' shrinks the
 * parameter: torch/optim/adamw.py `_single_tensor_adamw`, `param.mul_(1 - lr * weight_decay)`,
 * and fastai/optimizer.py `weight_decay` for the other optimizers. Returns [param, grad].
 */
export function applyDecay(p: tf.Tensor, g: tf.Tensor, h: Hyper): [tf.Tensor, tf.Tensor] {
  if (h.weightDecay === 0) return [p, g];
  switch (h.decay) {
    case 'l2':
      // sgd.py / adam.py / rmsprop.py: `d_p = d_p.add(param, alpha=weight_decay)`.
      return [p, tf.add(g, tf.mul(p, h.weightDecay))];
    case 'l1':
      // The gradient of weight_decay * sum|p| (torch has no L1 option; sign(0) = 0 as in torch.sign).
      return [p, tf.add(g, tf.mul(tf.sign(p), h.weightDecay))];
    case 'decoupled':
      return [tf.mul(p, 1 - h.lr * h.weightDecay), g];
  }
}

/** torch/optim/sgd.py `_single_tensor_sgd` (dampening 0, maximize False). */
function sgd(p: tf.Tensor, g: tf.Tensor, s: ParamSlots, h: Hyper): tf.Tensor {
  let d = g;
  if (h.momentum !== 0) {
    const buf = s.slots.momentum_buffer;
    if (buf === undefined) {
      // `buf = torch.clone(d_p).detach()`: the first step's buffer is the gradient itself.
      s.slots.momentum_buffer = slotVariable(tf.clone(d));
    } else {
      buf.assign(tf.add(tf.mul(buf, h.momentum), d));
    }
    const b = s.slots.momentum_buffer!;
    d = h.nesterov ? tf.add(d, tf.mul(b, h.momentum)) : b;
  }
  return tf.add(p, tf.mul(d, -h.lr));
}

/**
 * torch/optim/adam.py `_single_tensor_adam` (amsgrad False, not capturable). AdamW differs only
 * in its decay, done by applyDecay. Bias correction uses this parameter's own step count and the
 * beta1 of this step: `bias_correction1 = 1 - beta1 ** step` with the group's current betas, so
 * a one-cycle beta1 enters it as torch's does.
 */
function adam(p: tf.Tensor, g: tf.Tensor, s: ParamSlots, h: Hyper): tf.Tensor {
  const beta1 = h.momentum;
  const expAvg = zerosSlot(s, 'exp_avg', p);
  const expAvgSq = zerosSlot(s, 'exp_avg_sq', p);
  expAvg.assign(tf.add(tf.mul(expAvg, beta1), tf.mul(g, 1 - beta1)));
  expAvgSq.assign(tf.add(tf.mul(expAvgSq, h.beta2), tf.mul(tf.mul(g, g), 1 - h.beta2)));
  const biasCorrection1 = 1 - beta1 ** s.step;
  const biasCorrection2 = 1 - h.beta2 ** s.step;
  const stepSize = h.lr / biasCorrection1;
  const denom = tf.add(tf.div(tf.sqrt(expAvgSq), Math.sqrt(biasCorrection2)), h.eps);
  return tf.add(p, tf.div(tf.mul(expAvg, -stepSize), denom));
}

/** torch/optim/rmsprop.py `_single_tensor_rmsprop` (centered False). */
function rmsprop(p: tf.Tensor, g: tf.Tensor, s: ParamSlots, h: Hyper): tf.Tensor {
  const squareAvg = zerosSlot(s, 'square_avg', p);
  squareAvg.assign(tf.add(tf.mul(squareAvg, h.alpha), tf.mul(tf.mul(g, g), 1 - h.alpha)));
  const avg = tf.add(tf.sqrt(squareAvg), h.eps);
  if (h.momentum > 0) {
    // Created zero at the first step with momentum > 0 (torch creates it at lazy init).
    const buf = zerosSlot(s, 'momentum_buffer', p);
    buf.assign(tf.add(tf.mul(buf, h.momentum), tf.div(g, avg)));
    return tf.add(p, tf.mul(buf, -h.lr));
  }
  return tf.add(p, tf.div(tf.mul(g, -h.lr), avg));
}

export type Rule = (p: tf.Tensor, g: tf.Tensor, s: ParamSlots, h: Hyper) => tf.Tensor;

export const RULES: Record<OptimizerType, Rule> = { sgd, adam, adamw: adam, rmsprop };
