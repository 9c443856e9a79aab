// Frozen-stage feature caching. With the backbone frozen (its BatchNorm layers too: they run in
// inference mode, see models/batch-norm.ts) the pooled features of an image view never change, so
// the backbone runs once per (image, view) and the head trains on stored vectors: the "fast feature
// extraction" recipe (Chollet, Deep Learning with Python, 2nd ed., §8.3.1), kept inside fine_tune.
// Features live in plain Float32Arrays, not tensors: C floats per (image, view), e.g. 2 KB for
// ResNet-18 (512) and 8 KB for ResNet-50 (2048) — 100k images, one view: 200 MB / 800 MB.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { headDenseName, type BuiltModel } from '../models/index.js';
import { fastForward, type Forward } from '../predict/forward.js';

/** The model up to the pooled features (shares the built model's layers and weights). */
export function backboneOf(built: BuiltModel): tfl.LayersModel {
  const pooled = built.model.getLayer('avgpool').output as tfl.SymbolicTensor;
  return tfl.model({ inputs: built.model.inputs, outputs: pooled, name: `${built.model.name}_backbone` });
}

/** The head (dropout → dense) as a function of pooled features. */
export function headOf(built: BuiltModel): (features: tf.Tensor, training: boolean) => tf.Tensor2D {
  const dropout = built.model.getLayer('head.dropout');
  const dense = built.model.getLayer(headDenseName(built.spec));
  return (features, training) => dense.apply(dropout.apply(features, { training }), { training }) as tf.Tensor2D;
}

export class FeatureCache {
  readonly #backbone: tfl.LayersModel;
  /**
   * rows[`${size}/${view}`][sample index]: an array lookup per row on the hot path. The image size
   * is part of the key: a view at 32 px and at 48 px has different features (progressive resizing).
   */
  readonly #rows = new Map<string, (Float32Array | undefined)[]>();
  #count = 0;
  #dim = 0;
  /** One forward per input size: the onnxruntime graph is built for one size. */
  readonly #forward = new Map<number, Promise<Forward>>();

  constructor(built: BuiltModel) {
    this.#backbone = backboneOf(built);
  }

  get size(): number {
    return this.#count;
  }

  /** `size`: the image size the features were made at (default: the model's input size). */
  has(index: number, view = 0, size = this.#inputSize()): boolean {
    return this.#rows.get(`${size}/${view}`)?.[index] !== undefined;
  }

  /**
   * Runs the backbone on a batch and stores each row under (indices[i], view, image size); returns
   * the features. The backbone runs through fastForward (onnxruntime on a CPU-only machine): frozen,
   * its weights do not change while the cache fills, so the session made on the first batch stays valid.
   */
  async add(x: tf.Tensor, indices?: readonly number[], view = 0): Promise<tf.Tensor2D> {
    const [n, size] = x.shape as [number, number];
    let forward = this.#forward.get(size);
    if (!forward) this.#forward.set(size, (forward = fastForward(this.#backbone, size)));
    const data = await (await forward).run((await x.data()) as Float32Array, n);
    const dim = data.length / n;
    const features = tf.tensor2d(data, [n, dim]);
    this.#dim = dim;
    const key = `${size}/${view}`;
    let rows = this.#rows.get(key);
    if (!rows) this.#rows.set(key, (rows = []));
    for (let i = 0; i < n; i++) {
      const index = indices?.[i] ?? i;
      if (rows[index] === undefined) this.#count++;
      rows[index] = data.slice(i * dim, (i + 1) * dim);
    }
    return features;
  }

  /** A [n, C] tensor of stored features, in the order asked. */
  batch(indices: readonly number[], view = 0, size = this.#inputSize()): tf.Tensor2D {
    const out = new Float32Array(indices.length * this.#dim);
    const rows = this.#rows.get(`${size}/${view}`);
    indices.forEach((index, i) => {
      const row = rows?.[index];
      if (!row) throw new Error(`feature cache: no features for sample ${index}, view ${view} at ${size} px`);
      out.set(row, i * this.#dim);
    });
    return tf.tensor2d(out, [indices.length, this.#dim]);
  }

  #inputSize(): number {
    return this.#backbone.inputs[0]!.shape[1]!;
  }

  /** Bytes held, for the memory bound in docs/benchmarks.md. */
  bytes(): number {
    return this.#count * this.#dim * 4;
  }

  /** Drops the stored rows and the forward session; the backbone's layers belong to the built model and stay. */
  dispose(): void {
    this.#rows.clear();
    this.#count = 0;
    for (const forward of this.#forward.values()) void forward.then((f) => f.dispose()).catch(() => undefined);
    this.#forward.clear();
  }
}
