// The renderer must be built (vite) before it can be served. A fresh clone has no dist/, so
// `anneal serve` builds it on first start, and again when the renderer's sources are newer.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIST = join(REPO_ROOT, 'dist', 'renderer');
/** What the renderer bundle is made of (the schedule preview is the engine's own code). */
const SOURCES = [
  'src-renderer',
  'src-main/contract',
  'src-main/engine/schedules',
  // Pure helpers the renderer shares with training (the loss EMA, the auto batch size).
  'src-main/engine/train/lr-find-math.ts',
  'src-main/engine/train/batch-size.ts',
  'vite.config.ts',
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

export function rendererIsStale(dist = RENDERER_DIST, root = REPO_ROOT): boolean {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return true;
  // A packaged app has no sources beside it: what it ships is what it serves.
  if (!existsSync(join(root, 'src-renderer'))) return false;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => newest(join(root, s)) > built);
}

/** Builds dist/renderer with vite when missing or stale; says so on `log`. */
export async function ensureRendererBuilt(log: (line: string) => void): Promise<string> {
  if (!rendererIsStale()) return RENDERER_DIST;
  log('building the renderer (vite), once…');
  const { build } = await import('vite');
  await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  return RENDERER_DIST;
}
