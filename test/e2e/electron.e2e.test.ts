// The real desktop app through Playwright's _electron, where an Electron binary exists. Here
// (Node 20: npm skips the optional electron package; no download from GitHub) it is skipped and
// says why.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function electronBinary(): { path: string | null; why: string } {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json')))
    return { path: null, why: 'the optional electron package is not installed (it needs Node >= 22.12)' };
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile))
    return { path: null, why: 'electron has no binary (its download failed or was skipped; see docs/desktop.md)' };
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin, why: '' } : { path: null, why: `no Electron binary at ${bin}` };
}

const found = electronBinary();
if (!found.path) console.warn(`electron smoke test: skipped: ${found.why}`);

describe.skipIf(!found.path)('the desktop app (Electron)', () => {
  it('opens the window with every screen, isolated from Node', async () => {
    const app = await electron.launch({ executablePath: found.path!, args: [root], cwd: root });
    try {
      const page = await app.firstWindow();
      await page.getByRole('navigation').getByRole('button', { name: 'Dataset', exact: true }).waitFor();
      expect(page.url()).toBe('app://anneal/index.html');
      await expect(page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).resolves.toBe(
        'undefined',
      );
      await expect(
        page.evaluate(() => Object.keys((window as unknown as { anneal: object }).anneal).sort()),
      ).resolves.toEqual(['invoke', 'subscribe']);
      await expect(page.getByText('desktop').first().isVisible()).resolves.toBe(true);
    } finally {
      await app.close();
    }
  }, 120_000);
});
