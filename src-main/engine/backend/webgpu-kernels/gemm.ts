// A tiled GEMM in WGSL whose operands are never materialised: C[M,N] = Σ_k A(m,k)·B(k,n), with
// A and B read through index functions (implicit GEMM: im2col and its transpose become address
// arithmetic). Each workgroup computes a TM×TN tile, staging TK-deep slices of A and B in
// workgroup memory, 4×4 outputs per thread (the classic register-blocked SGEMM; see e.g. the
// CUTLASS "efficient GEMM" notes or tfjs's matmul_packed_webgpu.ts). Split-K: when M·N has too
// few tiles to fill a GPU (a weight gradient: M = taps·Cin, N = Cout, K = batch·pixels, often
// 100k+), K is cut into S slices computed by separate workgroups into an [S, M, N] buffer, and a
// second dispatch sums the slices (no float atomics in WGSL).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { flatProgram, gridProgram, keyOf, run, type GpuBackend } from './program.js';

export interface ImplicitGemm {
  /** Shader key fragment naming everything the loaders bake in. */
  key: string;
  M: number;
  N: number;
  K: number;
  inputs: string[];
  /** WGSL body of `fn loadA(m : i32, k : i32) -> f32` (m < M and k < K are already checked). */
  loadA: string;
  /** WGSL body of `fn loadB(k : i32, n : i32) -> f32`. */
  loadB: string;
  /** Which index of A (and of B) is contiguous in memory: consecutive threads load along it. */
  aContiguous: 'm' | 'k';
  bContiguous: 'k' | 'n';
  outputShape: number[];
}

const TK = 16;
/** Enough workgroups to keep a large GPU busy (H100/H200: 132 SMs, several workgroups each). */
const TARGET_GROUPS = 512;
/** Below this many K per slice, splitting costs more in the extra pass than it gains. */
const MIN_K_PER_SLICE = 512;

export interface GemmPlan {
  tm: number;
  tn: number;
  slices: number;
  kPerSlice: number;
}

/** Tile sizes and the split-K factor for a problem size. */
export function planGemm(M: number, N: number, K: number): GemmPlan {
  const tm = M >= 64 ? 64 : 32;
  const tn = N >= 64 ? 64 : 32;
  const tiles = Math.ceil(M / tm) * Math.ceil(N / tn);
  const want = Math.ceil(TARGET_GROUPS / tiles);
  const most = Math.max(1, Math.floor(K / MIN_K_PER_SLICE));
  const s = Math.max(1, Math.min(want, most));
  const kPerSlice = Math.ceil(K / s / TK) * TK;
  return { tm, tn, slices: Math.ceil(K / kPerSlice), kPerSlice };
}

function tileLoad(
  name: 'As' | 'Bs',
  outer: number,
  contiguousInner: boolean,
  threads: number,
  call: (o: string, k: string) => string,
): string {
  // The tile is [TK][outer]; element e goes to (kk, oo) so that consecutive lanes read consecutive
  // addresses of the operand in global memory.
  const count = (TK * outer) / threads;
  const split = contiguousInner
    ? `let kk = e % ${TK}; let oo = e / ${TK};`
    : `let oo = e % ${outer}; let kk = e / ${outer};`;
  return `
    for (var r = 0; r < ${count}; r++) {
      let e = lane() + r * ${threads};
      ${split}
      ${name}[kk * ${outer} + oo] = ${call('oo', 'kk')};
    }`;
}

function gemmProgram(g: ImplicitGemm, p: GemmPlan) {
  const { tm, tn, slices, kPerSlice } = p;
  const tx = tn / 4;
  const threads = (tm / 4) * tx;
  const tilesN = Math.ceil(g.N / tn);
  const groups = Math.ceil(g.M / tm) * tilesN;
  const out = slices > 1 ? [slices, g.M, g.N] : g.outputShape;
  const body = `
    var<workgroup> As : array<f32, ${TK * tm}>;
    var<workgroup> Bs : array<f32, ${TK * tn}>;
    fn loadA(m : i32, k : i32) -> f32 { ${g.loadA} }
    fn loadB(k : i32, n : i32) -> f32 { ${g.loadB} }
    fn readA(m : i32, k : i32, kEnd : i32) -> f32 {
      if (m >= ${g.M} || k >= kEnd) { return 0.0; }
      return loadA(m, k);
    }
    fn readB(k : i32, n : i32, kEnd : i32) -> f32 {
      if (n >= ${g.N} || k >= kEnd) { return 0.0; }
      return loadB(k, n);
    }
    fn main() {
      let g = groupIndex();
      let m0 = (g / ${tilesN}) * ${tm};
      let n0 = (g % ${tilesN}) * ${tn};
      let kStart = layer() * ${kPerSlice};
      let kEnd = min(kStart + ${kPerSlice}, ${g.K});
      let ty = lane() / ${tx};
      let tx = lane() % ${tx};
      var acc : array<array<f32, 4>, 4>;
      // A constant trip count keeps the barriers in uniform control flow (WGSL uniformity rules);
      // the last slice's tail and the spare workgroups read zeros.
      for (var t = 0; t < ${kPerSlice / TK}; t++) {
        let k0 = kStart + t * ${TK};
        ${tileLoad('As', tm, g.aContiguous === 'k', threads, (o, k) => `readA(m0 + ${o}, k0 + ${k}, kEnd)`)}
        ${tileLoad('Bs', tn, g.bContiguous === 'k', threads, (o, k) => `readB(k0 + ${k}, n0 + ${o}, kEnd)`)}
        workgroupBarrier();
        for (var kk = 0; kk < ${TK}; kk++) {
          var a : array<f32, 4>;
          var b : array<f32, 4>;
          for (var i = 0; i < 4; i++) {
            a[i] = As[kk * ${tm} + ty * 4 + i];
            b[i] = Bs[kk * ${tn} + tx * 4 + i];
          }
          for (var i = 0; i < 4; i++) {
            for (var j = 0; j < 4; j++) { acc[i][j] = fma(a[i], b[j], acc[i][j]); }
          }
        }
        workgroupBarrier();
      }
      if (g >= ${groups}) { return; }
      for (var i = 0; i < 4; i++) {
        let m = m0 + ty * 4 + i;
        if (m >= ${g.M}) { continue; }
        for (var j = 0; j < 4; j++) {
          let n = n0 + tx * 4 + j;
          if (n < ${g.N}) { result[(layer() * ${g.M} + m) * ${g.N} + n] = acc[i][j]; }
        }
      }
    }`;
  return gridProgram(keyOf('gemm', g.key, tm, tn, slices, kPerSlice), g.inputs, out, groups, slices, threads, body);
}

/** Sums an [S, …] buffer over its first axis into `outputShape`. */
export function sumSlicesProgram(slices: number, outputShape: number[]) {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return flatProgram(
    keyOf('sumslices', slices, size),
    ['partial'],
    outputShape,
    `var s = 0.0;
        for (var i = 0; i < ${slices}; i++) { s += partial[i * ${size} + index]; }
        result[index] = s;`,
  );
}

/** Runs an implicit GEMM: one dispatch, or two with split-K. */
export function runGemm(backend: GpuBackend, g: ImplicitGemm, inputs: TensorInfo[], plan = planGemm(g.M, g.N, g.K)) {
  const first = run(backend, gemmProgram(g, plan), inputs);
  if (plan.slices === 1) return first;
  return run(backend, sumSlicesProgram(plan.slices, g.outputShape), [first], [first]);
}
