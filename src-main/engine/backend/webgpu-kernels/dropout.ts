// Dropout with its mask drawn on the GPU. tfjs's dropout draws the mask with randomUniform, which
// tfjs-core computes in JavaScript and uploads every step. Here each element's keep/drop comes from
// a hash of (seed, index) — PCG's output function as a hash (Jarzynski & Olano, "Hash Functions
// for GPU Rendering", JCGT 2020) — so the mask is never stored: the gradient recomputes it from the
// same seed (dx = dy · mask / (1 − rate), as tf.dropout's gradient through its multiply).
// The seed is a uniform, so one pipeline serves every step.
import {
  customGrad,
  engine,
  getBackend,
  getKernel,
  type GradSaveFunc,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { flatProgram, keyOf, type GpuBackend } from './program.js';

export const DROPOUT = 'AnnealDropout';

function dropoutGpu(backend: GpuBackend, x: TensorInfo, rate: number, seed: number): TensorInfo {
  const keep = 1 - rate;
  const program = flatProgram(
    keyOf('dropout', x.shape.join('x'), rate),
    ['x'],
    x.shape,
    `
        var h = u32(index) * 747796405u + uniforms.seed * 2891336453u + 2891336453u;
        h = ((h >> ((h >> 28u) + 4u)) ^ h) * 277803737u;
        h = (h >> 22u) ^ h;
        // 24 high bits → [0, 1): exact in f32.
        let u = f32(h >> 8u) * ${1 / 2 ** 24};
        result[index] = select(0.0, x[index] * ${1 / keep}, u < ${keep});`,
  );
  program.uniforms = 'seed : u32,';
  return backend.runWebGPUProgram(program, [x], 'float32', [{ type: 'uint32', data: [seed >>> 0] }]);
}

export function webgpuDropoutKernels(): KernelConfig[] {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const a = attrs as NamedAttrMap;
    return dropoutGpu(
      backend as unknown as GpuBackend,
      (inputs as { x: TensorInfo }).x,
      Number(a.rate),
      Number(a.seed),
    );
  };
  return [{ kernelName: DROPOUT, backendName: 'webgpu', kernelFunc }];
}

export function deviceDropoutAvailable(): boolean {
  return getKernel(DROPOUT, getBackend()) !== undefined;
}

let calls = 0;

/**
 * Inverted dropout of x at `rate`, mask drawn on the device; `seed` fixes it (else a fresh one per
 * call). Gradients flow to x through the same mask.
 */
export function deviceDropout(x: Tensor, rate: number, seed?: number): Tensor {
  const s = seed ?? (Math.floor(Math.random() * 2 ** 31) + calls++) >>> 0;
  const attrs = { rate, seed: s } as unknown as NamedAttrMap;
  const e = engine();
  const op = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const xi = args[0] as Tensor;
    return {
      value: e.runKernel(DROPOUT, { x: xi }, attrs) as Tensor,
      gradFunc: (dy: Tensor) => e.runKernel(DROPOUT, { x: dy }, attrs) as Tensor,
    };
  });
  return op(x);
}
