// Batch normalisation while training, fused for the GPU. tfjs-layers computes it as tf.moments
// then tf.batchNorm, and the gradient of that composition is ~20 element-wise and reduction
// dispatches plus a full-size Tile per layer (FusedBatchNorm_grad.ts, moments' gradients). Here:
//   forward:  statistics (per-slice Welford sums, merged by Chan et al.'s pairwise formula, as
//             torch's batch_norm_collect_statistics does), then y = (x − μ)·γ/√(σ²+ε) + β;
//   backward: Σdy and Σdy·x̂ per channel, then dx = γ/(σ·N) · (N·dy − Σdy − x̂·Σdy·x̂)
//             (Ioffe & Szegedy 2015, §3; the same closed form as torch's batch_norm_backward),
//             dγ = Σdy·x̂, dβ = Σdy.
// σ² is the biased variance, as tfjs-layers' moments gives (and the moving variance it updates).
// Kernels take x as [rows, C] (NHWC flattened): channel c of row r is x[r·C + c].
import {
  customGrad,
  unstack,
  engine,
  getBackend,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type GradSaveFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { flatProgram, gridProgram, keyOf, run, type GpuBackend } from './program.js';
import { sumSlicesProgram } from './gemm.js';

export const BN_STATS = 'AnnealBatchNormStats';
export const BN_APPLY = 'AnnealBatchNormApply';
export const BN_PARAM_GRAD = 'AnnealBatchNormParamGrad';
export const BN_INPUT_GRAD = 'AnnealBatchNormInputGrad';
export const BN_MOVING = 'AnnealBatchNormMoving';

const CH = 32;
const LANES = 8;
const TARGET_GROUPS = 512;
const MIN_ROWS_PER_SLICE = 256;

interface Split {
  slices: number;
  perSlice: number;
  blocks: number;
}

function split(rows: number, C: number): Split {
  const blocks = Math.ceil(C / CH);
  const want = Math.ceil(TARGET_GROUPS / blocks);
  const s0 = Math.max(1, Math.min(want, Math.floor(rows / MIN_ROWS_PER_SLICE)));
  const perSlice = Math.ceil(rows / s0 / LANES) * LANES;
  return { slices: Math.ceil(rows / perSlice), perSlice, blocks };
}

/** The common frame: lane (c, row lane) of slice `layer()` walks its rows; `fold` combines lanes. */
function columnProgram(
  key: string,
  inputs: string[],
  outputShape: number[],
  rows: number,
  C: number,
  sp: Split,
  o: { locals: string; perRow: string; shared: string[]; merge: string; write: string },
) {
  const body = `
    ${o.shared.map((n) => `var<workgroup> ${n} : array<f32, ${CH * LANES}>;`).join('\n')}
    fn main() {
      let c = (groupIndex() % ${sp.blocks}) * ${CH} + lane() % ${CH};
      let rl = lane() / ${CH};
      let start = layer() * ${sp.perSlice};
      let end = min(start + ${sp.perSlice}, ${rows});
      ${o.locals}
      if (c < ${C}) {
        for (var r = start + rl; r < end; r += ${LANES}) {
          let i = r * ${C} + c;
          ${o.perRow}
        }
      }
      ${o.shared.map((n) => `${n}[lane()] = ${n}_v;`).join('\n')}
      workgroupBarrier();
      if (rl == 0 && c < ${C}) {
        ${o.merge}
        ${o.write}
      }
    }`;
  return gridProgram(key, inputs, outputShape, sp.blocks, sp.slices, CH * LANES, body);
}

/** [2, C]: per-channel mean and biased variance of x over every axis but the last. */
export function batchNormStatsGpu(backend: GpuBackend, x: TensorInfo): TensorInfo {
  const C = x.shape[x.shape.length - 1]!;
  const rows = x.shape.reduce((a, b) => a * b, 1) / C;
  const sp = split(rows, C);
  // Welford per lane (count n, mean, M2 = Σ(x − mean)²), then Chan's merge of the 8 lanes.
  const first = columnProgram(
    keyOf('bnstats', rows, C, sp.slices, sp.perSlice),
    ['x'],
    sp.slices > 1 ? [sp.slices, 3, C] : [2, C],
    rows,
    C,
    sp,
    {
      locals: 'var n_v = 0.0; var mean_v = 0.0; var m2_v = 0.0;',
      perRow: `let v = x[i]; n_v += 1.0; let d = v - mean_v; mean_v += d / n_v; m2_v += d * (v - mean_v);`,
      shared: ['n', 'mean', 'm2'],
      merge: `
        var na = n[lane()]; var ma = mean[lane()]; var qa = m2[lane()];
        for (var l = 1; l < ${LANES}; l++) {
          let j = l * ${CH} + lane();
          let nb = n[j];
          if (nb == 0.0) { continue; }
          let nn = na + nb; let d = mean[j] - ma;
          ma += d * nb / nn; qa += m2[j] + d * d * na * nb / nn; na = nn;
        }`,
      write:
        sp.slices > 1
          ? `let base = layer() * ${3 * C}; result[base + c] = na; result[base + ${C} + c] = ma; result[base + ${2 * C} + c] = qa;`
          : `result[c] = ma; result[${C} + c] = qa / na;`,
    },
  );
  const part = run(backend, first, [x]);
  if (sp.slices === 1) return part;
  const merge = flatProgram(
    keyOf('bnstatsmerge', sp.slices, C),
    ['part'],
    [2, C],
    `
        let c = index % ${C};
        if (index >= ${C}) { return; }
        var na = 0.0; var ma = 0.0; var qa = 0.0;
        for (var s = 0; s < ${sp.slices}; s++) {
          let nb = part[s * ${3 * C} + c];
          if (nb == 0.0) { continue; }
          let nn = na + nb; let d = part[s * ${3 * C} + ${C} + c] - ma;
          ma += d * nb / nn; qa += part[s * ${3 * C} + ${2 * C} + c] + d * d * na * nb / nn; na = nn;
        }
        result[c] = ma;
        result[${C} + c] = qa / na;`,
  );
  // The merge writes both rows from the first C threads; the other C threads have nothing to do.
  return run(backend, merge, [part], [part]);
}

function applyGpu(
  backend: GpuBackend,
  x: TensorInfo,
  stats: TensorInfo,
  gamma: TensorInfo,
  beta: TensorInfo,
  eps: number,
) {
  const C = x.shape[x.shape.length - 1]!;
  const program = flatProgram(
    keyOf('bnapply', x.shape.join('x'), eps),
    ['x', 'stats', 'gamma', 'beta'],
    x.shape,
    `
        let c = index % ${C};
        let inv = inverseSqrt(stats[${C} + c] + ${f32(eps)});
        result[index] = (x[index] - stats[c]) * inv * gamma[c] + beta[c];`,
  );
  return run(backend, program, [x, stats, gamma, beta]);
}

/** [2, C]: dγ = Σ dy·x̂ and dβ = Σ dy per channel. */
function paramGradGpu(backend: GpuBackend, dy: TensorInfo, x: TensorInfo, stats: TensorInfo, eps: number) {
  const C = x.shape[x.shape.length - 1]!;
  const rows = x.shape.reduce((a, b) => a * b, 1) / C;
  const sp = split(rows, C);
  const program = columnProgram(
    keyOf('bnparamgrad', rows, C, sp.slices, sp.perSlice, eps),
    ['dy', 'x', 'stats'],
    sp.slices > 1 ? [sp.slices, 2, C] : [2, C],
    rows,
    C,
    sp,
    {
      locals: `var g_v = 0.0; var b_v = 0.0;
      let mu = stats[min(c, ${C - 1})];
      let inv = inverseSqrt(stats[${C} + min(c, ${C - 1})] + ${f32(eps)});`,
      perRow: `let d = dy[i]; b_v += d; g_v = fma(d, (x[i] - mu) * inv, g_v);`,
      shared: ['g', 'b'],
      merge: `
        var sg = 0.0; var sb = 0.0;
        for (var l = 0; l < ${LANES}; l++) { sg += g[l * ${CH} + lane()]; sb += b[l * ${CH} + lane()]; }`,
      write: `let base = layer() * ${2 * C}; result[base + c] = sg; result[base + ${C} + c] = sb;`,
    },
  );
  const part = run(backend, program, [dy, x, stats]);
  if (sp.slices === 1) return part;
  return run(backend, sumSlicesProgram(sp.slices, [2, C]), [part], [part]);
}

function inputGradGpu(
  backend: GpuBackend,
  dy: TensorInfo,
  x: TensorInfo,
  stats: TensorInfo,
  gamma: TensorInfo,
  pg: TensorInfo,
  eps: number,
) {
  const C = x.shape[x.shape.length - 1]!;
  const rows = x.shape.reduce((a, b) => a * b, 1) / C;
  const program = flatProgram(
    keyOf('bninputgrad', x.shape.join('x'), eps),
    ['dy', 'x', 'stats', 'gamma', 'pg'],
    x.shape,
    `
        let c = index % ${C};
        let inv = inverseSqrt(stats[${C} + c] + ${f32(eps)});
        let xhat = (x[index] - stats[c]) * inv;
        result[index] = gamma[c] * inv * (dy[index] - (pg[${C} + c] + xhat * pg[c]) / ${f32(rows)});`,
  );
  return run(backend, program, [dy, x, stats, gamma, pg]);
}

/**
 * A moving statistic's new value, moving − (moving − batch)·(1 − momentum) as tfjs-layers updates
 * it, with `batch` row `row` of the [2, C] statistics: one dispatch instead of a slice and three
 * element-wise ops.
 */
function movingGpu(backend: GpuBackend, moving: TensorInfo, stats: TensorInfo, row: number, momentum: number) {
  const C = moving.shape[0]!;
  const program = flatProgram(
    keyOf('bnmoving', C, row, momentum),
    ['moving', 'stats'],
    [C],
    `
        let old = moving[index];
        result[index] = old - (old - stats[${row * C} + index]) * ${f32(1 - momentum)};`,
  );
  return run(backend, program, [moving, stats]);
}

/** A WGSL f32 literal. */
function f32(v: number): string {
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function kernel(
  name: string,
  f: (b: GpuBackend, i: Record<string, TensorInfo>, eps: number, a: NamedAttrMap) => TensorInfo,
): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) =>
    f(
      backend as unknown as GpuBackend,
      inputs as Record<string, TensorInfo>,
      Number((attrs as NamedAttrMap)?.epsilon ?? 0),
      (attrs ?? {}) as NamedAttrMap,
    );
  return { kernelName: name, backendName: 'webgpu', kernelFunc };
}

