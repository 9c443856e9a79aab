// Convolutions (Conv2D, DepthwiseConv2D) and BatchNormalization, forward in training mode and
// backward, as ONNX nodes (the gradient forms: conv-grad.ts).
import { channelsLast, pads, pair } from '../export/onnx/layers.js';
import { depthwiseFilterGrad, filterGrad, inputGrad, type ConvGeometry } from './conv-grad.js';
import { attr, onnxShape, type TrainGraph, type TValue } from './graph.js';
import { AXES_NHW, need, outShape, reduceSum, reshape, type TrainRule } from './rule.js';

export const conv: TrainRule = (c, layer, inputs, config) => {
  let x = inputs[0];
  const g = c.g;
  channelsLast(layer, config);
  need(layer, x!.layout === 'nchw', 'expects a 4-D image tensor');
  need(layer, (config.activation ?? 'linear') === 'linear', `a fused ${String(config.activation)} activation`);
  const dil = pair(config.dilationRate ?? 1, 'dilation', layer);
  need(layer, dil[0] === 1 && dil[1] === 1, 'dilated convolution');
  const depthwise = layer.getClassName() === 'DepthwiseConv2D';
  need(layer, !depthwise || Number(config.depthMultiplier ?? 1) === 1, 'a depth multiplier other than 1');
  const k = c.param(layer, depthwise ? 'depthwise_kernel' : 'kernel')!;
  const bias = config.useBias ? c.param(layer, 'bias') : null;
  const [kh, kw] = k.shape as [number, number, number, number];
  const strides = pair(config.strides, 'strides', layer);
  let p = pads(layer, config.padding, x!.shape, [kh, kw], strides);
  const outDims = outShape(layer, x!.shape);
  // A ZeroPadding2D's output read here: the Conv pads by itself (and its gradient skips the
  // Slice), rather than a single-threaded Pad: ~14 ms per ResNet-18 224 px step on 1 thread as on
  // 2 for conv1 and the strided convolutions (bench/ort-train-spike.ts, PROFILE=1). Only pads up
  // to k − 1, so the stride-1 input gradient's, k − 1 − p, stay ≥ 0; the unread Pad is pruned.
  const padOf = g.paddings.get(x!.name);
  if (padOf) {
    const sum = p.map((v, i) => v + padOf.pads[i]!);
    if (sum.every((v, i) => v <= (i % 2 ? kw : kh) - 1)) {
      p = sum;
      x = padOf.x;
    }
  }
  // The weight stays HWIO as TF.js holds it (the optimizer's layout); the graph transposes it.
  // Depthwise: HWC1 → [C, 1, kh, kw], ONNX's grouped convolution with group = C.
  const w = depthwise
    ? depthwiseOihw(g, k.input, kh, kw, k.shape[2]!, layer.name)
    : oihw(g, k.input, k.shape, layer.name);
  const name = g.op('Conv', [x!.name, w, ...(bias ? [bias.input] : [])], `${layer.name}.conv`, [
    attr.ints('kernel_shape', [kh, kw]),
    attr.ints('strides', strides),
    attr.ints('pads', p),
    attr.int('group', depthwise ? k.shape[2]! : 1),
  ]);
  const y: TValue = {
    name,
    layout: 'nchw',
    shape: outDims,
    grad: x!.grad || k.trainable || !!bias?.trainable,
  };
  const geometry: ConvGeometry = { x: onnxShape(x!), dy: onnxShape(y), kernel: [kh, kw], strides, pads: p };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy) return;
    const kernelGrad = depthwise ? depthwiseFilterGrad : filterGrad;
    if (k.trainable) c.paramGrad(k, kernelGrad(g, x!.name, dy, geometry, `${layer.name}.kernel.grad`));
    if (bias?.trainable) c.paramGrad(bias, reduceSum(g, dy, AXES_NHW, false, `${layer.name}.bias.grad`));
    if (x!.grad) g.addGrad(x!, inputGrad(g, dy, { hwio: k.input, oihw: w }, geometry, layer.name, depthwise));
  });
  return y;
};

