// `anneal serve`'s transport: one WebSocket to the server that served this page, reconnecting
// when it drops (a server restart); calls made while it is down wait for it.
import type { CallResult, Transport } from './client.js';

interface Pending {
  resolve: (r: CallResult) => void;
}

/**
 * `refused`: what a call says when the socket cannot open at all (the server refuses a missing or
 * stale token with a 403, which a browser reports only as a close).
 */
export function wsTransport(url: string, refused = 'cannot reach the server'): Transport {
  let socket: WebSocket | null = null;
  let everOpened = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const queue: { id: number; frame: string }[] = [];
  const listeners = new Set<(event: string, payload: unknown) => void>();

  const open = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      everOpened = true;
      for (const q of queue.splice(0)) ws.send(q.frame);
    };
    ws.onmessage = (m) => {
      const frame = JSON.parse(String(m.data)) as
        | { id: number; ok: boolean; result?: unknown; error?: string; kind?: 'usage' | 'failure' }
        | { event: string; payload: unknown };
      if ('event' in frame) {
        for (const l of listeners) l(frame.event, frame.payload);
        return;
      }
      const p = pending.get(frame.id);
      pending.delete(frame.id);
      p?.resolve(
        frame.ok
          ? { ok: true, result: frame.result }
          : { ok: false, error: frame.error ?? 'failed', kind: frame.kind ?? 'failure' },
      );
    };
    ws.onclose = (e) => {
      socket = null;
      // Never opened: calls waiting for it would wait forever; say why instead. Once a socket has
      // opened, a drop is a restart: queued calls wait for the next one.
      if (!everOpened) {
        for (const { id } of queue.splice(0)) {
          pending.get(id)?.resolve({ ok: false, error: refused, kind: 'failure' });
          pending.delete(id);
        }
      } else if (e.code === 1009) {
        for (const [id, p] of pending) {
          pending.delete(id);
          p.resolve({ ok: false, error: 'the server refused a message over its size limit', kind: 'usage' });
        }
      }
      // Calls in flight are lost with the socket: say so rather than wait forever.
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resolve({ ok: false, error: 'the connection to the server closed', kind: 'failure' });
      }
      setTimeout(open, 1000);
    };
  };
  open();

  return {
    call: (channel, payload) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve });
        const frame = JSON.stringify({ id, channel, payload });
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else queue.push({ id, frame });
      }),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
