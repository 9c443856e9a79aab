'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS worker entry: Emscripten's worker script needs require */
// The worker_threads entry for tfjs-backend-wasm's pthreads under Node (backend/wasm-threads.ts).
// tfjs ships the Emscripten pthread worker only as a string (wasm-out/…worker.js) and starts it from
// a blob: URL, which Node's Worker refuses (ERR_WORKER_PATH); this file is the path it gets instead.
// The script expects a classic worker's globals: `require` and `__filename` at the top level.
const vm = require('node:vm');
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

globalThis.require = require;
globalThis.__filename = __filename;
// tfjs escapes the string's newlines before putting it in a Blob, for the same reason: one of them
// sits inside a string literal of the script (tfjs-backend-wasm/src/backend_wasm.ts).
vm.runInThisContext(wasmWorkerContents.replace(/\n/g, '\\n'), {
  filename: 'tfjs-backend-wasm-threaded-simd.worker.js',
});