/**
 * HWIO → OIHW as two single-axis moves ([kh·kw·Ci, Co] → [Co, kh·kw·Ci], then [Co, kh·kw, Ci] →
 * [Co, Ci, kh·kw]) rather than one Transpose with perm [3, 2, 0, 1], which onnxruntime's generic
 * N-D transpose ran single-threaded at 71 ms per ResNet-18 224 px step on 1 thread and 75 ms on 2
 * (11M weights). As Einsum, not Transpose: onnxruntime's transpose optimizer merges Transposes
 * across the Reshapes back into the one 4-D Transpose. 38 ms on 2 threads (bench/ort-train-spike.ts,
 * PROFILE=1).
 */
function oihw(g: TrainGraph, hwio: string, shape: readonly number[], name: string): string {
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  const t = kh * kw;
  const flat = reshape(g, hwio, [t * ci, co], `${name}.w_rows`);
  const oti = g.op('Einsum', [flat], `${name}.w_oti`, [attr.string('equation', 'ab->ba')]);
  const oit = g.op('Einsum', [reshape(g, oti, [co, t, ci], `${name}.w_oti3`)], `${name}.w_oit`, [
    attr.string('equation', 'abc->acb'),
  ]);
  return reshape(g, oit, [co, ci, kh, kw], `${name}.oihw`);
}

/** Depthwise HWC1 → [C, 1, kh, kw]: one 2-D transpose ([kh·kw, C] → [C, kh·kw]), an Einsum as in oihw. */
function depthwiseOihw(g: TrainGraph, hwc: string, kh: number, kw: number, c: number, name: string): string {
  const flat = reshape(g, hwc, [kh * kw, c], `${name}.w_rows`);
  const ct = g.op('Einsum', [flat], `${name}.w_ct`, [attr.string('equation', 'ab->ba')]);
  return reshape(g, ct, [c, 1, kh, kw], `${name}.oihw`);
}

/** A per-channel vector [C] as [1, C, 1, 1] to broadcast over NCHW. */
function perChannel(g: TrainGraph, v: string, channels: number, name: string): string {
  return reshape(g, v, [1, channels, 1, 1], name);
}

