// BatchNormalization that behaves as Keras's does when fine-tuning: a frozen BN layer
// (trainable = false) runs in inference mode, normalising with its moving statistics and never
// updating them ("BatchNormalization layer ... trainable = False ... will run in inference mode",
// keras.io/guides/transfer_learning). tfjs-layers instead keeps using batch statistics and keeps
// updating the moving mean/variance of a frozen layer (measured: moving mean 0 -> 0.05 after one
// fit on data of mean 5), which silently destroys pretrained statistics.
import * as tfl from '@tensorflow/tfjs-layers';
import { serialization, type Tensor } from '@tensorflow/tfjs-core';

type BatchNormArgs = Parameters<typeof tfl.layers.batchNormalization>[0];
type Kwargs = Record<string, unknown>;

// tfjs-layers does not export its layer classes by name; take the class from an instance.
const BatchNormalizationBase = tfl.layers.batchNormalization({}).constructor as unknown as new (
  args?: BatchNormArgs,
) => tfl.layers.Layer & { call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] };

export class FreezableBatchNormalization extends BatchNormalizationBase {
  // Registered under the standard name, so saved models stay plain Keras/TF.js BatchNormalization.
  static className = 'BatchNormalization';

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    return super.call(inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  }
}
serialization.registerClass(
  FreezableBatchNormalization as unknown as serialization.SerializableConstructor<serialization.Serializable>,
);

export function batchNorm(args: BatchNormArgs): tfl.layers.Layer {
  return new FreezableBatchNormalization(args);
}
