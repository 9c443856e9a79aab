// Model weights as one binary buffer plus specs (the TF.js weights format), for checkpoints.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface WeightsBlob {
  specs: { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }[];
  data: ArrayBuffer;
}

/** `layer/weight` for every weight, trainable or not (BatchNorm moving statistics included). */
function namedWeights(model: tfl.LayersModel): { name: string; layer: tfl.layers.Layer; index: number }[] {
  return model.layers.flatMap((layer) =>
    layer.weights.map((w, index) => ({ name: `${layer.name}/${w.originalName.split('/').pop()}`, layer, index })),
  );
}

export async function getModelWeights(model: tfl.LayersModel): Promise<WeightsBlob> {
  const named = namedWeights(model);
  const tensors = named.map((n) => ({ name: n.name, tensor: n.layer.weights[n.index]!.read() }));
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return {
    specs: specs.map(({ name, shape, dtype }) => ({ name, shape, dtype: dtype as 'float32' })),
    data: data as ArrayBuffer,
  };
}

export function setModelWeights(model: tfl.LayersModel, blob: WeightsBlob): void {
  const decoded = tf.io.decodeWeights(blob.data, blob.specs);
  try {
    for (const layer of model.layers) {
      if (!layer.weights.length) continue;
      const values = layer.weights.map((w) => {
        const name = `${layer.name}/${w.originalName.split('/').pop()}`;
        const t = decoded[name];
        if (!t) throw new Error(`checkpoint has no ${name}`);
        return t;
      });
      layer.setWeights(values);
    }
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

export { namedWeights };
