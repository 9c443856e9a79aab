// BatchNormalization that behaves as Keras's does when fine-tuning: a frozen BN layer
// (trainable = false) runs in inference mode, normalising with its moving statistics and never
// updating them ("BatchNormalization layer ... trainable = False ... will run in inference mode",
// keras.io/guides/transfer_learning). tfjs-layers instead keeps using batch statistics and keeps
// updating the moving mean/variance of a frozen layer (measured: moving mean 0 -> 0.05 after one
// fit on data of mean 5), which silently destroys pretrained statistics.
//
// While training on webgpu the batch statistics and the gradient come from Anneal's fused kernels
// (backend/webgpu-kernels/batch-norm.ts: 3 dispatches forward, 3 backward, instead of tfjs's
// moments + batchNorm and their ~20-dispatch gradient); the moving averages update as tfjs-layers
// does (moving = moving − (moving − batch)·(1 − momentum)).
import * as tfl from '@tensorflow/tfjs-layers';
import { serialization, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { batchNormTraining, fusedBatchNormAvailable, movingAverages } from '../backend/webgpu-kernels/index.js';

type BatchNormArgs = Parameters<typeof tfl.layers.batchNormalization>[0];
type Kwargs = Record<string, unknown>;

// tfjs-layers does not export its layer classes by name; take the class from an instance.
const BatchNormalizationBase = tfl.layers.batchNormalization({}).constructor as unknown as new (
  args?: BatchNormArgs,
) => tfl.layers.Layer & { call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] };

/** The tfjs-layers BatchNormalization fields the fused path reads (not in its public typings). */
interface FusedFields {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: { read(): Tensor } | null;
  beta: { read(): Tensor } | null;
  movingMean: { read(): Tensor; write(t: Tensor): void };
  movingVariance: { read(): Tensor; write(t: Tensor): void };
}

export class FreezableBatchNormalization extends BatchNormalizationBase {
  // Registered under the standard name, so saved models stay plain Keras/TF.js BatchNormalization.
  static className = 'BatchNormalization';

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    if (!this.trainable) return super.call(inputs, { ...kwargs, training: false });
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const self = this as unknown as FusedFields;
    const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
    if (!kwargs.training || !lastAxis || !self.gamma || !self.beta || !fusedBatchNormAvailable()) {
      return super.call(inputs, kwargs);
    }
    return tidy(() => {
      const { y, stats } = batchNormTraining(x, self.gamma!.read(), self.beta!.read(), self.epsilon);
      const [mean, variance] = movingAverages(self.movingMean.read(), self.movingVariance.read(), stats, self.momentum);
      self.movingMean.write(mean);
      self.movingVariance.write(variance);
      return y;
    });
  }
}
serialization.registerClass(
  FreezableBatchNormalization as unknown as serialization.SerializableConstructor<serialization.Serializable>,
);

export function batchNorm(args: BatchNormArgs): tfl.layers.Layer {
  return new FreezableBatchNormalization(args);
}
