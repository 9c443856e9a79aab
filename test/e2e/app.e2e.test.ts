// End to end: the real UI in Debian's Chromium (playwright-core) against the real `anneal serve`
// on real data: generate a dataset and inspect it, preview a schedule, find a rate, fine-tune
// twice while the charts update (with a pause and a resume), compare the runs, evaluate,
// predict, export. Screenshots go to test-artifacts/e2e/ for a person to look at.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonl, tempDir } from '../cli/helpers.js';
import { ARTIFACTS, chromiumPath, serve, type Served } from './serve.js';

const CHROMIUM = chromiumPath();
if (!CHROMIUM) {
  // CI installs it (.ci/run); elsewhere say why these tests do not run.
  if (process.env.CI) throw new Error('Chromium is missing: apt-get install chromium (or set ANNEAL_CHROMIUM)');
  console.warn('e2e: skipped: no Chromium (apt-get install chromium, or set ANNEAL_CHROMIUM)');
}

describe.skipIf(!CHROMIUM)('the app in a browser, against anneal serve', () => {
  let work: string;
  let server: Served;
  let browser: Browser;
  let page: Page;
  const shots = fileURLToPath(ARTIFACTS);
  const consoleErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const nav = (label: string) => page.getByRole('navigation').getByRole('button', { name: label, exact: true }).click();
  const testid = (id: string) => page.getByTestId(id);
  const points = async (id: string) => Number(await testid(id).getAttribute('data-points'));
  const runDirs = () =>
    existsSync(join(work, 'runs'))
      ? readdirSync(join(work, 'runs'))
          .map((d) => join(work, 'runs', d))
          .sort()
      : [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    work = tempDir('anneal-e2e-');
    server = await serve(work);
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(server.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows every screen in the navigation', async () => {
    for (const name of ['Dataset', 'Model', 'Schedule', 'LR finder', 'Train', 'Runs', 'Evaluate', 'Predict', 'Export'])
      await expect(page.getByRole('navigation').getByRole('button', { name, exact: true }).isVisible()).resolves.toBe(
        true,
      );
    await expect(page.getByText('serve mode').isVisible()).resolves.toBe(true);
  });

  it('generates a dataset and inspects it: counts, thumbnails, augmentation', async () => {
    await page.getByText('No dataset at hand?').click();
    await testid('sample-dir').fill('shapes');
    await page.getByLabel('Images per class').fill('30');
    await testid('sample-make').click();
    await expect(testid('dataset-summary').textContent({ timeout: 60_000 })).resolves.toMatch(
      /120\s+images in\s+4\s+classes/,
    );
    await testid('thumbnails').locator('img').nth(23).waitFor({ timeout: 30_000 });
    expect(await testid('thumbnails').locator('img').count()).toBe(24); // 6 of each class
    expect(await points('class-counts')).toBe(4);
    await testid('augment-preview').click();
    await testid('augment-image').waitFor({ timeout: 60_000 });
    await shot('1-dataset');
  });

  it('lists the catalog with the bundled model installed', async () => {
    await nav('Model');
    const micro = testid('model-catalog').locator('tr', { hasText: 'resnet_micro' });
    await micro.getByText('installed').first().waitFor();
    await expect(micro.getByText('installed').first().isVisible()).resolves.toBe(true);
    await expect(testid('model-choice').textContent()).resolves.toBe('resnet_micro');
    await shot('2-model');
  });

  it('previews the schedule from form fields, with the engine’s own curve', async () => {
    await nav('Schedule');
    await testid('schedule-epochs').fill('2');
    await testid('schedule-base-lr').fill('0.01');
    await expect(testid('schedule-json').inputValue()).resolves.toContain('"epochs": 2');
    // 1 frozen + 2 epochs at the preview's 20 steps each.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="schedule-chart"]')?.getAttribute('data-points') === '60',
    );
    expect(await testid('schedule-error').count()).toBe(0);
    await expect(testid('group-rates').locator('td').count()).resolves.toBe(7);
    await shot('3-schedule');
  });

  it('runs the LR finder and uses its suggestion', async () => {
    await nav('LR finder');
    await page.getByLabel('Steps').fill('20');
    await testid('lr-run').click();
    await testid('lr-use-valley').waitFor({ timeout: 120_000 });
    expect(await points('lr-chart')).toBeGreaterThan(5);
    await testid('lr-use-valley').click();
    await expect(testid('lr-used').textContent()).resolves.toMatch(/rate is now \d\.\d\de[-+]\d+/);
    await shot('4-lr-finder');
    // Back to a known rate for the runs below.
    await nav('Schedule');
    await testid('schedule-base-lr').fill('0.01');
  });

  it('fine-tunes with live charts, pauses, resumes, changes the rate, and finishes', async () => {
    await nav('Train');
    await testid('train-start').click();
    const status = testid('train-status');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="train-status"]')?.getAttribute('data-updates')) >= 3,
      undefined,
      { timeout: 120_000 },
    );
    const early = await points('chart-loss');
    expect(early).toBeGreaterThan(0);
    await testid('train-pause').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-state') === 'paused',
    );
    await page.waitForTimeout(1500); // the step in flight finishes
    const held = await status.getAttribute('data-updates');
    await page.waitForTimeout(1500);
    expect(await status.getAttribute('data-updates')).toBe(held);
    await shot('5-train-paused');
    await testid('train-resume').click();
    await page.getByLabel('Rate ×').fill('0.5');
    await testid('train-lr').click();
    await page.waitForFunction(
      () =>
        ['done', 'failed', 'stopped'].includes(
          document.querySelector('[data-testid="train-status"]')?.getAttribute('data-state') ?? '',
        ),
      undefined,
      { timeout: 240_000, polling: 500 },
    );
    expect(await status.getAttribute('data-state')).toBe('done');
    expect(await points('chart-loss')).toBeGreaterThan(early);
    expect(await points('chart-accuracy')).toBe(3);
    expect(await points('chart-lr')).toBeGreaterThan(early);
    expect(await points('chart-ratio')).toBeGreaterThanOrEqual(3); // every 10 of 36 steps
    await expect(testid('train-stats').textContent()).resolves.toMatch(/images\/s/);
    await shot('6-train-done');
    // Everything the screen showed is in the run store, and so are the controls it sent.
    const [run] = runDirs();
    const events = readJsonl<{ type: string; scaleTo?: number }>(join(run!, 'events.jsonl')).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['start', 'pause', 'resume', 'lr-change', 'done']));
  });

  it('trains a second run and compares the two', async () => {
    await nav('Schedule');
    await testid('schedule-epochs').fill('1');
    await nav('Train');
    await testid('train-start').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-state') === 'done',
      undefined,
      { timeout: 240_000, polling: 500 },
    );
    await nav('Runs');
    await testid('runs-table').locator('tbody tr').nth(1).waitFor();
    expect(await testid('runs-table').locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'epochs' }).click();
    await page.getByRole('button', { name: /^epochs/ }).click(); // descending: 3 epochs first
    await expect(testid('runs-table').locator('tbody tr').first().locator('td').nth(4).textContent()).resolves.toBe(
      '3',
    );
    for (const box of await testid('runs-table').getByRole('checkbox').all()) await box.check();
    await testid('runs-compare').click();
    await testid('runs-chart').waitFor();
    expect(await points('runs-chart')).toBe(3);
    expect(await testid('runs-chart').locator('.u-legend .u-series').count()).toBe(3); // x + 2 runs
    await shot('7-runs');
  });

  it('shows the CPU thread count beside the device on the Train screen', async () => {
    await nav('Train');
    const status = await testid('train-status').textContent();
    // The server's jobs run on wasm here (no GPU): its XNNPACK pool's size, as `anneal doctor` reports it.
    expect(status).toMatch(/on wasm \(.+, \d+ threads?\)/);
    expect(Number((await testid('train-threads').textContent())!.split(' ')[0])).toBeGreaterThanOrEqual(1);
    await shot('7b-train-threads');
  });

  it('evaluates a run: confusion matrix, per-class report, top losses', async () => {
    await nav('Evaluate');
    await testid('eval-start').click();
    await testid('confusion').waitFor({ timeout: 120_000 });
    expect(await testid('confusion').locator('tbody tr').count()).toBe(4);
    expect(await testid('per-class').locator('tbody tr').count()).toBe(4);
    expect(await testid('top-losses').locator('img').count()).toBeGreaterThan(0);
    await shot('8-evaluate');
  });

  it('predicts the class of a chosen image', async () => {
    await nav('Predict');
    const image = join(work, 'shapes', 'circle', readdirSync(join(work, 'shapes', 'circle'))[0]!);
    await testid('predict-file').setInputFiles(image);
    await testid('predict-top').waitFor({ timeout: 120_000 });
    expect(await testid('predict-top').locator('tbody tr').count()).toBe(4);
    await shot('9-predict');
  });

  it('exports the run as ONNX with its model card', async () => {
    await nav('Export');
    await testid('export-start').click();
    const done = testid('export-done');
    const error = testid('export-error');
    await done.or(error).waitFor({ timeout: 180_000 });
    await shot('10-export');
    expect(await error.isVisible(), (await error.textContent().catch(() => null)) ?? '').toBe(false);
    expect(await done.isVisible()).toBe(true);
    const out = join(work, 'exported-model');
    expect(existsSync(out)).toBe(true);
    for (const f of ['labels.json', 'preprocessing.json']) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
