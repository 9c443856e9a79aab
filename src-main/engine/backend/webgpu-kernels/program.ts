// The smallest WebGPU program tfjs-backend-webgpu will run: WGSL with every shape baked in as a
// constant (so the shader key must name them), one output buffer, inputs bound by name. The
// backend adds the bindings, the `result` array and `_start`, which calls `main()` for a 2-D/3-D
// dispatch or `main(index)` for a flat one (webgpu_program.ts makeShader, tfjs 4.22).
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The part of WebGPUBackend (backend_webgpu.ts) these kernels use. */
export interface GpuBackend {
  runWebGPUProgram(
    program: GpuProgram,
    inputs: TensorInfo[],
    dtype: 'float32',
    uniforms?: { type: 'int32' | 'uint32' | 'float32'; data: number[] }[],
  ): TensorInfo;
  disposeData(dataId: object): boolean;
}

export interface GpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Extra fields of the backend's Uniforms struct (WGSL), for values that change per call. */
  uniforms?: string;
  getUserCode: () => string;
}

// The backend always binds its uniform buffer (NaN, shapes); a shader that never reads it gets
// an 'auto' pipeline layout without that binding, and the bind group no longer matches.
const USES_UNIFORMS = 'keeps the uniforms binding in the pipeline layout';

/** Workgroups per dimension that every WebGPU device supports (maxComputeWorkgroupsPerDimension). */
const MAX_GROUPS = 65535;

/**
 * A program whose workgroups are numbered 0…groups-1 along x and y (for more than 65,535) and
 * `layers` along z. The WGSL sees `groupIndex()` and `layer()`; when groups does not divide the
 * grid the spare workgroups run with `groupIndex() >= groups` and must write nothing.
 */
export function gridProgram(
  key: string,
  inputs: string[],
  outputShape: number[],
  groups: number,
  layers: number,
  threads: number,
  body: string,
): GpuProgram {
  const rows = Math.ceil(groups / MAX_GROUPS);
  const cols = Math.ceil(groups / rows);
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `anneal_${key}`,
    // Non-flat layout: makeShader then calls main() and adds no index arithmetic of its own.
    dispatchLayout: { x: [0], y: [1] },
    dispatch: [cols, rows, layers],
    workgroupSize: [threads, 1, 1],
    getUserCode: () => `
      fn groupIndex() -> i32 {
        _ = uniforms.NAN; // ${USES_UNIFORMS}
        return i32(workgroupId.x + workgroupId.y * numWorkgroups.x);
      }
      fn layer() -> i32 { return i32(workgroupId.z); }
      fn lane() -> i32 { return i32(localIndex); }
      ${body}`,
  };
}

/** One thread per output element: `main(index)` with the flat index (the backend folds big grids). */
export function flatProgram(key: string, inputs: string[], outputShape: number[], body: string): GpuProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `anneal_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    getUserCode: () => `
      fn main(index : i32) {
        _ = uniforms.NAN; // ${USES_UNIFORMS}
        if (index >= ${size}) { return; }
        ${body}
      }`,
  };
}

/** Runs a program and frees the intermediate inputs once the backend is done with them. */
export function run(
  backend: GpuBackend,
  program: GpuProgram,
  inputs: TensorInfo[],
  temps: TensorInfo[] = [],
): TensorInfo {
  const out = backend.runWebGPUProgram(program, inputs, 'float32');
  for (const t of temps) backend.disposeData(t.dataId);
  return out;
}

/** WGSL integer literal list for shader keys: shapes and attributes that the code bakes in. */
export function keyOf(...parts: (number | string | boolean)[]): string {
  return parts.join('_');
}
