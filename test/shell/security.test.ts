// The shell's handlers with Electron's objects replaced by recording fakes: what each does when
// a page tries to navigate away, open a window, attach a webview, ask for a permission, or load
// something remote.
import { EventEmitter } from 'node:events';
import type { Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { RENDERER_CSP } from '../../src-main/server/index.js';
import { APP_URL, hardenContents, hardenSession } from '../../src-main/shell/index.js';

function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents = Object.assign(emitter, {
    setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
  });
  const fire = (name: string, url?: string) => {
    const event = { preventDefault: vi.fn() };
    emitter.emit(name, event, url);
    return event.preventDefault.mock.calls.length > 0;
  };
  return { contents: contents as unknown as WebContents, fire, open: (url: string) => openHandler!({ url }) };
}

describe('hardenContents', () => {
  it('denies navigation and redirects away from the app, and keeps in-app ones', () => {
    const c = fakeContents();
    hardenContents(c.contents);
    expect(c.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(c.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.fire('will-redirect', 'https://example.com/')).toBe(true);
    expect(c.fire('will-navigate', APP_URL)).toBe(false);
  });

  it('denies every new window and every webview', () => {
    const c = fakeContents();
    hardenContents(c.contents);
    expect(c.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(c.open(APP_URL)).toEqual({ action: 'deny' });
    expect(c.fire('will-attach-webview')).toBe(true);
  });
});

describe('hardenSession', () => {
  function fakeSession() {
    const s = {
      permission: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
      check: null as null | (() => boolean),
      before: null as null | ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
      headers: null as
        | null
        | ((
            d: { responseHeaders?: Record<string, string[]> },
            cb: (r: { responseHeaders: Record<string, string[]> }) => void,
          ) => void),
    };
    const session = {
      setPermissionRequestHandler: (h: typeof s.permission) => (s.permission = h),
      setPermissionCheckHandler: (h: typeof s.check) => (s.check = h),
      webRequest: {
        onBeforeRequest: (h: typeof s.before) => (s.before = h),
        onHeadersReceived: (h: typeof s.headers) => (s.headers = h),
      },
    };
    hardenSession(session as unknown as Session);
    return s;
  }

  it('grants no permission (camera, notifications, …)', () => {
    const s = fakeSession();
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read']) {
      const cb = vi.fn();
      s.permission!(null, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(s.check!()).toBe(false);
  });

  it('cancels remote requests and lets the app’s own through', () => {
    const s = fakeSession();
    const cancel = (url: string) => {
      let r: { cancel: boolean } | null = null;
      s.before!({ url }, (x) => (r = x));
      return r!.cancel;
    };
    expect(cancel('https://example.com/tracker.js')).toBe(true);
    expect(cancel('app://anneal/assets/index.js')).toBe(false);
  });

  it('puts the CSP on every response', () => {
    const s = fakeSession();
    let headers: Record<string, string[]> = {};
    s.headers!({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([RENDERER_CSP]);
    expect(headers['Content-Type']).toEqual(['text/html']);
    expect(RENDERER_CSP).toContain("default-src 'self'");
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).toContain("object-src 'none'");
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|https?:/);
  });
});