export const batchNorm: TrainRule = (c, layer, [x], config) => {
  const g = c.g;
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis];
  need(layer, axis.length === 1 && (axis[0] === -1 || axis[0] === 3), 'normalises an axis other than channels');
  need(layer, x!.layout === 'nchw', 'batch normalisation of a non-image tensor');
  const eps = Number(config.epsilon ?? 1e-3);
  const mean = c.param(layer, 'moving_mean')!;
  const C = mean.shape[0]!;
  const gamma = config.scale === false ? null : c.param(layer, 'gamma');
  const beta = config.center === false ? null : c.param(layer, 'beta');
  const gammaIn = gamma?.input ?? g.floats(`${layer.name}.ones`, [C], new Float32Array(C).fill(1));
  const betaIn = beta?.input ?? g.floats(`${layer.name}.zeros`, [C], new Float32Array(C));
  const epsilon = [attr.float('epsilon', eps)];
  const [N, H, W] = x!.shape as [number, number, number, number];
  if (!layer.trainable) {
    // Frozen: inference mode on the moving statistics (models/batch-norm.ts, Keras's rule).
    const variance = c.param(layer, 'moving_variance')!;
    const name = g.op(
      'BatchNormalization',
      [x!.name, gammaIn, betaIn, mean.input, variance.input],
      layer.name,
      epsilon,
    );
    const y: TValue = { ...x!, name };
    g.backward(() => {
      const dy = g.gradOf(y);
      if (!dy || !x!.grad) return;
      const inv = g.op(
        'Reciprocal',
        [
          g.op(
            'Sqrt',
            [g.op('Add', [variance.input, g.scalar(`${layer.name}.eps`, eps)], `${layer.name}.var_eps`)],
            `${layer.name}.std`,
          ),
        ],
        `${layer.name}.inv`,
      );
      const scale = perChannel(g, g.op('Mul', [gammaIn, inv], `${layer.name}.scale`), C, `${layer.name}.scale4`);
      g.addGrad(x!, g.op('Mul', [dy, scale], `${layer.name}.dx`));
    });
    return y;
  }
  // Training: normalise with the batch's mean and biased variance (tf.moments, which tfjs-layers'
  // normalizeBatchInTraining uses), two-pass as tf.moments computes it.
  const M = N * H * W;
  const mean4 = g.op('ReduceMean', [x!.name], `${layer.name}.mean`, [
    attr.ints('axes', AXES_NHW),
    attr.int('keepdims', 1),
  ]);
  const centred = g.op('Sub', [x!.name, mean4], `${layer.name}.centred`);
  const sq = g.op('ReduceSumSquare', [centred], `${layer.name}.sq`, [
    attr.ints('axes', AXES_NHW),
    attr.int('keepdims', 1),
  ]);
  const var4 = g.op('Mul', [sq, g.scalar(`${layer.name}.inv_m`, 1 / M)], `${layer.name}.var`);
  const mean1 = reshape(g, mean4, [C], `${layer.name}.batch_mean`);
  const var1 = reshape(g, var4, [C], `${layer.name}.batch_var`);
  c.batchStats(layer, mean1, var1, C);
  // x̂ is kept for the backward pass; y from x in one fused pass rather than from x̂.
  const ones = g.floats(`${layer.name}.unit`, [C], new Float32Array(C).fill(1));
  const zeros = g.floats(`${layer.name}.origin`, [C], new Float32Array(C));
  const xhat = g.op('BatchNormalization', [x!.name, ones, zeros, mean1, var1], `${layer.name}.xhat`, epsilon);
  const name = g.op('BatchNormalization', [x!.name, gammaIn, betaIn, mean1, var1], layer.name, epsilon);
  const y: TValue = { ...x!, name, grad: true };
  g.backward(() => {
    const dy = g.gradOf(y);
    if (!dy) return;
    // dβ = Σ dy, dγ = Σ dy·x̂ (over N, H, W); dx = γ/σ · (dy − dβ/M − x̂·dγ/M) (Ioffe & Szegedy 2015, §3).
    const dbeta = reduceSum(g, dy, AXES_NHW, true, `${layer.name}.dbeta`);
    const dgamma = reduceSum(
      g,
      g.op('Mul', [dy, xhat], `${layer.name}.dy_xhat`),
      AXES_NHW,
      true,
      `${layer.name}.dgamma`,
    );
    if (gamma?.trainable) c.paramGrad(gamma, reshape(g, dgamma, [C], `${layer.name}.gamma.grad`));
    if (beta?.trainable) c.paramGrad(beta, reshape(g, dbeta, [C], `${layer.name}.beta.grad`));
    if (!x!.grad) return;
    const invM = g.scalar(`${layer.name}.inv_m2`, 1 / M);
    const std = g.op(
      'Sqrt',
      [g.op('Add', [var4, g.scalar(`${layer.name}.eps`, eps)], `${layer.name}.var_eps`)],
      `${layer.name}.std`,
    );
    const scale = g.op('Div', [perChannel(g, gammaIn, C, `${layer.name}.gamma4`), std], `${layer.name}.scale`);
    const a = g.op('Mul', [xhat, g.op('Mul', [dgamma, invM], `${layer.name}.dgamma_m`)], `${layer.name}.xhat_dgamma`);
    const b = g.op(
      'Sub',
      [g.op('Sub', [dy, a], `${layer.name}.dy_a`), g.op('Mul', [dbeta, invM], `${layer.name}.dbeta_m`)],
      `${layer.name}.dy_ab`,
    );
    g.addGrad(x!, g.op('Mul', [b, scale], `${layer.name}.dx`));
  });
  return y;
};
