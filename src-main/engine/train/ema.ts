// An exponential moving average of a model's weights (timm/utils/model_ema.py ModelEmaV3; Keras
// optimizers' use_ema): one extra copy of every weight, BatchNorm moving statistics included (its
// apply_update_ lerps parameters and floating buffers alike), updated after each optimizer step.
// Validation swaps the average in and out; checkpoints keep it beside the live weights.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EmaSettings } from './recipes.js';
import { namedWeights } from './weights.js';

/** Checkpoint buffers hold the average under these names (the optimizer's buffers: Keras keeps it there). */
export const EMA_PREFIX = 'ema/';
/** The run folder's model dir of the average (model/ holds the live weights). */
export const EMA_MODEL_DIR = 'model-ema';

/**
 * ModelEmaV3.get_decay with update_after_step 0, min_decay 0, warmup_gamma 1, warmup_power 2/3:
 * `step` counts optimizer steps done (timm's num_updates), so the first update copies the weights.
 */
export function emaDecay(e: EmaSettings, step: number): number {
  const k = Math.max(0, step - 1);
  if (k <= 0) return 0;
  if (!e.warmup) return e.decay;
  return Math.max(Math.min(1 - Math.pow(1 + k, -2 / 3), e.decay), 0);
}

interface Slot {
  name: string;
  live: tfl.LayerVariable;
  avg: tf.Variable;
}

export class WeightEma {
  readonly #slots: Slot[];

  /** Starts as a copy of the model's weights, or of `restore` (a checkpoint's buffers) where given. */
  constructor(
    model: tfl.LayersModel,
    readonly settings: EmaSettings,
    restore?: Readonly<Record<string, Float32Array>>,
  ) {
    this.#slots = namedWeights(model).map(({ name, layer, index }) => {
      const live = layer.weights[index]!;
      const saved = restore?.[EMA_PREFIX + name];
      const init = saved ? tf.tensor(saved, live.shape as number[], live.dtype) : live.read().clone();
      const avg = tf.variable(init, false);
      init.dispose();
      return { name, live, avg };
    });
  }

  /** After optimizer step number `step` (1 for the first): avg ← avg·d + live·(1 − d). */
  update(step: number): number {
    const d = emaDecay(this.settings, step);
    // One tidy per weight, so only one weight's temporaries exist at a time (the optimizer's rule, optim/optimizer.ts).
    for (const s of this.#slots) tf.tidy(() => s.avg.assign(tf.add(tf.mul(s.avg, d), tf.mul(s.live.read(), 1 - d))));
    return d;
  }

  /** Runs `fn` with the average in the model's weights, then puts the live weights back. */
  async swapped<T>(fn: () => Promise<T>): Promise<T> {
    const saved = this.#slots.map((s) => s.live.read().clone());
    try {
      for (const s of this.#slots) s.live.write(s.avg);
      return await fn();
    } finally {
      this.#slots.forEach((s, i) => s.live.write(saved[i]!));
      tf.dispose(saved);
    }
  }

  /** The average as checkpoint buffers (EMA_PREFIX + layer/weight). */
  async buffers(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const s of this.#slots) out[EMA_PREFIX + s.name] = (await s.avg.data()) as Float32Array;
    return out;
  }

  dispose(): void {
    for (const s of this.#slots) s.avg.dispose();
  }
}

/** A model's weights set from checkpoint EMA buffers; false where the checkpoint has none. */
export function setEmaWeights(
  model: tfl.LayersModel,
  buffers: Readonly<Record<string, Float32Array>> | undefined,
): boolean {
  const named = namedWeights(model);
  if (!buffers || !named.every((n) => buffers[EMA_PREFIX + n.name])) return false;
  for (const n of named) {
    const w = n.layer.weights[n.index]!;
    const t = tf.tensor(buffers[EMA_PREFIX + n.name]!, w.shape as number[], w.dtype);
    w.write(t);
    t.dispose();
  }
  return true;
}
