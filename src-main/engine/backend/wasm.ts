// The wasm backend's start: the threaded XNNPACK build on the planned thread count (wasm-threads.ts),
// the single-threaded build where that cannot start, and the bounded backprop (gradients.ts).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { installBoundedBackprop } from './gradients.js';
import { resolveThreads, threadPlan, type ThreadPlan } from './threads.js';
import {
  pthreadWorkerProblem,
  registerWasmBackend,
  threadedWasmFailure,
  threadedWasmUnavailable,
  wasmThreadsInUse,
} from './wasm-threads.js';

/** Folder holding tfjs-backend-wasm's .wasm binaries (loaded from disk, never fetched). */
export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** The wasm backend's thread count once started, and why (for `anneal doctor` and the Train screen). */
export interface WasmThreads {
  count: number;
  why: string;
}

let started: WasmThreads | null = null;

export function wasmThreads(): WasmThreads | null {
  return started;
}

/**
 * Registers and starts the wasm backend on threadPlan()'s thread count (the threaded build for 2 or
 * more); where the threaded build cannot start, the single-threaded one, saying why. Leaves the
 * active backend as it was. Throws only when neither build starts.
 */
export async function startWasm(plan: ThreadPlan = threadPlan()): Promise<WasmThreads> {
  if (started && tf.findBackend('wasm')) return started;
  // A training step on the CPU must fit a laptop's memory (docs/benchmarks.md, Memory).
  installBoundedBackprop();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmDir());
  const blocked = plan.count > 1 ? (threadedWasmUnavailable() ?? (await pthreadWorkerProblem())) : null;
  const previous = tf.getBackend();
  const restore = async () => {
    if (previous && previous !== 'wasm' && tf.findBackend(previous)) await tf.setBackend(previous);
  };
  await registerWasmBackend(blocked ? 1 : plan.count);
  // tfjs reports a factory that throws as setBackend() → false (with a console warning).
  const start = () => tf.setBackend('wasm').catch(() => false);
  let ok = await start();
  let why = blocked ? `1 thread: ${blocked}` : plan.why;
  if (!ok && plan.count > 1 && !blocked) {
    const failure = threadedWasmFailure();
    await registerWasmBackend(1);
    why = `1 thread: the threaded build failed to start${failure ? ` (${failure})` : ''}`;
    ok = await start();
  }
  await restore();
  if (!ok) throw new Error('wasm failed to initialise');
  started = { count: wasmThreadsInUse(), why };
  return started;
}

/**
 * Restarts the wasm backend on another thread count (tests and benchmarks compare counts in one
 * process). The running backend is replaced, and every tensor on it is gone afterwards.
 */
export async function restartWasm(threads: number): Promise<WasmThreads> {
  started = null;
  return startWasm(resolveThreads({ flag: threads }));
}
