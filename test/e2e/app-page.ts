// The app in Debian's Chromium, and the helpers every end-to-end block uses on its page.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ARTIFACTS, type Served } from './serve.js';

const SHOTS = fileURLToPath(ARTIFACTS);

/** A browser with one 1280×900 page open at `url`; the page's errors are pushed onto `errors`. */
export async function openPage(
  executablePath: string,
  url: string,
  errors: string[],
): Promise<{ browser: Browser; page: Page }> {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath, args: ['--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { browser, page };
}

/** Closes what openPage and serve opened, and removes the work folder (each may be missing after a failed start). */
export async function closeApp(browser?: Browser, server?: Served, work?: string): Promise<void> {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}

/** Screenshots, navigation, test ids and the Train screen's job state, on the page `get` returns. */
export function pageHelpers(get: () => Page) {
  const testid = (id: string) => get().getByTestId(id);
  return {
    testid,
    shot: (name: string) => get().screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }),
    nav: (label: string) => get().getByRole('navigation').getByRole('button', { name: label, exact: true }).click(),
    /** Waits until the Train screen's job is in `state`. */
    trainState: (state: string, timeout: number, polling = 500) =>
      get().waitForFunction(
        (s) => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-state') === s,
        state,
        { timeout, polling },
      ),
  };
}
