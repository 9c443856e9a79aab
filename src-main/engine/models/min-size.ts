// The smallest input an architecture takes: its output stride, the factor by which the stem and
// the strided stages shrink the image before the global pool. Below it the last feature map is
// one pixel of mostly padding. Keras refuses ResNet50 and EfficientNet inputs under 32 px for this
// reason (keras/src/applications/imagenet_utils.py `obtain_input_shape`, min_size=32), which is
// their output stride; torchvision's builders (resnet.py, efficientnet.py) stride the same way.
import type { ArchSpec } from './catalog.js';

export function minInputSize(spec: ArchSpec): number {
  if (spec.family === 'resnet') {
    const r = spec.resnet;
    // The first stage keeps the resolution; every later one halves it (resnet.ts, torchvision _make_layer).
    return r.stem.stride * (r.stem.maxPool ? 2 : 1) * 2 ** (r.layers.length - 1);
  }
  // The stem convolution has stride 2 (efficientnet.ts, torchvision features.0), then each stage its own.
  return 2 * spec.efficientnet.stages.reduce((n, [, , stride]) => n * stride, 1);
}
