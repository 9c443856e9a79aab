// The built renderer over HTTP: files under one folder only, with the CSP on every page.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { RENDERER_CSP } from './security.js';

/** Content types of the renderer's files (also served by the Electron shell's app:// scheme). */
export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The decoded path of a request target, or null when it is not one: an unparsable absolute URL
 * ("http://[") or a broken percent-escape ("/%", "/%c0"). Any page can make a browser send
 * either, so both are a 400, never an exception (issue 15, item 1).
 */
export function requestPath(target: string | undefined): string | null {
  try {
    return decodeURIComponent(new URL(target ?? '/', 'http://x').pathname);
  } catch {
    return null;
  }
}

export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const pathname = requestPath(req.url);
  if (pathname === null || pathname.includes('\0')) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request path');
    return;
  }
  const rel = normalize(pathname === '/' ? '/index.html' : pathname);
  const file = join(root, rel);
  if (!file.startsWith(root + sep) || !isFile(file)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': RENDERER_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  // A file that vanishes or turns unreadable between the check and the read ends this response,
  // not the process (an unhandled stream 'error' would).
  else
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
