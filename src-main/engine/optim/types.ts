// The optimizer's contract with the training loop.
import type * as tf from '@tensorflow/tfjs-core';
import type { OptimizerState, StateBuffers } from './state.js';

export const OPTIMIZER_TYPES = ['sgd', 'adam', 'adamw', 'rmsprop'] as const;
export type OptimizerType = (typeof OPTIMIZER_TYPES)[number];

export const DECAY_KINDS = ['decoupled', 'l2', 'l1'] as const;
export type DecayKind = (typeof DECAY_KINDS)[number];

/**
 * What a parameter is, for weight decay and the bias rate multiplier: BatchNorm gamma/beta are
 * 'norm', layer biases 'bias', everything else (kernels) 'weight'. See params.ts for how a
 * tfjs-layers model's weights are classified.
 */
export type ParamKind = 'weight' | 'bias' | 'norm';

export interface ParamSpec {
  /**
   * The tf.Variable itself, updated in place with `assign`. For a tfjs-layers model this is
   * `layerVariable.read()` (see `variableOf` in params.ts); its `name` is the key of its gradient.
   */
  variable: tf.Variable;
  /** Layer group index, 0 ≤ group < groups: which entry of the per-group lr / weightDecay it uses. */
  group: number;
  kind: ParamKind;
  /**
   * The parameter's name in saved optimizer state, when it differs from the variable's: tfjs-layers
   * suffixes a variable's name ("fc/kernel_3") when a process has built the model before, so a
   * checkpoint resumed in such a process names its parameters by layer and weight ("fc/kernel").
   */
  stateName?: string;
}

export interface GroupOptimizer {
  readonly groups: number;
  /**
   * One update, as torch's `optimizer.step()` after the schedule has written each group's lr.
   *
   * - `grads`: keyed by the variable's unique `name`, as `tf.variableGrads` returns them. A
   *   parameter with no entry, or a null one (what `tf.variableGrads(f, list)` returns for a variable
   *   of the list that is not trainable, i.e. a frozen layer's), is skipped entirely (torch skips `p.grad is None`: no decay, no
   *   slot update, its own step count does not advance). The caller
   *   still owns (and disposes) the gradients.
   * - `lr`: one rate per layer group for this step.
   * - `momentum`: SGD/RMSprop momentum or Adam beta1 for this step when a one-cycle schedule
   *   cycles it, else null (the configured value).
   * - `measure`: also return, per group, ||Δw|| / ||w|| over the group's 'weight' parameters (all
   *   its parameters if it has none), w taken before the update (CS231n "ratio of the updates to
   *   the values", healthy near 1e-3; seed 002). A group that got no update measures 0.
   *
   * Checks and the update itself happen synchronously (a bad call throws at once); only reading
   * the measurement back is asynchronous (GPU backends cannot read synchronously in Node: WebGPU's readSync needs an
   * OffscreenCanvas).
   */
  step(
    grads: Readonly<Record<string, tf.Tensor | null>>,
    lr: readonly number[],
    momentum: number | null,
    measure?: boolean,
  ): Promise<number[] | null>;
  /** Steps taken so far (calls of `step`). */
  readonly steps: number;
  /**
   * Serialisable state for checkpoints: step counts and every slot's values, inline as base64
   * float32, or, given `into`, put there as Float32Arrays (named OPTIMIZER_BUFFER_PREFIX +
   * parameter/slot) and named in the state (a checkpoint's optimizer.bin).
   */
  getState(into?: Record<string, Float32Array>): Promise<OptimizerState>;
  /** Restores `getState()`'s output (also from JSON), with the buffers it put aside; replaces every slot. */
  setState(state: OptimizerState, buffers?: StateBuffers): void;
  /** Frees the slot variables (never the parameters). */
  dispose(): void;
}
