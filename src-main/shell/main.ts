// Electron main: a composition root (cawa-93/vite-electron-builder's packages/main). Training and
// every other TF.js job run in child processes (src-main/jobs), never on this event loop.
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobManager } from '../jobs/index.js';
import { RENDERER_DIST } from '../server/index.js';
import { createHandlers } from '../service/index.js';
import { pickPathWith } from './dialogs.js';
import { enableIpc } from './ipc.js';
import { APP_URL, windowOptions } from './policy.js';
import { registerScheme, serveRenderer } from './protocol.js';
import { enableSecurity, hardenSession } from './security.js';

const PRELOAD = fileURLToPath(new URL('../../dist/shell/preload.cjs', import.meta.url));

// Packaged, the catalog and bundled models are extraResources beside the asar (electron-builder.yml).
if (app.isPackaged) process.env.ANNEAL_MODELS_DIR ??= join(process.resourcesPath, 'models');

registerScheme(protocol);
enableSecurity(app);

await app.whenReady();
hardenSession(session.defaultSession);
serveRenderer(protocol, RENDERER_DIST);
const jobs = new JobManager();
const handlers = createHandlers({
  mode: 'electron',
  version: app.getVersion(),
  cwd: app.getPath('documents'),
  runsDir: `${app.getPath('documents')}/Anneal/runs`,
  jobs,
  pickPath: pickPathWith(dialog, () => BrowserWindow.getFocusedWindow()),
});
enableIpc(ipcMain, handlers, jobs, () => BrowserWindow.getAllWindows());

const open = (): void => {
  const w = new BrowserWindow(windowOptions(PRELOAD));
  w.once('ready-to-show', () => w.show());
  void w.loadURL(APP_URL);
};
open();
app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && open());
app.on('window-all-closed', () => {
  void jobs.dispose().then(() => app.quit());
});
