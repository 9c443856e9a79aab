// Who may talk to `anneal serve`. Bound to loopback, only pages this server served may use the
// socket: the Host header must name a loopback address (a DNS-rebinding page has its own name
// there) and a WebSocket's Origin must be this server (browsers let any site open a socket to
// localhost; CORS does not cover WebSockets). Bound to any other address, every socket must also
// present the token printed at start-up.
import { timingSafeEqual } from 'node:crypto';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export const isLoopback = (host: string): boolean => LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The host part of a Host header ("127.0.0.1:8080", "[::1]:80"). */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(header.trim().toLowerCase());
  return m ? m[1]! : null;
}

export interface AccessPolicy {
  /** The address the server is bound to. */
  host: string;
  /** Required of every socket when `host` is not loopback. */
  token: string | null;
}

/** Whether an HTTP request's Host header is acceptable (DNS-rebinding defence on loopback). */
export function allowHost(policy: AccessPolicy, hostHeader: string | undefined): boolean {
  const name = hostName(hostHeader);
  if (name === null) return false;
  return isLoopback(policy.host) ? isLoopback(name) : true;
}

function sameToken(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether a WebSocket upgrade may proceed; the reason when not. */
export function checkSocket(
  policy: AccessPolicy,
  req: { host: string | undefined; origin: string | undefined; url: string },
): string | null {
  if (!allowHost(policy, req.host)) return 'host not allowed';
  // A browser always sends Origin; it must be this very server (scheme, host and port).
  if (req.origin !== undefined && req.origin !== `http://${req.host}`) return 'cross-origin socket refused';
  if (policy.token !== null) {
    const token = new URL(req.url, 'http://x').searchParams.get('token');
    if (!sameToken(token, policy.token)) return 'missing or wrong token';
  }
  return null;
}

/**
 * The renderer's Content-Security-Policy, the same in both modes: only this origin's scripts and
 * styles, images as data URLs (thumbnails, previews), the socket back to this server, nothing
 * remote, no plugins, no framing.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Svelte sets element styles at run time (style: directives, uPlot's sizing).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
