// Locks down every web contents the app creates: no navigation away from the app, no new
// windows, no <webview>, no permission grants, no remote requests, and the CSP on every response.
import type { App, Session, WebContents } from 'electron';
import { RENDERER_CSP } from '../server/security.js';
import { isAllowedRequest, isAppUrl } from './policy.js';

export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    }),
  );
}

export function enableSecurity(app: App): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}
