import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_URL,
  isAllowedRequest,
  isAppUrl,
  isTrustedSender,
  resolveAppFile,
  windowOptions,
} from '../../src-main/shell/index.js';

describe('the window’s security settings', () => {
  it('isolates the page: context isolation, sandbox, no Node, no webview', () => {
    const web = windowOptions('/app/preload.cjs').webPreferences!;
    expect(web).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('knows its own page from anything else', () => {
    expect(isAppUrl(APP_URL)).toBe(true);
    expect(isAppUrl('app://anneal/assets/index.js')).toBe(true);
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://other/index.html', 'not a url', ''])
      expect(isAppUrl(url)).toBe(false);
  });

  it('trusts only the main frame of its own window showing its own page', () => {
    const main = { url: APP_URL, parent: null };
    expect(isTrustedSender(main, true)).toBe(true);
    expect(isTrustedSender(main, false)).toBe(false); // another window
    expect(isTrustedSender({ url: APP_URL, parent: {} }, true)).toBe(false); // an iframe
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, true)).toBe(false);
    expect(isTrustedSender(null, true)).toBe(false);
  });

  it('allows no remote content', () => {
    expect(isAllowedRequest('app://anneal/assets/index.js')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
    expect(isAllowedRequest('https://cdn.example.com/x.js')).toBe(false);
    expect(isAllowedRequest('http://127.0.0.1:7860/')).toBe(false);
    expect(isAllowedRequest('file:///home/user/.ssh/id_rsa')).toBe(false);
  });

  it('serves only files under the renderer folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'anneal-root-'));
    expect(resolveAppFile(root, 'app://anneal/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://anneal/assets/a.js')).toBe(join(root, 'assets', 'a.js'));
    expect(resolveAppFile(root, 'app://anneal/../../etc/passwd')).toBe(join(root, 'etc', 'passwd'));
    for (const sneaky of ['%2e%2e/%2e%2e/etc/passwd', '%2F..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cetc'])
      expect(resolveAppFile(root, `app://anneal/${sneaky}`)!.startsWith(`${root}/`)).toBe(true);
    expect(resolveAppFile(root, 'app://elsewhere/index.html')).toBeNull();
  });
});
