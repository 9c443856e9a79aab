// Who may talk to `anneal serve` (docs/security.md). Every socket presents the token the server
// printed at start-up, on loopback too: 127.0.0.1 is reachable by every account on the machine,
// so a loopback server without one served other local users (issue 15, item 3). The page itself is
// public (it holds no secret); the token reaches it in the printed address, never in the page.
// The Host header must name a loopback address when bound to one (a DNS-rebinding page has its
// own name there), and a socket's Origin must be this server: browsers let any site open a socket
// to localhost (CORS does not cover WebSockets), and every browser sends Origin, so an upgrade
// without one is not a page of ours.
import { randomBytes, timingSafeEqual } from 'node:crypto';

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
  /** Required of every socket. */
  token: string;
}

/** A fresh token: 192 random bits, URL-safe. */
export const newToken = (): string => randomBytes(24).toString('base64url');

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
  if (req.origin === undefined) return 'no Origin header';
  // It must be this very server (scheme, host and port).
  if (req.origin !== `http://${req.host}`) return 'cross-origin socket refused';
  let token: string | null;
  try {
    token = new URL(req.url, 'http://x').searchParams.get('token');
  } catch {
    token = null;
  }
  if (!sameToken(token, policy.token)) return 'missing or wrong token';
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
