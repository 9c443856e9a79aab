// A client whose replies the test scripts, and whose events the test fires.
import { Client, type CallResult, type Transport } from '../../src-renderer/lib/client/index.js';

export function fakeClient(reply: (channel: string, payload: unknown) => unknown) {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const calls: { channel: string; payload: unknown }[] = [];
  const transport: Transport = {
    call: async (channel, payload): Promise<CallResult> => {
      calls.push({ channel, payload });
      try {
        return { ok: true, result: await reply(channel, payload) };
      } catch (e) {
        return { ok: false, error: (e as Error).message, kind: 'usage' };
      }
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { client: new Client(transport), calls, emit: (e: string, p: unknown) => listeners.forEach((l) => l(e, p)) };
}
