// Every weight of a model redrawn from a seeded generator: He-uniform kernels, BatchNorm scales and
// variances in [0.5, 1.5) (so inference-mode BatchNorm is exercised), everything else in ±0.2.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mulberry32 } from '../../src-main/engine/data/sources/index.js';

export function randomise(model: tfl.LayersModel, seed: number): void {
  const rand = mulberry32(seed);
  for (const w of model.weights) {
    const v = w.read();
    const fanIn = v.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const draw = /variance|gamma/.test(w.name)
      ? () => 0.5 + rand()
      : /kernel/.test(w.name)
        ? () => (rand() * 2 - 1) * Math.sqrt(6 / Math.max(1, fanIn))
        : () => (rand() * 2 - 1) * 0.2;
    w.write(tf.tensor(Float32Array.from({ length: v.size }, draw), v.shape));
  }
}
