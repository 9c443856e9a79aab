// Where each torchvision tensor goes in our TF.js layers model, and how its layout changes:
// PyTorch stores conv kernels as [out, in, kh, kw] and linear weights as [out, in]; TF.js wants
// [kh, kw, in, out], [kh, kw, channels, 1] (depthwise) and [in, out].
import type * as tfl from '@tensorflow/tfjs-layers';

export interface TorchSlot {
  /** torchvision state_dict key. */
  name: string;
  layer: tfl.layers.Layer;
  /** Index into layer.weights. */
  index: number;
  /** Shape the torch tensor must have. */
  torchShape: number[];
  /** Converts torch's row-major data to TF.js's layout. */
  convert(data: Float32Array): Float32Array;
}

const identity = (d: Float32Array): Float32Array => d;

function convKernel([kh, kw, cin, cout]: number[]) {
  return (src: Float32Array): Float32Array => {
    const out = new Float32Array(src.length);
    for (let o = 0; o < cout!; o++)
      for (let i = 0; i < cin!; i++)
        for (let y = 0; y < kh!; y++)
          for (let x = 0; x < kw!; x++)
            out[((y * kw! + x) * cin! + i) * cout! + o] = src[((o * cin! + i) * kh! + y) * kw! + x]!;
    return out;
  };
}

function depthwiseKernel([kh, kw, c]: number[]) {
  return (src: Float32Array): Float32Array => {
    const out = new Float32Array(src.length);
    for (let ch = 0; ch < c!; ch++)
      for (let y = 0; y < kh!; y++)
        for (let x = 0; x < kw!; x++) out[(y * kw! + x) * c! + ch] = src[(ch * kh! + y) * kw! + x]!;
    return out;
  };
}

function denseKernel([cin, cout]: number[]) {
  return (src: Float32Array): Float32Array => {
    const out = new Float32Array(src.length);
    for (let o = 0; o < cout!; o++) for (let i = 0; i < cin!; i++) out[i * cout! + o] = src[o * cin! + i]!;
    return out;
  };
}

/** Every tensor a torchvision state_dict must hold for this model (num_batches_tracked aside). */
export function torchSlots(model: tfl.LayersModel): TorchSlot[] {
  const slots: TorchSlot[] = [];
  for (const layer of model.layers) {
    const shapes = layer.weights.map((w) => w.shape as number[]);
    const kind = layer.getClassName();
    const add = (index: number, suffix: string, torchShape: number[], convert: TorchSlot['convert']) =>
      slots.push({ name: `${layer.name}.${suffix}`, layer, index, torchShape, convert });
    if (kind === 'Conv2D' || kind === 'DepthwiseConv2D' || kind === 'Dense') {
      const k = shapes[0]!;
      if (kind === 'Conv2D') add(0, 'weight', [k[3]!, k[2]!, k[0]!, k[1]!], convKernel(k));
      else if (kind === 'DepthwiseConv2D') add(0, 'weight', [k[2]!, 1, k[0]!, k[1]!], depthwiseKernel(k));
      else add(0, 'weight', [k[1]!, k[0]!], denseKernel(k));
      if (shapes[1]) add(1, 'bias', shapes[1], identity);
    } else if (kind === 'BatchNormalization') {
      ['weight', 'bias', 'running_mean', 'running_var'].forEach((suffix, i) => add(i, suffix, shapes[i]!, identity));
    } else if (layer.weights.length > 0) {
      throw new Error(`no torch layout for layer ${layer.name} (${kind})`);
    }
  }
  return slots;
}
