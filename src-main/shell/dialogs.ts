// Native file and folder dialogs for the Dataset and Model screens.
import type { BrowserWindow, Dialog } from 'electron';

export function pickPathWith(dialog: Dialog, window: () => BrowserWindow | null) {
  return async (kind: 'folder' | 'file', title?: string): Promise<string | null> => {
    const w = window();
    const options = { title, properties: [kind === 'folder' ? 'openDirectory' : 'openFile'] as const };
    const r = w ? await dialog.showOpenDialog(w, { ...options, properties: [...options.properties] }) : null;
    return r && !r.canceled && r.filePaths[0] ? r.filePaths[0] : null;
  };
}
