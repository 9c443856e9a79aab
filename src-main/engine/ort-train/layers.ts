// One tfjs-layers layer as ONNX nodes for a training step: the forward in training mode (batch
// statistics in a trainable BatchNormalization, the dropout mask fed in) and its backward rule on
// the graph's tape. The rules are the derivatives tfjs-core registers for the same kernels
// (tfjs-core/src/gradients/*_grad.ts): Conv2D (conv2DBackpropInput / conv2DBackpropFilter),
// FusedBatchNorm (with the gradient through the batch mean and variance, as tf.moments' autodiff
// gives it), Relu (dy·step(x)), MaxPool (the gradient to the first maximum), Pad (a slice),
// Mean (spread evenly), MatMul. A layer without a rule here makes the whole model fall back to
// the TF.js step (UnsupportedLayer, with the reason).
import { batchNorm, conv } from './conv-bn.js';
import {
  activationLayer,
  add,
  dense,
  dropout,
  globalAverage,
  identity,
  maxPool,
  multiply,
  reluLayer,
  reshapeLayer,
  zeroPadding,
} from './other-layers.js';
import { need, type TrainRule } from './rule.js';

export { UnsupportedLayer, type ParamInput, type TrainContext, type TrainRule } from './rule.js';

/** Training rules by tfjs-layers class name. */
export const TRAIN_RULES: Record<string, TrainRule> = {
  Conv2D: conv,
  DepthwiseConv2D: conv,
  Reshape: reshapeLayer,
  Multiply: multiply,
  BatchNormalization: batchNorm,
  Activation: activationLayer,
  ReLU: reluLayer,
  ZeroPadding2D: zeroPadding,
  MaxPooling2D: maxPool,
  GlobalAveragePooling2D: globalAverage,
  Dropout: dropout,
  Dense: dense,
  Add: add,
  Flatten: (c, layer, [x]) => {
    need(layer, x!.layout === 'plain', 'flattening an image tensor');
    return identity(c, layer, [x!], {});
  },
};
