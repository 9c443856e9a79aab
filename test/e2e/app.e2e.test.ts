// End to end: the real UI in Debian's Chromium (playwright-core) against the real `anneal serve`
// on real data: generate a dataset and inspect it, preview a schedule, find a rate, fine-tune
// twice while the charts update (with a pause and a resume), compare the runs, evaluate,
// predict, export. Screenshots go to test-artifacts/e2e/ for a person to look at.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { BIN, readJsonl, tempDir, writeJson } from '../cli/helpers.js';
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
  /** Waits until the Train screen's job is in `state`. */
  const trainState = (state: string, timeout: number, polling = 500) =>
    page.waitForFunction(
      (s) => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-state') === s,
      state,
      { timeout, polling },
    );
  const points = async (id: string) => Number(await testid(id).getAttribute('data-points'));
  const runDirs = () =>
    existsSync(join(work, 'runs'))
      ? readdirSync(join(work, 'runs'))
          .filter((d) => !d.startsWith('.')) // .anneal-workspace.json: the screens' settings
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
    for (const name of [
      'Dataset',
      'Model',
      'Schedule',
      'LR finder',
      'Train',
      'Runs',
      'Sweeps',
      'Evaluate',
      'Predict',
      'Export',
    ])
      await expect(page.getByRole('navigation').getByRole('button', { name, exact: true }).isVisible()).resolves.toBe(
        true,
      );
    // app.info answers after the first paint (with the workspace, on a loaded machine: later).
    await page.getByText('serve mode').waitFor({ timeout: 30_000 });
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
    // 1 frozen + 2 epochs at the dataset's own 12 steps each (96 training images, auto batch 8).
    await expect(testid('schedule-steps').textContent()).resolves.toMatch(
      /12\s+\(96 training images in batches of 8, auto\)/,
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid="schedule-chart"]')?.getAttribute('data-points') === '36',
    );
    expect(await testid('schedule-error').count()).toBe(0);
    // One row per stage: the frozen one gives the head a rate and the other groups "frozen".
    const stages = testid('group-rates').locator('tbody tr');
    await expect(stages.count()).resolves.toBe(2);
    await expect(stages.first().locator('td').filter({ hasText: 'frozen' }).count()).resolves.toBe(6); // label + 5
    await expect(
      stages
        .nth(1)
        .locator('td')
        .filter({ hasText: /^frozen$/ })
        .count(),
    ).resolves.toBe(0);
    // The legend under the cursor: small rates in scientific notation, never "0" or "--".
    // Three quarters in: the unfrozen stage, where every group trains.
    const over = testid('schedule-chart').locator('.u-over');
    const box = (await over.boundingBox())!;
    await over.hover({ position: { x: box.width * 0.75, y: box.height / 2 } });
    const legend = await testid('schedule-chart').locator('.u-legend .u-series .u-value').allTextContents();
    expect(legend.slice(1), legend.join(' ')).toHaveLength(6);
    for (const v of legend.slice(1)) expect(v).toMatch(/^\d\.\d\de-\d+$/);
    await shot('3-schedule');
  });

  it('runs the LR finder and uses its suggestion', async () => {
    await nav('LR finder');
    await page.getByLabel('Steps').fill('20');
    await testid('lr-run').click();
    // Drawn live: points and a progress count before the test ends.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="lr-progress"]')?.getAttribute('data-done')) >= 3,
      undefined,
      { timeout: 120_000, polling: 100 },
    );
    expect(await points('lr-chart')).toBeGreaterThanOrEqual(1);
    await shot('4a-lr-finder-live');
    await testid('lr-use-valley')
      .or(testid('lr-flat'))
      .waitFor({ timeout: 120_000 })
      .finally(() => shot('4-lr-finder'));
    // The suggestions are marked on the curve, labelled.
    expect(Number(await testid('lr-chart').getAttribute('data-markers'))).toBe(
      await page.locator('[data-testid^="lr-use-"]').count(),
    );
    expect(await points('lr-chart')).toBeGreaterThanOrEqual(3);
    if (await testid('lr-flat').count()) {
      // 20 noisy steps on 96 images can fall by less than 5 %: then it says so and offers nothing.
      expect(await page.locator('[data-testid^="lr-use-"]').count()).toBe(0);
      await testid('lr-chart').locator('.u-over').click(); // a click on the curve still sets a rate
    } else {
      await testid('lr-use-valley').click();
    }
    await expect(testid('lr-used').textContent()).resolves.toMatch(/rate is now \d\.\d\de[-+]\d+/);
    await shot('4-lr-finder');
    // Back to a known rate for the runs below.
    await nav('Schedule');
    await testid('schedule-base-lr').fill('0.01');
  }, 240_000);

  it('fine-tunes with live charts, pauses, resumes, changes the rate, and finishes', async () => {
    await nav('Train');
    // What will run, before Start: data, model, size, stages explained, batch and steps, backend.
    const plan = testid('train-plan');
    await expect(plan.textContent()).resolves.toMatch(/120 images in 4 classes;\s+96 train, 24 validation/);
    await expect(plan.textContent()).resolves.toMatch(/3 epochs in all:\s+1 “frozen”\s+\(only the new head trains/);
    await expect(plan.textContent()).resolves.toMatch(
      /8 \(auto: from the number of training images\) → 12 steps per epoch/,
    );
    // The backends this machine has, probed in a job (anneal doctor), before anything starts.
    await page.waitForFunction(
      () => /for every layer/.test(document.querySelector('[data-testid="train-plan-backend"]')?.textContent ?? ''),
      undefined,
      { timeout: 120_000 },
    );
    // The image size in pixels, also when it is the model's own (the bundled resnet_micro's 32 px).
    await expect(testid('train-plan-size').textContent()).resolves.toMatch(/\d+ px/);
    // On wasm (no GPU), the CPU threads it will use: the count `anneal doctor` reports.
    await expect(testid('train-plan-backend').textContent()).resolves.toMatch(
      /(wasm .*with \d+ threads?|webgpu|tensorflow)[^;]* for every layer/s,
    );
    await shot('5a-train-plan');
    await testid('train-start').click();
    const status = testid('train-status');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="train-status"]')?.getAttribute('data-updates')) >= 3,
      undefined,
      { timeout: 120_000 },
    );
    // A reload mid-training: the run's charts come back from its store and the job is followed again.
    const before = await points('chart-loss');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="main"]')?.getAttribute('data-saved') === 'yes',
    );
    await page.reload();
    await testid('main').and(page.locator('[data-workspace="loaded"]')).waitFor({ timeout: 60_000 });
    await expect(page.locator('nav button[aria-current="page"]').textContent()).resolves.toMatch(/Train/);
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points')) >= n &&
        Number(document.querySelector('[data-testid="train-status"]')?.getAttribute('data-updates')) >= 2,
      before,
      { timeout: 120_000 },
    );
    expect(await status.getAttribute('data-state')).toBe('running');
    await shot('5b-train-reloaded-mid-run');
    const early = await points('chart-loss');
    expect(early).toBeGreaterThan(0);
    await testid('train-pause').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-state') === 'paused',
    );
    // The job applies the pause before its next step and records it; from then on no step runs
    // until the resume, which records the same step (no fixed waits: the run store says when).
    const runEvents = () => readJsonl<{ type: string; step?: number }>(join(runDirs()[0]!, 'events.jsonl'));
    await expect.poll(() => runEvents().find((e) => e.type === 'pause'), { timeout: 60_000 }).toBeTruthy();
    // The screen holds still too: nothing arrives while the paused screen is captured.
    const held = await status.getAttribute('data-updates');
    await shot('5-train-paused');
    expect(await status.getAttribute('data-updates')).toBe(held);
    await testid('train-resume').click();
    await expect.poll(() => runEvents().find((e) => e.type === 'resume'), { timeout: 60_000 }).toBeTruthy();
    expect(runEvents().find((e) => e.type === 'resume')!.step).toBe(runEvents().find((e) => e.type === 'pause')!.step);
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
    // The headline: final and best validation numbers with their epochs, time, what next.
    const headline = testid('train-headline');
    await headline.waitFor({ timeout: 30_000 });
    await expect(headline.textContent()).resolves.toMatch(
      /Final validation accuracy \d\.\d{3}, loss \d\.\d{3} \(epoch 3\)\.\s+Best \d\.\d{3}, loss \d\.\d{3} \(epoch \d/,
    );
    for (const b of ['headline-evaluate', 'headline-export', 'headline-predict'])
      expect(await testid(b).isVisible()).toBe(true);
    await shot('6-train-done');
    // Everything the screen showed is in the run store, and so are the controls it sent.
    const [run] = runDirs();
    const events = readJsonl<{ type: string; scaleTo?: number }>(join(run!, 'events.jsonl')).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['start', 'pause', 'resume', 'lr-change', 'done']));
  }, 300_000);

  it('restores the finished run, the dataset and the schedule after a reload', async () => {
    const loss = await points('chart-loss');
    const headline = await testid('train-headline').textContent();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="main"]')?.getAttribute('data-saved') === 'yes',
    );
    await page.reload();
    await testid('main').and(page.locator('[data-workspace="loaded"]')).waitFor({ timeout: 60_000 });
    await testid('train-headline').waitFor({ timeout: 30_000 });
    expect(await testid('train-headline').textContent()).toBe(headline);
    // Every step from the store (3 epochs of 12), even those the live stream's throttle skipped.
    expect(await points('chart-loss')).toBe(36);
    expect(loss).toBeLessThanOrEqual(36); // never a step twice
    expect(await points('chart-accuracy')).toBe(3);
    expect(await testid('train-status').getAttribute('data-state')).toBe('done');
    await expect(testid('train-plan').textContent()).resolves.toMatch(/120 images in 4 classes/);
    await shot('6b-train-after-reload');
    await nav('Schedule');
    await expect(testid('schedule-epochs').inputValue()).resolves.toBe('2');
    await expect(testid('schedule-base-lr').inputValue()).resolves.toBe('0.01');
    await nav('Dataset');
    await expect(testid('dataset-path').inputValue()).resolves.toMatch(/shapes$/);
    await expect(testid('dataset-restored').textContent()).resolves.toMatch(/120\s+images in\s+4\s+classes/);
  });

  it('trains a second run, stops it mid-epoch (not "best", no ETA), and compares the two', async () => {
    await nav('Schedule');
    await testid('schedule-epochs').fill('1');
    await nav('Train');
    await testid('train-start').click();
    // Stop in the unfrozen epoch, a few steps in.
    await page.waitForFunction(
      () =>
        /epoch 2\/2[\s\S]*step ([3-9]|1[01])\/12/.test(
          document.querySelector('[data-testid="train-stats"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 240_000, polling: 100 },
    );
    await testid('train-stop').click();
    await trainState('stopped', 240_000);
    const headline = testid('train-headline');
    await headline.waitFor({ timeout: 30_000 });
    // The cut epoch is recorded (to resume from) but the best stays the full epoch before it.
    await expect(headline.textContent()).resolves.toMatch(/stopped[\s\S]*\(epoch 2\)\.\s+Best[^(]*\(epoch 1;/);
    expect(await page.getByText(/ETA/).count()).toBe(0);
    await shot('6c-train-stopped');
    await nav('Runs');
    await testid('runs-table').locator('tbody tr').nth(1).waitFor();
    expect(await testid('runs-table').locator('tbody tr').count()).toBe(2);
    // Columns that tell runs apart: recipe, rate, image size, batch, augmentation.
    const headers = await testid('runs-table').locator('thead th').allTextContents();
    for (const h of ['recipe', 'rate', 'image size', 'batch', 'augmentation']) expect(headers).toContain(h);
    await expect(testid('runs-table').locator('tbody').textContent()).resolves.toMatch(
      /fine_tune 1\+2[\s\S]*fine_tune 1\+1/,
    );
    await page.getByRole('button', { name: 'epochs' }).click();
    await page.getByRole('button', { name: /^epochs/ }).click(); // descending: 3 epochs first
    const epochsColumn = (await testid('runs-table').locator('thead th').allTextContents()).findIndex((h) =>
      h.startsWith('epochs'),
    );
    await expect(
      testid('runs-table').locator('tbody tr').first().locator('td').nth(epochsColumn).textContent(),
    ).resolves.toBe('3');
    for (const box of await testid('runs-table').getByRole('checkbox').all()) await box.check();
    await testid('runs-compare').click();
    await testid('runs-chart').waitFor();
    expect(await points('runs-chart')).toBe(3);
    expect(await testid('runs-chart').locator('.u-legend .u-series').count()).toBe(3); // x + 2 runs
    await shot('7-runs');
  }, 300_000);

  it('shows the CPU thread count beside the device on the Train screen', async () => {
    await nav('Train');
    const status = await testid('train-status').textContent();
    // The server's jobs run on wasm here (no GPU): its XNNPACK pool's size, as `anneal doctor` reports it.
    expect(status).toMatch(/on wasm \(.+, \d+ threads?\)/);
    expect(Number((await testid('train-threads').textContent())!.split(' ')[0])).toBeGreaterThanOrEqual(1);
    await shot('7b-train-threads');
    // Back where the next step expects the app: the Runs screen, sorted as the comparison left it.
    await nav('Runs');
  });

  // Issue 13: the training steps' engine (onnxruntime beside a CPU backend), in "What will run".
  it('names the engine of the training steps in What will run', async () => {
    await nav('Train');
    await page.waitForFunction(
      () => /for every layer/.test(document.querySelector('[data-testid="train-plan-backend"]')?.textContent ?? ''),
      undefined,
      { timeout: 120_000 },
    );
    const backend = (await testid('train-plan-backend').textContent()) ?? '';
    if (/^\s*(wasm|cpu)\b/.test(backend)) {
      await expect(testid('train-plan-engine').textContent()).resolves.toBe('onnxruntime');
      await expect(testid('train-plan-engine').getAttribute('title')).resolves.toMatch(/CPU/);
    }
    await shot('7c-train-engine');
    await nav('Runs');
  });

  it('shows a run in detail: config, its events on its curves, a config diff; resumes a stopped run', async () => {
    // Sorted by epochs, descending: the first row is the 3-epoch run with the pause and rate change.
    await testid('runs-table').locator('tbody tr').first().getByTestId('run-open').click();
    await testid('run-detail').waitFor({ timeout: 30_000 });
    await expect(testid('run-config').textContent()).resolves.toContain('"recipe"');
    // pause, resume and the rate change, marked on the per-step curve.
    expect(Number(await testid('run-loss').getAttribute('data-markers'))).toBeGreaterThanOrEqual(3);
    await expect(testid('run-events').textContent()).resolves.toMatch(/lr-change/);
    await testid('run-diff-with').selectOption({ index: 1 });
    await testid('run-diff').waitFor({ timeout: 30_000 });
    await expect(testid('run-diff').textContent()).resolves.toMatch(/recipe\.epochs\s*2\s*1/);
    await shot('7b-run-detail');
    // The stopped run: Resume continues it from its last checkpoint, on the Train screen.
    await testid('run-back').click();
    await testid('runs-table').locator('tbody tr').nth(1).getByTestId('run-open').click();
    await testid('run-resume').click();
    await trainState('done', 240_000);
    expect(await points('chart-accuracy')).toBe(2); // the frozen epoch and the unfrozen one, once each
    await shot('7c-run-resumed');
    await nav('Runs');
    await testid('runs-table').locator('tbody tr').nth(1).waitFor();
  }, 300_000);

  it('evaluates a run from the Runs screen at once: baseline, cells with their images, top losses named', async () => {
    await testid('runs-table').locator('tbody tr').first().getByRole('button', { name: 'Evaluate' }).click();
    await testid('confusion').waitFor({ timeout: 120_000 }); // started without another click
    expect(await testid('confusion').locator('tbody tr').count()).toBe(4);
    expect(await testid('per-class').locator('tbody tr').count()).toBe(4);
    expect(await testid('top-losses').locator('img').count()).toBeGreaterThan(0);
    // 30 images per class: always answering the largest class scores a quarter.
    await expect(testid('eval-baseline').textContent()).resolves.toBe('0.250');
    // k = 5 ≥ 4 classes: top-k says nothing, so it is not shown.
    await expect(testid('eval-summary').textContent()).resolves.not.toMatch(/top-/);
    await expect(testid('top-losses').locator('figcaption').first().textContent()).resolves.toMatch(
      /\.png\s*\w+ → \w+ \(\d\.\d\d\)/,
    );
    await shot('8-evaluate');
    await testid('cell-0-0').click();
    await testid('cell-images').locator('figure').first().waitFor({ timeout: 30_000 });
    await testid('cell-images').locator('img').first().waitFor({ timeout: 30_000 });
    const caption = await testid('cell-images').locator('figcaption').first().textContent();
    expect(caption).toMatch(/\.png/);
    expect(caption).toMatch(/circle \d\.\d\d/); // every class's probability
    await testid('cell-title').scrollIntoViewIfNeeded();
    await shot('8b-evaluate-cell');
  }, 300_000);

  it('predicts the class of a chosen image, shown as the model sees it', async () => {
    await nav('Predict');
    const image = join(work, 'shapes', 'circle', readdirSync(join(work, 'shapes', 'circle'))[0]!);
    await testid('predict-file').setInputFiles(image);
    await testid('predict-top').waitFor({ timeout: 120_000 });
    expect(await testid('predict-top').locator('tbody tr').count()).toBe(4);
    await testid('predict-view').locator('img').waitFor();
    await shot('9-predict');
  });

  it('predicts a whole folder: a sortable table, bad files listed, the CLI’s CSV', async () => {
    const dir = join(work, 'to-predict');
    mkdirSync(dir);
    for (const f of readdirSync(join(work, 'shapes', 'square')).slice(0, 6))
      copyFileSync(join(work, 'shapes', 'square', f), join(dir, f));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    await testid('predict-dir').fill(dir);
    await testid('predict-folder').click();
    await testid('predict-table').waitFor({ timeout: 120_000 });
    expect(await testid('predict-table').locator('tbody tr').count()).toBe(6);
    await expect(testid('predict-skipped').textContent()).resolves.toContain('notes.txt');
    await page.getByRole('button', { name: /^probability/ }).click(); // most confident first
    const probs = (await testid('predict-table').locator('tbody tr td:nth-child(3)').allTextContents()).map(Number);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    const href = await testid('predict-csv').getAttribute('href');
    const csv = decodeURIComponent(href!.slice(href!.indexOf(',') + 1));
    expect(csv.split('\n')[0]).toMatch(/^image,error,top1,p1,top2,p2,top3,p3,p:/);
    expect(csv.trim().split('\n')).toHaveLength(1 + 7);
    await shot('9b-predict-folder');
  }, 300_000);

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

  it('says what each pretrained model knows, and warns about an image size far from it', async () => {
    await nav('Model');
    const micro = testid('model-catalog').locator('tr', { hasText: 'resnet_micro' });
    await expect(micro.getByTestId('bundled-info').textContent()).resolves.toMatch(/12 classes .* at 32 px/);
    await expect(micro.getByTestId('bundled-note').textContent()).resolves.toMatch(/ImageNet weights .* far better/);
    const r18 = testid('model-catalog').locator('tr', { hasText: 'ResNet-18' });
    await expect(r18.textContent()).resolves.toMatch(/11\.7 M.*ImageNet-1k.*44\.7 MB download/s);
    await page.getByLabel("Image size (px, empty: the model's)").fill('64');
    await expect(testid('size-advice').textContent()).resolves.toMatch(/64 px is far from the 32 px/);
    await shot('11-model-info');
    await page.getByLabel("Image size (px, empty: the model's)").fill('48');
    expect(await testid('size-advice').count()).toBe(0);
  });

  it('lists duplicate groups with thumbnails, label conflicts first, and transparency', async () => {
    // The shapes plus a copy filed under another class, a resized copy, and transparent PNGs.
    const dups = join(work, 'dups');
    cpSync(join(work, 'shapes'), dups, { recursive: true });
    const circle = join(dups, 'circle', readdirSync(join(dups, 'circle'))[0]!);
    copyFileSync(circle, join(dups, 'square', 'filed-twice.png'));
    await sharp(circle)
      .resize(64, 64)
      .toFile(join(dups, 'circle', 'bigger-copy.png'));
    for (let k = 0; k < 3; k++) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="${8 + k * 3}" fill="#000"/></svg>`;
      await sharp(Buffer.from(svg))
        .png()
        .toFile(join(dups, 'circle', `transparent-${k}.png`));
    }
    await nav('Dataset');
    await testid('dataset-path').fill(dups);
    await testid('dataset-load').click();
    // 120 shapes + 5 new files.
    await page.waitForFunction(
      () => /125\s+images/.test(document.querySelector('[data-testid="dataset-summary"]')?.textContent ?? ''),
      undefined,
      { timeout: 120_000 },
    );
    await expect(testid('duplicate-summary').textContent()).resolves.toMatch(/1 span two or more classes/);
    const first = testid('duplicate-groups').locator('.dup-group').first();
    await expect(first.textContent()).resolves.toMatch(/Label conflict.*filed-twice\.png/s);
    expect(await first.locator('img').count()).toBeGreaterThanOrEqual(2);
    await expect(testid('transparency').textContent()).resolves.toMatch(/3 images have transparent pixels/);
    await testid('augment-preview').click();
    await testid('augment-image').waitFor({ timeout: 60_000 });
    await testid('thumbnails').locator('img').first().waitFor({ timeout: 30_000 });
    await shot('12-duplicates');
  });

  it('trains at 48 px (the bundled model is 32 px) and predicts from that run', async () => {
    await nav('Train');
    await testid('train-start').click();
    await trainState('done', 300_000);
    const run = runDirs().at(-1)!;
    expect(readJsonl<{ type: string }>(join(run, 'events.jsonl')).map((e) => e.type)).toContain('duplicates');
    await nav('Predict');
    await page.getByRole('button', { name: '↻' }).click();
    await testid('predict-run').locator(`option[value="${run}"]`).waitFor({ state: 'attached' });
    await testid('predict-run').selectOption(run);
    const image = join(work, 'shapes', 'square', readdirSync(join(work, 'shapes', 'square'))[0]!);
    await testid('predict-file').setInputFiles(image);
    await testid('predict-top').waitFor({ timeout: 120_000 });
    expect(await testid('predict-top').locator('tbody tr').count()).toBe(4);
    await shot('13-predict-48px');
  });

  it('shows a sweep: ranked trials, scatter on a log axis, parallel coordinates, curves; trains the best config', async () => {
    // A real 4-trial sweep on generated shapes, run by the CLI into the server's sweeps/ folder.
    const data = join(work, 'sweep-shapes');
    await makeShapes(data, 12);
    writeJson(work, 'sweep.json', {
      name: 'e2e',
      base: { data, model: 'resnet_micro', imageSize: 32, recipe: { type: 'fineTune', epochs: 1, freezeEpochs: 1 } },
      trials: 4,
      seed: 2,
      parameters: {
        'recipe.baseLr': { type: 'logUniform', min: 1e-5, max: 1e-1 },
        'optimizer.weightDecay': { type: 'logUniform', min: 1e-7, max: 1e-1 },
        batchSize: { type: 'choice', values: [8, 16] },
      },
    });
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'sweep', '--config', 'sweep.json'], { cwd: work, stdio: 'ignore' });
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    await nav('Sweeps');
    await testid('sweep-table').locator('tbody tr').nth(3).waitFor({ timeout: 60_000 });
    expect(await testid('sweep-table').locator('tbody tr').count()).toBe(4);
    await expect(testid('sweep-summary').textContent()).resolves.toMatch(/4 trials/);
    expect(await points('sweep-scatter')).toBe(4);
    await expect(testid('sweep-scatter').textContent()).resolves.toMatch(/\(log\)/);
    expect(await testid('sweep-parallel').getAttribute('data-lines')).toBe('4');
    expect(await testid('sweep-parallel').getAttribute('data-axes')).toBe('4'); // 3 parameters + the metric
    expect(await points('sweep-curves')).toBe(2);
    await shot('11-sweeps');
    await nav('Runs');
    await testid('sweep-group').first().waitFor();
    expect(await testid('sweep-group').first().locator('tbody tr').count()).toBe(4);
    await shot('12-runs-sweep-group');
    await nav('Sweeps');
    await testid('sweep-train-best').click();
    // The Train screen takes over, with the best trial's config.
    await testid('train-status').waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () =>
        ['done', 'failed', 'stopped'].includes(
          document.querySelector('[data-testid="train-status"]')?.getAttribute('data-state') ?? '',
        ),
      undefined,
      { timeout: 240_000, polling: 500 },
    );
    await shot('13-train-best-config');
    const status = testid('train-status');
    expect(await status.getAttribute('data-state'), (await status.textContent()) ?? '').toBe('done');
  }, 600_000);

  it('shows the files decoded, and the time left, while it inspects a larger folder', async () => {
    await nav('Dataset');
    await page.getByText('No dataset at hand?').click();
    await testid('sample-dir').fill('more-shapes');
    await page.getByLabel('Images per class').fill('400');
    await testid('sample-make').click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="inspect-progress"]')?.getAttribute('data-done')) > 0,
      undefined,
      { timeout: 120_000, polling: 20 },
    );
    await expect(testid('inspect-progress').textContent()).resolves.toMatch(
      /Decoding every file: [\d,]+ \/ 1,600 images/,
    );
    await shot('1b-dataset-inspecting');
    await page.waitForFunction(
      () => /1600\s+images/.test(document.querySelector('[data-testid="dataset-summary"]')?.textContent ?? ''),
      undefined,
      { timeout: 120_000 },
    );
  }, 300_000);

  // Issue 15 (server hardening): the token every socket needs, and the upload limit, as a user meets them.
  it('queues a range test behind a training job, and says so on screen', async () => {
    await nav('Train');
    await testid('train-start').click();
    await trainState('running', 120_000, 250);
    await nav('LR finder');
    await testid('lr-run').click();
    await testid('lr-queue').waitFor({ timeout: 30_000 });
    expect(await testid('lr-queue').textContent()).toContain('1 training job ahead');
    await shot('12-lr-queued');
    // It starts when the training job ends, and the note goes.
    await testid('lr-queue').waitFor({ state: 'detached', timeout: 240_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="lr-run"]')?.textContent?.trim() === 'Run',
      undefined,
      { timeout: 180_000, polling: 500 },
    );
  }, 400_000);

  it('refuses a dropped image over the upload limit with both sizes', async () => {
    await nav('Predict');
    const big = { name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(33 * 2 ** 20) };
    await testid('predict-file').setInputFiles(big);
    await expect(
      page.getByText('this image is 33 MB; the upload limit is 32 MB').waitFor({ timeout: 30_000 }),
    ).resolves.toBeUndefined();
  });

  it('keeps the token out of the address bar; the bare address still connects in this browser', async () => {
    expect(page.url()).not.toContain('token=');
    await page.goto(`${new URL(server.url).origin}/`);
    await expect(page.getByText('serve mode').waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
  });

  it('tells a browser without the token (another account) what to open, and serves it nothing', async () => {
    const other = await browser.newContext();
    const stranger = await other.newPage();
    await stranger.goto(`${new URL(server.url).origin}/`);
    await expect(
      stranger.getByText('this page has no access token').waitFor({ timeout: 30_000 }),
    ).resolves.toBeUndefined();
    await stranger.screenshot({ path: join(shots, '11-no-token.png'), fullPage: true });
    await other.close();
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
