// Dropout whose mask is drawn on the GPU while training on webgpu (backend/webgpu-kernels/dropout.ts)
// instead of tfjs-core's JavaScript randomUniform and an upload every step; elsewhere, and with a
// noiseShape, it is tfjs-layers' Dropout unchanged. Registered under the standard class name, so
// saved models stay plain Keras/TF.js Dropout (as models/batch-norm.ts does for BatchNormalization).
import * as tfl from '@tensorflow/tfjs-layers';
import { serialization, type Tensor } from '@tensorflow/tfjs-core';
import { deviceDropout, deviceDropoutAvailable } from '../backend/webgpu-kernels/index.js';

type DropoutArgs = Parameters<typeof tfl.layers.dropout>[0];
type Kwargs = Record<string, unknown>;

const DropoutBase = tfl.layers.dropout({ rate: 0 }).constructor as unknown as new (
  args: DropoutArgs,
) => tfl.layers.Layer & { call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] };

export class DeviceDropout extends DropoutBase {
  static className = 'Dropout';

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const self = this as unknown as { rate: number; noiseShape?: unknown; seed?: number };
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training && self.rate > 0 && self.rate < 1 && self.noiseShape == null && deviceDropoutAvailable()) {
      return deviceDropout(x, self.rate, self.seed);
    }
    return super.call(inputs, kwargs);
  }
}
serialization.registerClass(
  DeviceDropout as unknown as serialization.SerializableConstructor<serialization.Serializable>,
);

export function dropout(args: DropoutArgs): tfl.layers.Layer {
  return new DeviceDropout(args);
}
