// Job process bootstrap: a built tree runs job-process.js; a source checkout runs job-process.ts
// through tsx (`--import tsx` does not reach worker threads or forks on Node 20; tsImport does).
import { existsSync } from 'node:fs';

const built = new URL('./job-process.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('./job-process.ts', import.meta.url);
}
