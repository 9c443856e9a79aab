// The preload script (sandboxed, so built to CommonJS: npm run build). It exposes exactly two
// functions to the page through contextBridge; the page never sees ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './policy.js';

export const bridge = {
  invoke: (channel: string, payload: unknown): Promise<unknown> => ipcRenderer.invoke(INVOKE_CHANNEL, channel, payload),
  subscribe: (listener: (event: string, payload: unknown) => void): (() => void) => {
    const handler = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('anneal', bridge);
