// The one module that touches ipcMain, with a fake ipcMain: who may call, and what is checked.
import type { BrowserWindow, IpcMain } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { JobManager } from '../../src-main/jobs/index.js';
import { createHandlers } from '../../src-main/service/index.js';
import { APP_URL, enableIpc, EVENT_CHANNEL, INVOKE_CHANNEL } from '../../src-main/shell/index.js';

type Handler = (event: unknown, channel: unknown, payload: unknown) => Promise<unknown>;

function setup() {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: (name: string, h: Handler) => handlers.set(name, h),
    removeHandler: (name: string) => handlers.delete(name),
  } as unknown as IpcMain;
  const jobs = new JobManager();
  const send = vi.fn();
  const window = { webContents: { id: 1, send }, isDestroyed: () => false } as unknown as BrowserWindow;
  const service = createHandlers({ mode: 'electron', version: 'test', cwd: '/', jobs });
  const dispose = enableIpc(ipcMain, service, jobs, () => [window]);
  const call = (sender: { id: number; url: string; parent: unknown }, channel: unknown, payload: unknown = {}) =>
    handlers.get(INVOKE_CHANNEL)!(
      { sender: { id: sender.id }, senderFrame: { url: sender.url, parent: sender.parent } },
      channel,
      payload,
    );
  return { handlers, call, dispose, jobs, send };
}

describe('enableIpc', () => {
  it('answers the app window’s main frame, validated against the contract', async () => {
    const { call } = setup();
    const info = (await call({ id: 1, url: APP_URL, parent: null }, 'app.info')) as { ok: boolean; result: unknown };
    expect(info).toMatchObject({ ok: true, result: { mode: 'electron', version: 'test' } });
    await expect(call({ id: 1, url: APP_URL, parent: null }, 'shell.exec', {})).resolves.toEqual({
      ok: false,
      error: 'unknown channel "shell.exec"',
      kind: 'usage',
    });
    await expect(call({ id: 1, url: APP_URL, parent: null }, 'data.inspect', { path: 42 })).resolves.toMatchObject({
      ok: false,
      kind: 'usage',
      error: expect.stringMatching(/^data\.inspect: path: /),
    });
  });

  it('refuses another window, an iframe, and a page navigated elsewhere', async () => {
    const { call } = setup();
    const refused = { ok: false, error: 'refused: not the app window', kind: 'usage' };
    await expect(call({ id: 2, url: APP_URL, parent: null }, 'app.info')).resolves.toEqual(refused);
    await expect(call({ id: 1, url: APP_URL, parent: {} }, 'app.info')).resolves.toEqual(refused);
    await expect(call({ id: 1, url: 'https://evil.example/', parent: null }, 'app.info')).resolves.toEqual(refused);
  });

  it('has no file dialog without a native one, and removes its handler when disposed', async () => {
    const { call, dispose, handlers } = setup();
    await expect(
      call({ id: 1, url: APP_URL, parent: null }, 'app.pickPath', { kind: 'folder' }),
    ).resolves.toMatchObject({ ok: false, kind: 'usage' });
    dispose();
    expect(handlers.has(INVOKE_CHANNEL)).toBe(false);
    expect(EVENT_CHANNEL).not.toBe(INVOKE_CHANNEL);
  });
});
