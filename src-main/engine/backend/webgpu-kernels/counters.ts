// Counts what the webgpu backend asks of the GPU: compute dispatches (one per program run),
// queue submits, and readbacks (a buffer mapped for reading: each one waits for every queued
// command, so inside a training step it is a pipeline stall). On a fast GPU a step's time is
// bounded below by dispatches × launch overhead plus readbacks × round trip; docs/benchmarks.md
// records them per ResNet-18 step. Wraps the backend instance's methods until stop().
import * as tf from '@tensorflow/tfjs-core';

export interface GpuWorkCounts {
  dispatches: number;
  submits: number;
  readbacks: number;
  /** Dispatches per program (tfjs's program class, or anneal_<kernel> for Anneal's). */
  byProgram: Record<string, number>;
}

interface CountedBackend {
  recordAndSubmit(...args: unknown[]): unknown;
  submitQueue(...args: unknown[]): unknown;
  getBufferData(...args: unknown[]): unknown;
}

const METHODS = { recordAndSubmit: 'dispatches', submitQueue: 'submits', getBufferData: 'readbacks' } as const;

/** Starts counting on the active webgpu backend. */
export function countGpuWork(): { counts: GpuWorkCounts; stop: () => void } {
  if (tf.getBackend() !== 'webgpu') throw new Error('countGpuWork: the active backend is not webgpu');
  const backend = tf.backend() as unknown as CountedBackend;
  const counts: GpuWorkCounts = { dispatches: 0, submits: 0, readbacks: 0, byProgram: {} };
  const originals: [keyof CountedBackend, CountedBackend[keyof CountedBackend]][] = [];
  for (const [method, field] of Object.entries(METHODS) as [keyof CountedBackend, keyof GpuWorkCounts][]) {
    const original = backend[method];
    originals.push([method, original]);
    backend[method] = function (this: unknown, ...args: unknown[]) {
      (counts[field] as number)++;
      if (method === 'recordAndSubmit') {
        const p = args[0] as { shaderKey?: string; constructor: { name: string } };
        const name = p.shaderKey?.startsWith('anneal_')
          ? p.shaderKey.split('_').slice(0, 2).join('_')
          : p.constructor.name;
        counts.byProgram[name] = (counts.byProgram[name] ?? 0) + 1;
      }
      return original.apply(this, args);
    };
  }
  return {
    counts,
    stop: () => {
      for (const [method, original] of originals) backend[method] = original;
    },
  };
}
