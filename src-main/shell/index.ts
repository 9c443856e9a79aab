// The Electron shell's testable parts (main.ts is the entry; preload.ts runs in the page).
export { hardenContents, hardenSession, enableSecurity } from './security.js';
export { enableIpc } from './ipc.js';
export {
  APP_ORIGIN,
  APP_SCHEME,
  APP_URL,
  EVENT_CHANNEL,
  INVOKE_CHANNEL,
  isAllowedRequest,
  isAppUrl,
  isTrustedSender,
  windowOptions,
} from './policy.js';
export { registerScheme, resolveAppFile, serveRenderer } from './protocol.js';
export { pickPathWith } from './dialogs.js';
