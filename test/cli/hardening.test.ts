// Issue 15 items 10, 13, 14, 16–19 through the CLI, in-process (cli/program.ts takes argv and io):
// every user mistake is one line on stderr and exit 2, with no run folder left behind; printed
// file names cannot drive the terminal; a run stores absolute paths.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src-main/cli/program.js';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { anneal as spawnAnneal, tempDir, writeJson } from './helpers.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function anneal(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** Exit 2, exactly one line on stderr matching `message`, and nothing written under `runs`. */
async function refused(args: string[], message: RegExp): Promise<void> {
  const r = await anneal(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
}

let root: string;
let data: string;
let runs: string;
beforeAll(async () => {
  root = tempDir('anneal-hardening-');
  data = join(root, 'shapes');
  await makeShapes(data, 6, 32, 3);
  runs = join(root, 'runs');
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const train = (...extra: string[]) => ['train', '--data', data, '--image-size', '32', '--out', runs, ...extra];

describe('configs (items 16–18)', () => {
  it('weightDecay with the wrong number of per-group values: one line, no hang, no run folder', async () => {
    const config = writeJson(root, 'wd.json', {
      recipe: { type: 'fineTune', epochs: 1 },
      optimizer: { weightDecay: [0.1, 0.2] },
    });
    await refused(
      [...train('--config', config)],
      /^anneal: optimizer\.weightDecay: has 2 per-group values but the model has \d+ layer groups$/m,
    );
  });

  it.each([
    [{ schedule: { type: 'step', lr: 0.1, factor: -2, every: 1 } }, /schedule\.factor: must be > 0/],
    [
      { schedule: { type: 'exponential', lr: 0.1, decayRate: 1e10, decaySteps: 1 } },
      /gives the learning rate Infinity/,
    ],
    [
      { schedule: { type: 'oneCycle', maxLr: 0.1, totalSteps: 10, baseMomentum: 1.2 } },
      /baseMomentum: must be in \[0, 1\)/,
    ],
    [{ schedule: { type: 'cyclic', baseLr: 0.1, maxLr: 1, stepSizeUp: 2, gamma: -1 } }, /gamma: must be > 0/],
    [
      { schedule: { type: 'step', lr: 0.1, factr: 0.5, every: 1 } },
      /unknown field "factr" \(did you mean "factor"\?\)/,
    ],
    [{ schedule: { type: 'step', lr: 0.1, factor: 0.5, every: 1 }, shedule: 1 }, /shedule: unknown field/],
  ])('anneal schedule refuses %j', async (config, message) => {
    const file = writeJson(root, 'schedule.json', config);
    const r = await anneal(['schedule', '--config', file, '--epochs', '40', '--steps-per-epoch', '1']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a config nested 100k deep is refused in one line, not a stack overflow', async () => {
    let deep = '{}';
    for (let i = 0; i < 100_000; i++) deep = `{"a":${deep}}`;
    const file = join(root, 'deep.json');
    writeFileSync(file, `{"schedule":${deep}}`);
    const r = await anneal(['schedule', '--config', file, '--epochs', '2', '--steps-per-epoch', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nested more than 64 levels deep/);
    await refused([...train('--config', file)], /nested more than 64 levels deep/);
  });

  it('train refuses an option of another optimizer (betas for sgd)', async () => {
    const file = writeJson(root, 'betas.json', {
      recipe: { type: 'fineTune', epochs: 1 },
      optimizer: { type: 'sgd', betas: [0.5, 0.6] },
    });
    await refused([...train('--config', file)], /optimizer\.betas: is not a sgd option/);
  });

  it('train refuses an unknown key inside optimizer with a suggestion', async () => {
    const file = writeJson(root, 'opt.json', {
      recipe: { type: 'fineTune', epochs: 1 },
      optimizer: { wieghtDecay: 0.1 },
    });
    await refused(
      [...train('--config', file)],
      /optimizer: unknown field "wieghtDecay" \(did you mean "weightDecay"\?\)/,
    );
  });
});

describe('data the user gave wrong (items 14, 19)', () => {
  it('a folder with no images, such as /etc', () =>
    refused(
      train('--epochs', '1').map((a) => (a === data ? '/etc' : a)),
      /--data: \/etc: /,
    ));

  it('one class', async () => {
    const one = join(root, 'one');
    cpSync(join(data, 'circle'), join(one, 'circle'), { recursive: true });
    await refused(
      train('--epochs', '1').map((a) => (a === data ? one : a)),
      /--data: .*one: found one class \("circle"\); a classifier needs at least two/,
    );
  });

  it('an image size no image can be decoded at', () =>
    refused(train('--epochs', '1', '--image-size', '1000000000'), /--image-size: must be at most 4096 pixels/));

  it('no usable image (all truncated): refused after the start, and its run folder removed', async () => {
    const bad = join(root, 'bad');
    for (const c of ['a', 'b']) {
      mkdirSync(join(bad, c), { recursive: true });
      const good = join(data, 'circle', readdirSync(join(data, 'circle'))[0]!);
      for (let i = 0; i < 4; i++) writeFileSync(join(bad, c, `${i}.png`), readFileSync(good).subarray(0, 80));
    }
    await refused(
      train('--epochs', '1', '--freeze-epochs', '0').map((a) => (a === data ? bad : a)),
      /--data: none of the \d+ images could be used \(e\.g\. .*: truncated PNG\)/,
    );
  }, 120_000);
});

describe('runs (item 13) and printed names (item 10)', () => {
  it('a run started with a relative --data stores absolute paths and resumes from another directory', () => {
    // The real executable: a second model in one process gets TF.js's uniquified variable names.
    const out = join(root, 'runs-relative');
    const copy = join(root, 'copy');
    cpSync(data, copy, { recursive: true });
    const args = ['--epochs', '1', '--freeze-epochs', '0', '--image-size', '32', '--out', out, '--json'];
    const r = spawnAnneal(['train', '--data', relative(root, copy), ...args], root);
    expect(r.status, r.stderr).toBe(0);
    const dir = join(out, readdirSync(out)[0]!);
    const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {
      config: { data: string };
      dataset: { root: string };
    };
    expect(meta.config.data).toBe(copy);
    expect(meta.dataset.root).toBe(copy);
    expect(readFileSync(join(dir, 'split.json'), 'utf8')).toContain(`"path": "${copy}/`);
    const resumed = spawnAnneal(['resume', dir, '--json'], '/');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
    // Item 14: resuming after the images were deleted is one line and exit 2, not a TF.js error.
    rmSync(copy, { recursive: true, force: true });
    const gone = spawnAnneal(['resume', dir], '/');
    expect(gone.status, gone.stderr).toBe(2);
    expect(gone.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(gone.stderr).toMatch(/none of the run's \d+ training images exist any more/);
  }, 300_000);

  it('control characters in file names are printed escaped', async () => {
    const odd = join(root, 'odd');
    mkdirSync(join(odd, 'a'), { recursive: true });
    mkdirSync(join(odd, 'b'), { recursive: true });
    const img = readFileSync(join(data, 'circle', readdirSync(join(data, 'circle'))[0]!));
    writeFileSync(join(odd, 'a', 'x.png'), img);
    writeFileSync(join(odd, 'b', 'y.png'), img);
    writeFileSync(join(odd, 'b', 'title\u001b]0;pwned\u0007\u001b[2J.png'), 'not an image');
    const r = await anneal(['data', 'inspect', odd]);
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    // eslint-disable-next-line no-control-regex
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(all).toContain('title\\u001b]0;pwned\\u0007\\u001b[2J.png');
  });
});
