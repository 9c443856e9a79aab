// Building blocks that reproduce PyTorch's padding: torch pads symmetrically ((k-1)/2 on every
// side), while TF's 'same' pads asymmetrically when the stride is 2, which would shift every
// feature map by a pixel and break parity with torchvision weights.
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNorm } from './batch-norm.js';
import { dropout as dropoutLayer } from './dropout.js';

export type SymbolicTensor = tfl.SymbolicTensor;

export interface ConvOptions {
  filters: number;
  kernel: number;
  stride?: number;
  bias?: boolean;
  /** Depthwise convolution (groups = channels). */
  depthwise?: boolean;
  name: string;
}

function padded(
  x: SymbolicTensor,
  kernel: number,
  stride: number,
  name: string,
): { x: SymbolicTensor; padding: 'same' | 'valid' } {
  const p = Math.floor((kernel - 1) / 2);
  if (p === 0) return { x, padding: 'valid' };
  // Stride 1 with an odd kernel: 'same' is exactly torch's symmetric padding.
  if (stride === 1 && kernel % 2 === 1) return { x, padding: 'same' };
  const pad = tfl.layers
    .zeroPadding2d({
      padding: [
        [p, p],
        [p, p],
      ],
      name: `${name}.pad`,
    })
    .apply(x) as SymbolicTensor;
  return { x: pad, padding: 'valid' };
}

export function conv(x: SymbolicTensor, o: ConvOptions): SymbolicTensor {
  const stride = o.stride ?? 1;
  const { x: input, padding } = padded(x, o.kernel, stride, o.name);
  const common = { kernelSize: o.kernel, strides: stride, padding, useBias: o.bias ?? false, name: o.name };
  const layer = o.depthwise
    ? tfl.layers.depthwiseConv2d({ ...common, depthMultiplier: 1, depthwiseInitializer: 'heNormal' })
    : tfl.layers.conv2d({ ...common, filters: o.filters, kernelInitializer: 'heNormal' });
  return layer.apply(input) as SymbolicTensor;
}

/** torch BatchNorm2d: eps 1e-5, momentum 0.1 (= Keras/TF.js momentum 0.9). */
export function bn(x: SymbolicTensor, name: string, epsilon = 1e-5): SymbolicTensor {
  return batchNorm({ axis: -1, epsilon, momentum: 0.9, name }).apply(x) as SymbolicTensor;
}

export function act(x: SymbolicTensor, activation: 'relu' | 'swish' | 'sigmoid', name: string): SymbolicTensor {
  return tfl.layers.activation({ activation, name }).apply(x) as SymbolicTensor;
}

/** The replaceable head: global average pool → dropout → dense(n) (logits). */
export function head(x: SymbolicTensor, numClasses: number, dropout: number, denseName: string): SymbolicTensor {
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
  return headFromPooled(pooled, numClasses, dropout, denseName);
}

export function headFromPooled(
  pooled: SymbolicTensor,
  numClasses: number,
  dropout: number,
  denseName: string,
): SymbolicTensor {
  const dropped = dropoutLayer({ rate: dropout, name: 'head.dropout' }).apply(pooled) as SymbolicTensor;
  return tfl.layers.dense({ units: numClasses, name: denseName }).apply(dropped) as SymbolicTensor;
}
