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
  const token = new URLSearchParams(w.location.search).get('token');
  const scheme = w.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${w.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return new Client(wsTransport(url));
}
