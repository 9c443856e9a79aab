// The preload script with electron mocked: the page gets exactly invoke and subscribe, which
// go through the two fixed channels.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const ipcRenderer = { invoke: vi.fn(async () => ({ ok: true, result: 1 })), on: vi.fn(), off: vi.fn() };
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer,
}));

describe('preload', () => {
  beforeEach(async () => {
    await import('../../src-main/shell/preload.js');
  });

  it('exposes only invoke and subscribe, as window.anneal', () => {
    expect(Object.keys(exposed)).toEqual(['anneal']);
    expect(Object.keys(exposed.anneal as object).sort()).toEqual(['invoke', 'subscribe']);
  });

  it('sends calls on the invoke channel and unsubscribes what it subscribed', async () => {
    const api = exposed.anneal as {
      invoke: (c: string, p: unknown) => Promise<unknown>;
      subscribe: (l: (e: string, p: unknown) => void) => () => void;
    };
    await expect(api.invoke('app.info', {})).resolves.toEqual({ ok: true, result: 1 });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('anneal:invoke', 'app.info', {});
    const listener = vi.fn();
    const off = api.subscribe(listener);
    const [channel, handler] = ipcRenderer.on.mock.calls[0] as unknown as [
      string,
      (e: unknown, n: string, p: unknown) => void,
    ];
    expect(channel).toBe('anneal:event');
    handler({}, 'job.update', { id: 'x' });
    expect(listener).toHaveBeenCalledWith('job.update', { id: 'x' });
    off();
    expect(ipcRenderer.off).toHaveBeenCalledWith('anneal:event', handler);
  });
});
