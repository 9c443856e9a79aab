// The renderer's connection to main: Electron's preload bridge when present, else the socket
// back to `anneal serve`.
import { Client, type CallResult, type Transport } from './client.js';
import { wsTransport } from './ws.js';

export { Client, RequestError, type CallResult, type Transport } from './client.js';
export { wsTransport } from './ws.js';

/** What the preload script exposes as window.anneal (src-main/shell/preload.ts). */
export interface Bridge {
  invoke(channel: string, payload: unknown): Promise<CallResult>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

export function connect(w: Window & { anneal?: Bridge }): Client {
  if (w.anneal) {
    const bridge = w.anneal;
    const transport: Transport = { call: (c, p) => bridge.invoke(c, p), subscribe: (l) => bridge.subscribe(l) };
    return new Client(transport);
  }
  const token = pageToken(w);
  const scheme = w.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${w.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return new Client(wsTransport(url, token ? REFUSED : NO_TOKEN));
}

const TOKEN_KEY = 'anneal.token';
const NO_TOKEN = 'this page has no access token: open the address that anneal serve printed (it ends in ?token=…)';
const REFUSED =
  'cannot reach the server: it has stopped, or restarted with a new token; open the address that anneal serve printed';

/**
 * The server's token (docs/security.md): it arrives in the address `anneal serve` printed, is kept
 * for this origin (localStorage is per scheme, host and port, and per OS account's browser
 * profile), and is taken out of the address bar so that a screenshot or a shared link does not
 * carry it. A reload or a bookmark of the bare address still connects.
 */
export function pageToken(w: Window): string | null {
  const params = new URLSearchParams(w.location.search);
  const given = params.get('token');
  if (given) {
    try {
      w.localStorage.setItem(TOKEN_KEY, given);
      params.delete('token');
      const rest = params.toString();
      w.history.replaceState(null, '', `${w.location.pathname}${rest ? `?${rest}` : ''}${w.location.hash}`);
    } catch {
      // Storage refused (a private window's quota): keep the token in the address instead.
    }
    return given;
  }
  try {
    return w.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