export function webgpuBatchNormKernels(): KernelConfig[] {
  return [
    kernel(BN_STATS, (b, i) => batchNormStatsGpu(b, i.x!)),
    kernel(BN_APPLY, (b, i, eps) => applyGpu(b, i.x!, i.stats!, i.gamma!, i.beta!, eps)),
    kernel(BN_PARAM_GRAD, (b, i, eps) => paramGradGpu(b, i.dy!, i.x!, i.stats!, eps)),
    kernel(BN_INPUT_GRAD, (b, i, eps) => inputGradGpu(b, i.dy!, i.x!, i.stats!, i.gamma!, i.pg!, eps)),
    kernel(BN_MOVING, (b, i, _eps, a) => movingGpu(b, i.moving!, i.stats!, Number(a.row), Number(a.momentum))),
  ];
}

/** Whether the active backend has the fused kernels (only webgpu, once registered). */
export function fusedBatchNormAvailable(): boolean {
  return getKernel(BN_STATS, getBackend()) !== undefined;
}

/**
 * Training-mode batch norm over the last axis with the fused kernels: y, and the [2, C] batch
 * mean and variance (for movingAverages). Gradients flow to x, γ and β.
 */
export function batchNormTraining(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  epsilon: number,
): { y: Tensor; stats: Tensor } {
  const e = engine();
  const stats = e.runKernel(BN_STATS, { x }) as Tensor;
  const attrs = { epsilon } as unknown as NamedAttrMap;
  const op = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [Tensor, Tensor, Tensor, GradSaveFunc];
    save([xi, g, stats]);
    const y = e.runKernel(BN_APPLY, { x: xi, stats, gamma: g, beta: b }, attrs) as Tensor;
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, gs, st] = saved as [Tensor, Tensor, Tensor];
        const pg = e.runKernel(BN_PARAM_GRAD, { dy, x: xs, stats: st }, attrs) as Tensor;
        const dx = e.runKernel(BN_INPUT_GRAD, { dy, x: xs, stats: st, gamma: gs, pg }, attrs) as Tensor;
        const [dgamma, dbeta] = unstack(pg) as [Tensor, Tensor];
        pg.dispose();
        return [dx, dgamma, dbeta];
      },
    };
  });
  return { y: op(x, gamma, beta), stats };
}

/** The moving mean and variance after one batch's [2, C] statistics (tfjs-layers' update rule). */
export function movingAverages(mean: Tensor, variance: Tensor, stats: Tensor, momentum: number): [Tensor, Tensor] {
  const e = engine();
  const at = (row: number) => ({ row, momentum }) as unknown as NamedAttrMap;
  return [
    e.runKernel(BN_MOVING, { moving: mean, stats }, at(0)) as Tensor,
    e.runKernel(BN_MOVING, { moving: variance, stats }, at(1)) as Tensor,
  ];
}
