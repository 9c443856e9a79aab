// tfjs-backend-wasm's threaded XNNPACK build, started under Node (and Electron's Node mode, the same
// code path). tfjs turns it off there (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE,
// tensorflow/tfjs#3830) because its pthread workers come from blob: URLs, which Node's Worker
// refuses. Here the Emscripten factory from wasm-out/ gets what Node needs instead:
// - locateFile → pthread-worker.cjs, a file path, for each pthread worker;
// - mainScriptUrlOrBlob → the factory's own file, which each worker imports by path;
// - instantiateWasm → the binary read from disk, with emscripten_num_logical_cores answering
//   2 × threads: backend.cc sizes and caps its pool at logical cores ÷ 2 (it assumes two
//   hyper-threads per core), so a 2-core machine would otherwise get a pool of one.
// Then the backend is tfjs's own BackendWasm over that module, so every wasm kernel (and Anneal's)
// runs unchanged; XNNPACK splits each GEMM/convolution over the pool.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

/** What tfjs's own init() adds to the Emscripten module (tfjs-backend-wasm/src/backend_wasm.ts). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, (...a: number[]) => number>;
  PThread: {
    runningWorkers: { unref(): void }[];
    unusedWorkers: { unref(): void }[];
    terminateAllThreads(): void;
  };
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

function wasmOut(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/** The pthread worker entry, next to this file in the source tree (absent from esbuild bundles). */
export function pthreadWorkerPath(): string {
  return fileURLToPath(new URL('./pthread-worker.cjs', import.meta.url));
}

/** Why the threaded build cannot start here, or null when it can. */
export function threadedWasmUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'this runtime has no SharedArrayBuffer';
  if (!existsSync(pthreadWorkerPath())) return `the pthread worker entry is missing (${pthreadWorkerPath()})`;
  if (!existsSync(join(wasmOut(), 'tfjs-backend-wasm-threaded-simd.wasm')))
    return "tfjs-backend-wasm's threaded-simd binary is missing";
  return null;
}

/**
 * Starts the pthread worker entry once on its own: an entry that cannot load (a path inside an asar
 * archive, a missing package) would otherwise throw from Emscripten's worker.onerror and end the
 * process. Null when it loads; the error otherwise.
 */
export function pthreadWorkerProblem(waitMs = 200): Promise<string | null> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(pthreadWorkerPath());
    const done = (why: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(why);
    };
    worker.once('error', (e) => done(`its pthread worker entry failed: ${e.message}`));
    worker.once('exit', (code) => done(`its pthread worker entry exited (code ${code})`));
    // Running, and no error once its script had time to run: Emscripten's script then only waits for messages.
    let timer: NodeJS.Timeout | undefined;
    worker.once('online', () => (timer = setTimeout(() => done(null), waitMs)));
  });
}

/** Seconds the threaded build may take to start (8 workers, each compiling nothing: ~0.3 s here). */
const START_TIMEOUT_S = 60;

async function createThreadedModule(threads: number): Promise<EmscriptenModule> {
  const out = wasmOut();
  const mainScript = join(out, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as Factory;
  const binary = readFileSync(join(out, 'tfjs-backend-wasm-threaded-simd.wasm'));
  // Emscripten uses this object as the Module: PThread appears on it while the factory runs.
  const config: Record<string, unknown> & { PThread?: EmscriptenModule['PThread'] } = {
    locateFile: (path: string) => (path.endsWith('.worker.js') ? pthreadWorkerPath() : join(out, path)),
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm(
      info: { env: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) {
      info.env.emscripten_num_logical_cores = () => 2 * threads;
      void WebAssembly.instantiate(binary, info as WebAssembly.Imports).then((r) => receive(r.instance, r.module));
      return {};
    },
  };
  // The module resolves once all 8 pthread workers have loaded; one that cannot (a file it cannot
  // read, say) would leave it pending for ever, so give up after a while and fall back to 1 thread.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`its workers did not start in ${START_TIMEOUT_S} s`)),
      START_TIMEOUT_S * 1000,
    );
  });
  let module: EmscriptenModule;
  try {
    module = await Promise.race([factory(config), timeout]);
  } catch (e) {
    config.PThread?.terminateAllThreads();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  // The same bridge tfjs's init() builds (backend_wasm.ts), which BackendWasm calls.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

let lastFailure = '';

/** Why the threaded build last failed to start ('' if it never did). */
export function threadedWasmFailure(): string {
  return lastFailure;
}

/** Threads the running wasm backend's XNNPACK pool has (1 for the single-threaded build). */
let running = 1;

export function wasmThreadsInUse(): number {
  return running;
}

/** tfjs-backend-wasm registers itself with priority 2 (src/base.ts). */
const WASM_PRIORITY = 2;
let singleThreaded: Parameters<typeof tf.registerBackend>[1] | undefined;

function replaceFactory(factory: Parameters<typeof tf.registerBackend>[1]): void {
  if (tf.findBackendFactory('wasm') === factory) return;
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
}

/**
 * Registers the wasm backend (not yet started) to start on `threads` threads: the threaded build
 * for 2 or more, tfjs's single-threaded SIMD build for 1. A backend already running is removed
 * first (its tensors go with it).
 */
export async function registerWasmBackend(threads: number): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // tfjs's own registration (made once, when its module loads) is the single-threaded one.
  singleThreaded ??= tf.findBackendFactory('wasm') ?? undefined;
  if (!singleThreaded) throw new Error('tfjs-backend-wasm did not register its backend');
  if (threads <= 1) {
    replaceFactory(singleThreaded);
    running = 1;
    return;
  }
  replaceFactory(async () => {
    const module = await createThreadedModule(threads).catch((e: unknown) => {
      lastFailure = e instanceof Error ? e.message : String(e);
      throw e;
    });
    wasm.setThreadsCount(threads);
    const backend = new wasm.BackendWasm(module as never);
    running = wasm.getThreadsCount();
    // Idle pthread workers must not keep the process alive once its work is done (Emscripten refs
    // a worker while its thread runs, and XNNPACK's pool threads run until the backend is disposed).
    for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref();
    const dispose = backend.dispose.bind(backend);
    backend.dispose = () => {
      dispose();
      module.PThread.terminateAllThreads();
    };
    return backend;
  });
}
