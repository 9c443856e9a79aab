// End to end: the real UI in Debian's Chromium (playwright-core) against the real `anneal serve`
// on real data: generate a dataset and inspect it, preview a schedule, find a rate, fine-tune
// twice while the charts update (with a pause and a resume), compare the runs, evaluate,
// predict, export. Screenshots go to test-artifacts/e2e/ for a person to look at.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { anneal, BIN, readJsonl, tempDir, writeJson } from '../cli/helpers.js';
import { closeApp, openPage, pageHelpers } from './app-page.js';
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
  const { shot, nav, testid, trainState } = pageHelpers(() => page);
  const points = async (id: string) => Number(await testid(id).getAttribute('data-points'));
  const runDirs = () =>
    existsSync(join(work, 'runs'))
      ? readdirSync(join(work, 'runs'))
          .filter((d) => !d.startsWith('.')) // .anneal-workspace.json: the screens' settings
          .map((d) => join(work, 'runs', d))
          .sort()
      : [];

  beforeAll(async () => {
    work = tempDir('anneal-e2e-');
    // Steps of at least 150 ms (jobs/hold.ts): the Stop clicks below land inside an epoch.
    server = await serve(work, [], { ANNEAL_TEST_STEP_MS: '150' });
    ({ browser, page } = await openPage(CHROMIUM!, server.url, consoleErrors));
  }, 180_000);

  afterAll(() => closeApp(browser, server, work));

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
    // What computed the steps, as training names it (onnxruntime on this CPU, unless told otherwise).
    await expect(testid('lr-engine').textContent()).resolves.toMatch(/^\d+ steps, computed by (onnxruntime|TF\.js)/);
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
    await expect(headline.textContent()).resolves.toMatch(
      /stopped[\s\S]*\(stopped at epoch 2, step \d+\/12 \(partial epoch\): over part of its data\)\.\s+Best[^(]*\(epoch 1;/,
    );
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

  // Issue 17, items 5–6: test-time augmentation and Grad-CAM. Self-contained (a dataset and a run
  // are made here when the steps above did not run), so `-t "issue 17"` runs them alone.
  const issue17Run = async (): Promise<string> => {
    const trained = () => runDirs().find((d) => existsSync(join(d, 'model', 'anneal.json')));
    if (!trained()) {
      if (!existsSync(join(work, 'shapes'))) await makeShapes(join(work, 'shapes'), 30);
      const r = anneal(['train', '--data', 'shapes', '--epochs', '2', '--freeze-epochs', '1', '--out', 'runs'], work);
      expect(r.status, r.stderr.slice(-1500)).toBe(0);
    }
    return trained()!;
  };
  /** Picks `run`; returns the run picked before (the steps after these expect it back). */
  const pickRun = async (picker: string, run: string): Promise<string> => {
    const before = await testid(picker).inputValue();
    await page.getByRole('button', { name: '↻' }).click();
    await testid(picker).locator(`option[value="${run}"]`).waitFor({ state: 'attached', timeout: 30_000 });
    await testid(picker).selectOption(run);
    return before;
  };

  it('issue 17: evaluates with test-time augmentation, Grad-CAM overlays beside the top losses and a cell’s images', async () => {
    const run = await issue17Run();
    await nav('Evaluate');
    await pickRun('eval-run', run);
    await testid('eval-tta').check();
    await testid('eval-start').click();
    await testid('eval-tta-summary').waitFor({ timeout: 180_000 });
    await expect(testid('eval-tta-summary').textContent()).resolves.toMatch(
      /the plain view and 4 views of the run's training augmentation, combined as fastai's tta \(beta 0\.25, seed 0\)\. Without it: accuracy \d\.\d+/,
    );
    await testid('eval-gradcam').check();
    await testid('loss-gradcam').first().waitFor({ timeout: 120_000 });
    expect(await testid('loss-gradcam').count()).toBe(await testid('top-losses').locator('figure').count());
    // Each heatmap is of the class the (test-time-augmented) evaluation predicted.
    for (const caption of await testid('top-losses').locator('figcaption').allTextContents())
      expect(caption).toMatch(/→ (\w+) \(.*heatmap: \1$/s);
    await shot('17-evaluate-tta-gradcam');
    await testid('cell-1-1').click();
    // Every image of the cell gets its overlay (some may be top losses, loaded already).
    await page.waitForFunction(
      () => {
        const cell = document.querySelector('[data-testid="cell-images"]');
        const figures = cell?.querySelectorAll('figure').length ?? 0;
        return figures > 0 && cell!.querySelectorAll('[data-testid="cell-gradcam"]').length === figures;
      },
      undefined,
      { timeout: 120_000, polling: 500 },
    );
    await expect(testid('cell-images').locator('figcaption').first().textContent()).resolves.toMatch(/heatmap: \w+/);
    await testid('cell-title').scrollIntoViewIfNeeded();
    await shot('17b-evaluate-cell-gradcam');
  }, 600_000);

  it('issue 17: predicts one image with test-time augmentation and its Grad-CAM overlay', async () => {
    const run = await issue17Run();
    await nav('Predict');
    const before = await pickRun('predict-run', run);
    await testid('predict-tta').check();
    await testid('predict-gradcam').check();
    const image = join(work, 'shapes', 'cross', readdirSync(join(work, 'shapes', 'cross'))[1]!);
    await testid('predict-file').setInputFiles(image);
    await testid('predict-gradcam-view').locator('img').waitFor({ timeout: 120_000 });
    expect(await testid('predict-top').locator('tbody tr').count()).toBe(4);
    await testid('predict-tta-note').waitFor();
    await expect(testid('predict-gradcam-view').textContent()).resolves.toMatch(/where the model looked for “\w+”/);
    await shot('17c-predict-tta-gradcam');
    await testid('predict-tta').uncheck();
    await testid('predict-gradcam').uncheck();
    if (before) await testid('predict-run').selectOption(before);
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

  // Issue 17 item 4: progressive resizing (its own block; the field is cleared again at the end).
  it('trains at 32 px then 48 px (progressive resizing): the field, the preview and chart markers, the saved size', async () => {
    await nav('Schedule');
    await testid('schedule-mode').selectOption('fineTune');
    // One size for the recipe's two stages: said under the field, in words.
    await testid('schedule-stage-sizes').fill('32');
    await expect(testid('schedule-sizes-error').textContent()).resolves.toBe(
      'gives 1 size for 2 stages: give one per stage',
    );
    await testid('schedule-stage-sizes').fill('32, 48');
    expect(await testid('schedule-sizes-error').count()).toBe(0);
    await expect(testid('schedule-json').inputValue()).resolves.toMatch(/"imageSize": 48/);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="schedule-chart"]')?.getAttribute('data-markers') === '2',
    );
    await expect(testid('stage-size').allTextContents()).resolves.toEqual(['32 px', '48 px']);
    await shot('17b-1-schedule-stage-sizes');
    await nav('Train');
    await expect(testid('train-plan-size').textContent()).resolves.toMatch(
      /32 px \(“frozen”\), then 48 px \(“unfrozen”\): progressive resizing; the model is saved at 48 px/,
    );
    await testid('train-start').click();
    await trainState('done', 300_000);
    const run = runDirs().at(-1)!;
    const epochs = readJsonl<{ type: string; imageSize?: number }>(join(run, 'metrics.jsonl')).filter(
      (r) => r.type === 'epoch',
    );
    expect(epochs[0]!.imageSize).toBe(32);
    expect(epochs.at(-1)!.imageSize).toBe(48);
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(join(run, 'model', 'anneal.json'), 'utf8')).inputSize).toBe(48);
    for (const chart of ['chart-loss', 'chart-accuracy', 'chart-lr', 'chart-epoch-loss'])
      await expect(testid(chart).getAttribute('data-markers')).resolves.toBe('2');
    await shot('17b-2-train-size-markers');
    await nav('Schedule');
    await testid('schedule-stage-sizes').fill('');
    await expect(testid('schedule-json').inputValue()).resolves.toContain('"recipe"');
  }, 420_000);

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

  // Issue 17 items 1–3: label smoothing, MixUp/CutMix and an EMA of the weights, as a user sets them.
  it('trains with label smoothing, MixUp/CutMix and an EMA of the weights: controls, mixed preview, both validations', async () => {
    await nav('Dataset');
    await page.getByText('No dataset at hand?').click();
    await testid('sample-dir').fill('recipe-shapes');
    await page.getByLabel('Images per class').fill('20');
    await testid('sample-make').click();
    await expect(testid('dataset-summary').textContent({ timeout: 60_000 })).resolves.toMatch(
      /80\s+images in\s+4\s+classes/,
    );
    // MixUp and CutMix beside the augmentation preview: the preview gets the mixed rows.
    await testid('recipe-mixup').check();
    await testid('recipe-cutmix').check();
    const old = (await testid('augment-image').count()) ? await testid('augment-image').getAttribute('src') : null;
    await testid('augment-preview').click();
    await page.waitForFunction(
      (src) => {
        const img = document.querySelector('[data-testid="augment-image"]');
        return img !== null && img.getAttribute('src') !== src;
      },
      old,
      { timeout: 60_000 },
    );
    await shot('14a-dataset-mix-preview');
    // The Train screen's Regularisation card: a bad value is refused naming the field, Start waits.
    await nav('Train');
    await testid('recipe-smoothing').fill('1');
    await expect(testid('recipe-error').textContent()).resolves.toBe('labelSmoothing: must be < 1');
    expect(await testid('train-start').isDisabled()).toBe(true);
    await testid('recipe-smoothing').fill('0.1');
    await testid('recipe-ema').check();
    await testid('recipe-ema-decay').fill('0.9');
    await expect(testid('train-plan-recipes').textContent()).resolves.toBe(
      'label smoothing ε 0.1; MixUp α 0.4; CutMix α 1; batches mixed with probability 1, CutMix for 0.5 of them; ' +
        'EMA of the weights, decay 0.9 (with warmup)',
    );
    await shot('14b-train-recipes');
    const before = runDirs().length;
    await testid('train-start').click();
    await expect.poll(() => runDirs().length, { timeout: 120_000 }).toBeGreaterThan(before);
    await page.waitForFunction(() => document.querySelector('[data-testid="train-headline"]') !== null, undefined, {
      timeout: 300_000,
      polling: 500,
    });
    expect(await testid('train-status').getAttribute('data-state')).toBe('done');
    // The epoch charts carry a third line: the averaged weights' validation.
    expect(await testid('chart-accuracy').getAttribute('data-series')).toBe('3');
    expect(await testid('chart-epoch-loss').getAttribute('data-series')).toBe('3');
    await expect(testid('headline-ema').textContent()).resolves.toMatch(
      /The EMA of the weights: validation accuracy \d\.\d{3}, loss \d\.\d{3} at the last epoch/,
    );
    await shot('14c-train-recipes-done');
    // Export offers the average too (this run, from its headline), and the card says which weights it holds.
    await testid('headline-export').click();
    await testid('export-ema').check();
    await testid('export-out').fill('exported-ema');
    await testid('export-start').click();
    await testid('export-done').waitFor({ timeout: 240_000 });
    const card = page.frameLocator('iframe.card');
    await card
      .getByText(/checkpoint best \(epoch \d\), the weights' moving average, decay 0\.9/)
      .first()
      .waitFor();
    await card
      .getByText(/label smoothing ε 0\.1; MixUp α 0\.4; CutMix α 1/)
      .first()
      .waitFor();
    await shot('14d-export-ema');
    const run = runDirs().at(-1)!;
    const lines = readJsonl<{ type: string; mix?: unknown[]; ema_val_accuracy?: number }>(join(run, 'metrics.jsonl'));
    expect(lines.filter((l) => l.type === 'step').every((l) => Array.isArray(l.mix))).toBe(true);
    expect(lines.filter((l) => l.type === 'epoch').every((l) => typeof l.ema_val_accuracy === 'number')).toBe(true);
    expect(existsSync(join(run, 'model-ema', 'anneal.json'))).toBe(true);
  }, 500_000);
  // Issue 17, item 7: the label-error finder on the Dataset screen.
  it('finds mislabelled images, moves one to its suggested class, and undoes it', async () => {
    const errorsBefore = consoleErrors.length;
    const dir = join(work, 'relabel');
    await makeShapes(dir, 25);
    // Four files filed under the wrong class.
    for (const [from, to, k] of [
      ['square', 'circle', 3],
      ['circle', 'triangle', 5],
      ['triangle', 'cross', 7],
      ['cross', 'square', 9],
    ] as const)
      renameSync(join(dir, from, `${from}-${k}.png`), join(dir, to, `${from}-${k}.png`));
    await nav('Dataset');
    await testid('dataset-path').fill(dir);
    await testid('dataset-load').click();
    await page.waitForFunction(
      () => /100\s+images/.test(document.querySelector('[data-testid="dataset-summary"]')?.textContent ?? ''),
      undefined,
      { timeout: 120_000 },
    );
    await testid('issues-model').fill('resnet_micro');
    await testid('issues-run').click();
    await testid('issues-gallery').waitFor({ timeout: 180_000 });
    await expect(testid('issues-summary').textContent()).resolves.toMatch(/\d+ of 100 images look mislabelled/);
    const first = testid('issue').first();
    const caption = (await first.textContent()) ?? '';
    await testid('issues-gallery').scrollIntoViewIfNeeded();
    await shot('17-label-issues');
    const [, name, given, suggested] = /(\S+\.png)\s*(\w+) → (\w+)/.exec(caption)!;
    await first.getByTestId('issue-move').click();
    await testid('issues-undo').waitFor({ timeout: 30_000 });
    expect(existsSync(join(dir, suggested!, name!))).toBe(true);
    expect(existsSync(join(dir, given!, name!))).toBe(false);
    await expect(first.textContent()).resolves.toContain(`moved to ${suggested}`);
    await shot('17b-label-issues-moved');
    await testid('issues-undo').click();
    await testid('issues-undo').waitFor({ state: 'detached', timeout: 30_000 });
    expect(existsSync(join(dir, given!, name!))).toBe(true);
    expect(readJsonl<{ op: string }>(join(dir, '.anneal', 'label-moves.jsonl')).map((m) => m.op)).toEqual([
      'move',
      'undo',
    ]);
    expect(consoleErrors.slice(errorsBefore)).toEqual([]);
  }, 300_000);

  it('logged no errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});

// Issue 16's last gaps, on a server of their own (so `-t "issue 16 gaps"` runs them alone): a
// class the model never predicts, export and import progress on screen, and a run stopped in
// the middle of an epoch, labelled so, then resumed to finish that epoch.
describe.skipIf(!CHROMIUM)('issue 16 gaps: never-predicted flag, export and import progress, a cut epoch', () => {
  let work: string;
  let hold: string;
  let server: Served;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const { shot, nav, testid, trainState } = pageHelpers(() => page);
  const runDir = () =>
    join(
      work,
      'runs',
      readdirSync(join(work, 'runs')).find((d) => !d.startsWith('.'))!,
    );
  /** Runs a job whose first progress message the job layer holds (jobs/hold.ts) until `photograph` is done. */
  const held = async (kind: string, start: () => Promise<void>, photograph: () => Promise<void>) => {
    writeFileSync(join(hold, `hold-${kind}`), '');
    try {
      await start();
      await expect.poll(() => existsSync(join(hold, `held-${kind}`)), { timeout: 180_000 }).toBe(true);
      await photograph();
    } finally {
      rmSync(join(hold, `hold-${kind}`), { force: true });
    }
  };

  beforeAll(async () => {
    work = tempDir('anneal-e2e-i16-');
    hold = join(work, 'hold');
    mkdirSync(hold);
    // Four shapes, and a rare fifth class drawn like the squares: a model cannot tell it apart
    // from them, and with 3 images against 45 it answers "square" for it. 37 validation images:
    // more than one evaluation batch (32), so the export's progress has a step before the end.
    await makeShapes(join(work, 'lookalike'), 45);
    const extra = join(work, 'extra');
    await makeShapes(extra, 3, 32, 5);
    cpSync(join(extra, 'square'), join(work, 'lookalike', 'square-rare'), { recursive: true });
    rmSync(extra, { recursive: true });
    server = await serve(work, [], { ANNEAL_TEST_HOLD: hold, ANNEAL_TEST_STEP_MS: '150' });
    ({ browser, page } = await openPage(CHROMIUM!, server.url, consoleErrors));
    await page.getByText('serve mode').waitFor({ timeout: 60_000 });
  }, 180_000);

  afterAll(() => closeApp(browser, server, work));

  it('stops a run mid-epoch: the final numbers say "partial epoch" on Train, Runs and the run page', async () => {
    await testid('dataset-path').fill(join(work, 'lookalike'));
    await testid('dataset-load').click();
    await expect(testid('dataset-summary').textContent({ timeout: 120_000 })).resolves.toMatch(
      /183\s+images in\s+5\s+classes/,
    );
    await nav('Schedule');
    await testid('schedule-epochs').fill('1');
    await nav('Train');
    await testid('train-start').click();
    // A few steps into the unfrozen epoch, well before its end.
    await page.waitForFunction(
      () => {
        const m = /epoch 2\/2[\s\S]*step (\d+)\/(\d+)/.exec(
          document.querySelector('[data-testid="train-stats"]')?.textContent ?? '',
        );
        return m !== null && Number(m[1]) >= 3 && Number(m[1]) <= Number(m[2]) - 4;
      },
      undefined,
      { timeout: 240_000, polling: 100 },
    );
    await testid('train-stop').click();
    await trainState('stopped', 240_000);
    await testid('train-headline').waitFor({ timeout: 30_000 });
    await expect(testid('headline-partial').textContent()).resolves.toMatch(
      /stopped at epoch 2, step \d+\/\d+ \(partial epoch\)/,
    );
    await shot('17-train-stopped-partial');
    await nav('Runs');
    // A run's row, not the "No runs yet." row shown until the list has loaded.
    await testid('runs-table').locator('tbody tr').first().getByTestId('run-open').waitFor();
    await expect(testid('runs-table').locator('tbody').textContent()).resolves.toMatch(/partial \d+\/\d+/);
    await shot('18-runs-partial');
    await testid('runs-table').locator('tbody tr').first().getByTestId('run-open').click();
    await expect(testid('run-detail-partial').textContent({ timeout: 30_000 })).resolves.toMatch(
      /stopped at epoch 2, step \d+\/\d+ \(partial epoch\)[\s\S]*Resume finishes that epoch/,
    );
    await shot('19-run-detail-partial');
  }, 400_000);

  it('resumes the cut epoch where it stopped: every step of it once, and no "partial" left', async () => {
    const cut = readJsonl<{ type: string; partial?: boolean; epochStep?: number }>(join(runDir(), 'metrics.jsonl'))
      .filter((l) => l.type === 'epoch')
      .at(-1)!;
    expect(cut.partial).toBe(true);
    await testid('run-resume').click();
    await trainState('done', 240_000);
    const lines = readJsonl<{ type: string; step?: number; epoch: number; partial?: boolean }>(
      join(runDir(), 'metrics.jsonl'),
    );
    const steps = lines.filter((l) => l.type === 'step').map((l) => l.step);
    expect(steps).toEqual(steps.map((_, i) => i)); // each step once, none skipped
    expect(lines.filter((l) => l.type === 'epoch').map((l) => [l.epoch, l.partial ?? false])).toEqual([
      [0, false],
      [1, false],
    ]);
    const resumed = readJsonl<{ type: string; epochStep?: number }>(join(runDir(), 'events.jsonl')).find(
      (e) => e.type === 'resume-from-checkpoint',
    );
    expect(resumed?.epochStep).toBe(cut.epochStep);
    expect(await testid('headline-partial').count()).toBe(0);
    await shot('20-train-resumed-cut-epoch');
  }, 300_000);

  it('flags the class the model never predicts, beside the majority-class baseline', async () => {
    await testid('headline-evaluate').click();
    await testid('eval-never').waitFor({ timeout: 120_000 });
    // Which class the briefly trained model leaves out depends on its training (with 9 images,
    // usually square-rare): the flag must name exactly the columns of the matrix that hold no image.
    const classes = (await testid('confusion').locator('thead th').allTextContents()).slice(1);
    const rows = await testid('confusion').locator('tbody tr').count();
    const never: string[] = [];
    for (let j = 0; j < classes.length; j++) {
      let column = 0;
      for (let i = 0; i < rows; i++) column += Number(await testid(`cell-${i}-${j}`).textContent());
      if (column === 0) never.push(classes[j]!.replace(' ⚠', ''));
    }
    expect(never.length).toBeGreaterThan(0);
    const flag = (await testid('eval-never').textContent()) ?? '';
    for (const c of never) expect(flag).toContain(c);
    await expect(testid('confusion').locator('thead th.flag').allTextContents()).resolves.toEqual(
      never.map((c) => `${c} ⚠`),
    );
    // Always answering the largest class scores its share of the validation images.
    const support = (await testid('per-class').locator('tbody tr td:last-child').allTextContents()).map(Number);
    const largest = Math.max(...support) / support.reduce((a, b) => a + b, 0);
    await expect(testid('eval-baseline').textContent()).resolves.toBe(largest.toFixed(3));
    await shot('14-evaluate-never-predicted');
  }, 200_000);

  it('shows the export’s progress (the model card’s evaluation) while it runs', async () => {
    await nav('Export');
    await testid('export-out').fill('exported-rare');
    await held(
      'export',
      () => testid('export-start').click(),
      async () => {
        await page.waitForFunction(
          () => Number(document.querySelector('[data-testid="export-progress"]')?.getAttribute('data-done')) > 0,
          undefined,
          { timeout: 60_000, polling: 100 },
        );
        const [done, total] = await Promise.all(
          ['data-done', 'data-total'].map(async (a) => Number(await testid('export-progress').getAttribute(a))),
        );
        expect(done).toBeLessThan(total!); // held on the way, not at the end
        await expect(testid('export-progress').textContent()).resolves.toMatch(/\d+ \/ \d+ images evaluated/);
        await shot('15-export-progress');
      },
    );
    await testid('export-done').waitFor({ timeout: 180_000 });
    expect(existsSync(join(work, 'exported-rare', 'labels.json'))).toBe(true);
  }, 300_000);

  it('shows the import’s progress (read, map, write) while it runs', async () => {
    await nav('Model');
    const file = fileURLToPath(new URL('../../models/resnet_micro/model.json', import.meta.url));
    await page.getByLabel('File').fill(file);
    await page.getByLabel('Architecture').selectOption('resnet_micro');
    await page.getByLabel('Model dir').fill(join(work, 'imported'));
    await held(
      'import',
      () => page.getByRole('button', { name: 'Import', exact: true }).click(),
      async () => {
        await page.waitForFunction(
          () => Number(document.querySelector('[data-testid="import-progress"]')?.getAttribute('data-done')) > 0,
          undefined,
          { timeout: 60_000, polling: 100 },
        );
        await expect(testid('import-progress').textContent()).resolves.toMatch(/1 \/ 3 steps/);
        await testid('import-progress').scrollIntoViewIfNeeded();
        await shot('16-import-progress');
      },
    );
    await page.getByText(/Imported into .*imported/).waitFor({ timeout: 120_000 });
  }, 300_000);

  it('logged no errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
