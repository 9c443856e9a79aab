// torchvision ResNet (He et al. 2016; torchvision/models/resnet.py, v1.5: the stride sits on the
// 3x3 conv of a bottleneck). Layers carry torchvision's module names, so weights map one to one.
import * as tfl from '@tensorflow/tfjs-layers';
import type { ResNetConfig } from './catalog.js';
import { act, bn, conv, head, type SymbolicTensor } from './layers.js';

export interface BuildOptions {
  numClasses: number;
  inputSize: number;
  dropout: number;
}

function basicBlock(x: SymbolicTensor, planes: number, stride: number, name: string): SymbolicTensor {
  const inChannels = x.shape[3]!;
  let y = conv(x, { filters: planes, kernel: 3, stride, name: `${name}.conv1` });
  y = act(bn(y, `${name}.bn1`), 'relu', `${name}.relu1`);
  y = bn(conv(y, { filters: planes, kernel: 3, name: `${name}.conv2` }), `${name}.bn2`);
  const identity = stride !== 1 || inChannels !== planes ? downsample(x, planes, stride, name) : x;
  return act(tfl.layers.add({ name: `${name}.add` }).apply([y, identity]) as SymbolicTensor, 'relu', `${name}.relu`);
}

function bottleneck(x: SymbolicTensor, planes: number, stride: number, name: string): SymbolicTensor {
  const inChannels = x.shape[3]!;
  const out = planes * 4;
  let y = act(
    bn(conv(x, { filters: planes, kernel: 1, name: `${name}.conv1` }), `${name}.bn1`),
    'relu',
    `${name}.relu1`,
  );
  y = act(
    bn(conv(y, { filters: planes, kernel: 3, stride, name: `${name}.conv2` }), `${name}.bn2`),
    'relu',
    `${name}.relu2`,
  );
  y = bn(conv(y, { filters: out, kernel: 1, name: `${name}.conv3` }), `${name}.bn3`);
  const identity = stride !== 1 || inChannels !== out ? downsample(x, out, stride, name) : x;
  return act(tfl.layers.add({ name: `${name}.add` }).apply([y, identity]) as SymbolicTensor, 'relu', `${name}.relu`);
}

function downsample(x: SymbolicTensor, filters: number, stride: number, name: string): SymbolicTensor {
  return bn(conv(x, { filters, kernel: 1, stride, name: `${name}.downsample.0` }), `${name}.downsample.1`);
}

export function buildResNet(cfg: ResNetConfig, o: BuildOptions): tfl.LayersModel {
  const input = tfl.input({ shape: [o.inputSize, o.inputSize, 3], name: 'image' });
  let x = conv(input, { filters: cfg.stem.width, kernel: cfg.stem.kernel, stride: cfg.stem.stride, name: 'conv1' });
  x = act(bn(x, 'bn1'), 'relu', 'relu');
  if (cfg.stem.maxPool) {
    // torch pads max-pooling with -inf; after a ReLU every value is >= 0, so zeros are equivalent.
    x = tfl.layers
      .zeroPadding2d({
        padding: [
          [1, 1],
          [1, 1],
        ],
        name: 'maxpool.pad',
      })
      .apply(x) as SymbolicTensor;
    x = tfl.layers
      .maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' })
      .apply(x) as SymbolicTensor;
  }
  const block = cfg.block === 'basic' ? basicBlock : bottleneck;
  cfg.layers.forEach((blocks, s) => {
    for (let b = 0; b < blocks; b++) {
      x = block(x, cfg.widths[s]!, b === 0 && s > 0 ? 2 : 1, `layer${s + 1}.${b}`);
    }
  });
  return tfl.model({ inputs: input, outputs: head(x, o.numClasses, o.dropout, 'fc'), name: 'resnet' });
}
