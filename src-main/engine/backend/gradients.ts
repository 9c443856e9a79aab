// Backprop with a bounded working set. tfjs-core's engine.gradients (engine.ts, tape.ts
// backpropagateGradients) keeps every tensor of the backward pass until it ends: each node's saved
// forward tensors and the gradient of every activation, so a training step peaks at about twice
// the activations (ResNet-18, 224 px, batch 16: 3.3 GB RSS on wasm even with a copy-free Identity).
// This is the same walk over the same tape, in the same order, with the same gradient functions
// (so the same numbers), that frees what no later node can use as it goes:
// - a node's saved tensors, once its gradient functions have run (only that node reads them);
// - the gradient of a node's output, once the node has consumed it (the tape is topologically
//   ordered, so every contribution to it was accumulated before);
// as PyTorch's autograd engine frees saved variables and grads in its backward walk.
// Installed on the engine by installBoundedBackprop(); higher-order gradients fall back to tfjs's own.
import * as tf from '@tensorflow/tfjs-core';
import { getFilteredNodesXToY, type TapeNode } from '@tensorflow/tfjs-core/dist/tape.js';

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  gradients: Gradients;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

type Gradients = (
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients?: boolean,
) => { value: tf.Tensor; grads: tf.Tensor[] };

/** Accumulated gradients by tensor id, counting how many ids hold each gradient tensor. */
class GradientMap {
  readonly #byId = new Map<number, tf.Tensor>();
  readonly #holders = new Map<tf.Tensor, number>();

  get(id: number): tf.Tensor | undefined {
    return this.#byId.get(id);
  }

  set(id: number, t: tf.Tensor): void {
    const old = this.#byId.get(id);
    if (old) this.#holders.set(old, this.#holders.get(old)! - 1);
    this.#byId.set(id, t);
    this.#holders.set(t, (this.#holders.get(t) ?? 0) + 1);
  }

  /** Adds `dx` to `id`'s gradient; the summands are freed unless another id holds them. */
  accumulate(id: number, dx: tf.Tensor): void {
    const current = this.#byId.get(id);
    if (current === undefined) {
      this.set(id, dx);
      return;
    }
    this.set(id, tf.add(current, dx));
    for (const t of [current, dx]) if (!this.#holders.get(t)) this.#drop(t);
  }

  #drop(t: tf.Tensor): void {
    this.#holders.delete(t);
    t.dispose();
  }

  /** Forgets `id`'s gradient; disposes it unless another id holds the same tensor. */
  release(id: number): void {
    const t = this.#byId.get(id);
    if (!t) return;
    this.#byId.delete(id);
    const left = this.#holders.get(t)! - 1;
    if (left > 0) this.#holders.set(t, left);
    else this.#drop(t);
  }
}

function backprop(tape: TapeNode[], map: GradientMap, keep: Set<number>, disposeSaved: boolean): void {
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    // null: this output does not lead to y; addTapeNode's wrapper fills in zeros.
    const dys = node.outputs.map((o) => map.get(o.id) ?? null) as tf.Tensor[];
    if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    const inputGradients = node.gradient(dys);
    for (const [name, x] of Object.entries(node.inputs)) {
      const gradFn = inputGradients[name];
      if (!gradFn)
        throw new Error(
          `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`,
        );
      const dx = tf.tidy(gradFn);
      if (dx.dtype !== 'float32')
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      if (!tf.util.arraysEqual(dx.shape, x.shape))
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
        );
      map.accumulate(x.id, dx);
    }
    // This node was the only reader of its saved tensors and of its outputs' gradients.
    for (const o of node.outputs) if (!keep.has(o.id)) map.release(o.id);
    if (disposeSaved) for (const t of node.saved ?? []) t.dispose();
  }
}

/** engine.gradients with backprop() in place of tfjs's backpropagateGradients. */
function boundedGradients(engine: EngineInternals, original: Gradients): Gradients {
  return function gradients(f, xs, dy, allowNoGradients = false) {
    if (engine.state.gradientDepth > 0) return original.call(engine, f, xs, dy, allowNoGradients);
    tf.util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y = engine.scopedRun(
      () => engine.startTape(),
      () => engine.endTape(),
      () => engine.tidy('forward', f),
    );
    tf.util.assert(y instanceof tf.Tensor, () => 'The result y returned by f() must be a tensor.');
    const tape = engine.state.activeTape!;
    const filtered = getFilteredNodesXToY(tape, xs, y);
    if (!allowNoGradients && filtered.length === 0 && xs.length > 0)
      throw new Error(
        'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
      );
    return engine.tidy('backward', () => {
      const map = new GradientMap();
      map.set(y.id, dy ?? tf.onesLike(y));
      // The gradients asked for, and y's (the caller's dy), are never freed early.
      const keep = new Set([y.id, ...xs.map((x) => x.id)]);
      backprop(filtered, map, keep, true);
      const grads = xs.map((x) => map.get(x.id)!);
      for (const node of tape) for (const t of node.saved ?? []) t.dispose();
      engine.state.activeTape = null;
      return { value: y, grads };
    });
  };
}

let original: Gradients | undefined;

/** Replaces the TF.js engine's gradients() with the bounded one (once per process). */
export function installBoundedBackprop(): void {
  if (original) return;
  const engine = tf.engine() as unknown as EngineInternals;
  original = engine.gradients;
  engine.gradients = boundedGradients(engine, original);
}

/** Puts tfjs's own gradients() back (tests compare the two). */
export function uninstallBoundedBackprop(): void {
  if (!original) return;
  (tf.engine() as unknown as EngineInternals).gradients = original;
  original = undefined;
}
