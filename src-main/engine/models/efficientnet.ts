// torchvision EfficientNet B0–B7 (Tan & Le 2019; torchvision/models/efficientnet.py): MBConv
// blocks with squeeze-and-excitation, SiLU, channels rounded by _make_divisible, depth by ceil.
import * as tfl from '@tensorflow/tfjs-layers';
import type { EfficientNetConfig } from './catalog.js';
import { act, bn, conv, head, type SymbolicTensor } from './layers.js';
import type { BuildOptions } from './resnet.js';

/** torchvision/models/_utils.py _make_divisible (from TF's mobilenet.py). */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let next = Math.max(minValue, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  if (next < 0.9 * v) next += divisor;
  return next;
}

export interface MBConvStage {
  expand: number;
  kernel: number;
  stride: number;
  inChannels: number;
  outChannels: number;
  blocks: number;
}

/** The stages torchvision builds for a width and depth multiplier (MBConvConfig). */
export function efficientNetStages(cfg: EfficientNetConfig): MBConvStage[] {
  return cfg.stages.map(([expand, kernel, stride, inC, outC, n]) => ({
    expand,
    kernel,
    stride,
    inChannels: makeDivisible(inC * cfg.widthMult),
    outChannels: makeDivisible(outC * cfg.widthMult),
    blocks: Math.ceil(n * cfg.depthMult),
  }));
}

function mbconv(x: SymbolicTensor, s: MBConvStage, inChannels: number, stride: number, name: string): SymbolicTensor {
  const expanded = makeDivisible(inChannels * s.expand);
  let y = x;
  let i = 0;
  if (expanded !== inChannels) {
    y = conv(y, { filters: expanded, kernel: 1, name: `${name}.block.${i}.0` });
    y = act(bn(y, `${name}.block.${i}.1`), 'swish', `${name}.block.${i}.2`);
    i++;
  }
  y = conv(y, { filters: expanded, kernel: s.kernel, stride, depthwise: true, name: `${name}.block.${i}.0` });
  y = act(bn(y, `${name}.block.${i}.1`), 'swish', `${name}.block.${i}.2`);
  i++;
  // Squeeze-and-excitation (torchvision.ops.SqueezeExcitation), squeeze = input channels / 4.
  const squeeze = Math.max(1, Math.floor(inChannels / 4));
  const se = `${name}.block.${i}`;
  let s1 = tfl.layers.globalAveragePooling2d({ name: `${se}.avgpool` }).apply(y) as SymbolicTensor;
  s1 = tfl.layers.reshape({ targetShape: [1, 1, expanded], name: `${se}.reshape` }).apply(s1) as SymbolicTensor;
  s1 = act(conv(s1, { filters: squeeze, kernel: 1, bias: true, name: `${se}.fc1` }), 'swish', `${se}.activation`);
  s1 = act(
    conv(s1, { filters: expanded, kernel: 1, bias: true, name: `${se}.fc2` }),
    'sigmoid',
    `${se}.scale_activation`,
  );
  y = tfl.layers.multiply({ name: `${se}.mul` }).apply([y, s1]) as SymbolicTensor;
  i++;
  y = bn(conv(y, { filters: s.outChannels, kernel: 1, name: `${name}.block.${i}.0` }), `${name}.block.${i}.1`);
  if (stride === 1 && inChannels === s.outChannels) {
    y = tfl.layers.add({ name: `${name}.add` }).apply([y, x]) as SymbolicTensor;
  }
  return y;
}

export function buildEfficientNet(cfg: EfficientNetConfig, o: BuildOptions): tfl.LayersModel {
  const stages = efficientNetStages(cfg);
  const input = tfl.input({ shape: [o.inputSize, o.inputSize, 3], name: 'image' });
  let x = conv(input, { filters: stages[0]!.inChannels, kernel: 3, stride: 2, name: 'features.0.0' });
  x = act(bn(x, 'features.0.1'), 'swish', 'features.0.2');
  stages.forEach((s, si) => {
    for (let b = 0; b < s.blocks; b++) {
      const inChannels = b === 0 ? s.inChannels : s.outChannels;
      x = mbconv(x, s, inChannels, b === 0 ? s.stride : 1, `features.${si + 1}.${b}`);
    }
  });
  const top = `features.${stages.length + 1}`;
  x = conv(x, { filters: 4 * stages[stages.length - 1]!.outChannels, kernel: 1, name: `${top}.0` });
  x = act(bn(x, `${top}.1`), 'swish', `${top}.2`);
  return tfl.model({ inputs: input, outputs: head(x, o.numClasses, o.dropout, 'classifier.1'), name: 'efficientnet' });
}
