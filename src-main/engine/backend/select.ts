// Picks the backend for a workload: the fastest available one that can do it, unless the user
// named one (--backend, or the config's "backend"), which is honoured or refused with the reason.
import { BACKEND_NAMES, type BackendInfo, type BackendName, type Workload } from './types.js';
import { InputError, type InputErrorOptions } from '../errors.js';

export class BackendError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'BackendError';
  }
}

/**
 * Speed order. A real GPU first; then, on CPU-only machines, wasm (XNNPACK, with Anneal's conv
 * backprop kernels from backend/kernels: ResNet-18 at 64 px trains at ~20 img/s on one core here)
 * for everything, WebGPU on a software rasteriser (~1.5 img/s), and the plain-JS cpu backend last
 * (0.07 img/s). A wasm build without those kernels cannot train convolutions and is skipped for
 * full training by canRun. See docs/benchmarks.md.
 */
function rank(b: BackendInfo): number {
  if (b.name === 'tensorflow') return 0;
  if (b.name === 'webgpu' && !b.software) return 1;
  if (b.name === 'wasm') return 2;
  if (b.name === 'webgpu') return 3;
  return 4;
}

export function canRun(b: BackendInfo, workload: Workload): boolean {
  return b.available && (workload !== 'full' || b.canTrainConvolutions);
}

export function selectBackend(backends: readonly BackendInfo[], workload: Workload, requested?: string): BackendInfo {
  if (requested !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
      throw new BackendError(`unknown backend "${requested}" (expected one of ${BACKEND_NAMES.join(', ')})`);
    }
    const b = backends.find((x) => x.name === requested);
    if (!b || !b.available)
      throw new BackendError(`backend ${requested} is not available: ${b?.reason ?? 'not probed'}`);
    if (!canRun(b, workload)) throw new BackendError(`backend ${requested} cannot train convolutions: ${b.reason}`);
    return b;
  }
  const usable = backends.filter((b) => canRun(b, workload)).sort((a, b) => rank(a) - rank(b));
  if (!usable[0]) throw new BackendError('no TF.js backend can run here');
  return usable[0];
}

export type { BackendName };
