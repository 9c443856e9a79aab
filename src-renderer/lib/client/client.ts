// The renderer's typed API: `invoke(channel, request)` and `on(event, listener)`, the same over
// Electron's preload bridge and over `anneal serve`'s WebSocket. Types come from the contract.
import type { Channel, EventName, EventOf, ReplyOf, RequestOf } from '../../../src-main/contract/contract.js';

export type CallResult = { ok: true; result: unknown } | { ok: false; error: string; kind: 'usage' | 'failure' };

/** How calls and events travel: the preload bridge, or a socket. */
export interface Transport {
  call(channel: string, payload: unknown): Promise<CallResult>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** A refused or failed call, with the one line main sent. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    message: string,
    readonly kind: 'usage' | 'failure',
  ) {
    super(message);
  }
}

export class Client {
  constructor(private readonly transport: Transport) {}

  async invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
    const r = await this.transport.call(channel, request);
    if (!r.ok) throw new RequestError(r.error, r.kind);
    return r.result as ReplyOf<C>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void {
    return this.transport.subscribe((name, payload) => {
      if (name === event) listener(payload as EventOf<E>);
    });
  }
}
