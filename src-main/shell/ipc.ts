// The only module that touches ipcMain. Every call is checked twice: the sender must be the main
// frame of one of our windows showing our page, and the message must match the contract.
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import type { JobManager } from '../jobs/index.js';
import { dispatch, type Handlers, type Outcome } from '../service/index.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL, isTrustedSender } from './policy.js';

export function enableIpc(
  ipcMain: IpcMain,
  handlers: Handlers,
  jobs: JobManager,
  windows: () => BrowserWindow[],
): () => void {
  const ours = (event: IpcMainInvokeEvent): boolean => windows().some((w) => w.webContents.id === event.sender.id);
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, payload: unknown): Promise<Outcome> => {
    if (!isTrustedSender(event.senderFrame, ours(event))) {
      return { ok: false, error: 'refused: not the app window', kind: 'usage' };
    }
    return dispatch(handlers, channel, payload);
  });
  const unsubscribe = jobs.on((event, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, event, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(INVOKE_CHANNEL);
  };
}
