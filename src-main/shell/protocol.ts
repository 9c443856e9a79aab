// app://anneal/… serves the built renderer (dist/renderer) — a standard, secure scheme, so the
// page gets an origin of its own and the CSP applies, without file:// and its broad access.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Protocol } from 'electron';
import { RENDERER_CSP } from '../server/security.js';
import { MIME_TYPES } from '../server/static.js';
import { APP_HOST, APP_SCHEME } from './policy.js';

/** The file an app:// URL names under `root`, or null for anything outside it or another host. */
export function resolveAppFile(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  const rel = normalize(decodeURIComponent(u.pathname === '/' ? '/index.html' : u.pathname));
  const file = join(root, rel);
  return file.startsWith(root + sep) ? file : null;
}

/** Must run before the app is ready. */
export function registerScheme(protocol: Protocol): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(protocol: Protocol, root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(root, request.url);
    if (!file) return new Response('not found', { status: 404 });
    try {
      return new Response(await readFile(file), {
        headers: {
          'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': RENDERER_CSP,
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
