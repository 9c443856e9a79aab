import * as tf from '@tensorflow/tfjs-core';
import { detectBackend, detectBackends, initBackend } from './detect.js';
import { BackendError, selectBackend } from './select.js';
import { BACKEND_NAMES, type BackendInfo, type BackendName, type Workload } from './types.js';

let named = false;

/** The user named the backend (--backend, a config's "backend"): forward-only work stays on it too. */
export function backendWasNamed(): boolean {
  return named;
}

/** Selects and activates the backend for a workload; returns what is now in use. */
export async function useBackend(workload: Workload, requested?: string): Promise<BackendInfo> {
  named = requested !== undefined;
  // A named backend is the only one probed: no need to start (and hear from) the others.
  const known = requested !== undefined && (BACKEND_NAMES as readonly string[]).includes(requested);
  const candidates = known ? [await detectBackend(requested as BackendName)] : await detectBackends();
  const chosen = selectBackend(candidates, workload, requested);
  const init = await initBackend(chosen.name);
  if (!init.ok || !(await tf.setBackend(chosen.name))) {
    throw new BackendError(`backend ${chosen.name} failed to start: ${init.error ?? 'unknown error'}`);
  }
  await tf.ready();
  return chosen;
}
