// Image worker bootstrap: a built tree runs worker.js; a source checkout runs worker.ts through
// tsx, which worker threads do not inherit from the main thread's loader.
import { existsSync } from 'node:fs';

const built = new URL('./worker.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('./worker.ts', import.meta.url);
}
