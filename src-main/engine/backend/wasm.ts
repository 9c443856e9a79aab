import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Folder holding tfjs-backend-wasm's .wasm binaries (loaded from disk, never fetched). */
export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}
