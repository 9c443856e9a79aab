// The desktop window's security settings, as data and pure functions so that tests can check
// them without Electron (Electron's security checklist:
// https://www.electronjs.org/docs/latest/tutorial/security).
import type { BrowserWindowConstructorOptions } from 'electron';

/** The renderer is served from this privileged scheme, never from file:// or the network. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'anneal';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** The IPC channel names: one for calls, one for events (what the contract names travels inside). */
export const INVOKE_CHANNEL = 'anneal:invoke';
export const EVENT_CHANNEL = 'anneal:event';

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'Anneal',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  };
}

/** Whether a URL is the app's own page (the only thing a window may show). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Whether an IPC message may be served: it must come from the main frame of one of our windows,
 * showing our page (not an iframe, not a page navigated elsewhere).
 */
export function isTrustedSender(
  frame: { url: string; parent: unknown } | null | undefined,
  fromOurWindow: boolean,
): boolean {
  return Boolean(frame) && fromOurWindow && frame!.parent === null && isAppUrl(frame!.url);
}

/** Requests a window may make: its own scheme, devtools, data/blob images; nothing remote. */
export function isAllowedRequest(url: string): boolean {
  return (
    isAppUrl(url) || url.startsWith('devtools://') || url.startsWith('data:') || url.startsWith('blob:app://anneal/')
  );
}
