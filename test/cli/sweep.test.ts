// `anneal sweep` through the real executable: a local sweep on generated shapes, killed with
// SIGKILL (the sweep and its running trial, as a crash would) and resumed: no finished trial runs
// again, the killed one continues from its checkpoint with each epoch recorded once, and
// `sweep show` ranks them. Bad input: exit 2, one line, no sweep folder left.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { TEST_STEP_ENV } from '../../src-main/jobs/index.js';
import { anneal, BIN, tempDir, writeJson } from './helpers.js';

let data: string;
let work: string;
let config: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runsOf = (sweep: string, i: number) =>
  existsSync(join(sweep, 'runs', String(i)))
    ? readdirSync(join(sweep, 'runs', String(i)), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(sweep, 'runs', String(i), e.name))
    : [];
/** The epoch records of a run, read while another process may be appending to it. */
const epochLines = (run: string): { type: string; epoch: number }[] =>
  existsSync(join(run, 'metrics.jsonl'))
    ? readFileSync(join(run, 'metrics.jsonl'), 'utf8')
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { type: string; epoch: number }];
          } catch {
            return [];
          }
        })
        .filter((r) => r.type === 'epoch')
    : [];

beforeAll(async () => {
  work = tempDir('anneal-sweep-cli-');
  data = join(work, 'shapes');
  await makeShapes(data, 10);
  config = writeJson(work, 'sweep.json', {
    name: 'kill',
    base: { data, model: 'resnet_micro', imageSize: 32, recipe: { type: 'fineTune', epochs: 2, freezeEpochs: 1 } },
    trials: 3,
    seed: 4,
    parameters: {
      'recipe.baseLr': { type: 'logUniform', min: 1e-4, max: 1e-2 },
      'optimizer.weightDecay': { type: 'logUniform', min: 1e-7, max: 1e-1 },
    },
  });
});

describe('anneal sweep --executor local', () => {
  it('survives SIGKILL: resume skips finished trials, continues the killed one, show ranks them', async () => {
    const out = join(work, 'sweeps');
    // Each trial's steps are paced to 300 ms (its `anneal train` inherits ANNEAL_TEST_STEP_MS), so
    // that trial 1 is still running when the poll below sees its first epoch: unpaced, the
    // onnxruntime step finished it, and trial 2 started, between two polls (a CI run saw that).
    const child = spawn(process.execPath, [BIN, 'sweep', '--config', config, '--out', out, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [TEST_STEP_ENV]: '300' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // Wait for trial 0 to end and trial 1 to have written its first epoch, then SIGKILL the sweep
    // and trial 1's `anneal train` at once, as a crash would.
    let sweep = '';
    for (let t = 0; t < 600; t++) {
      await sleep(200);
      const names = existsSync(out) ? readdirSync(out) : [];
      if (names.length === 1) sweep = join(out, names[0]!);
      const trial1 = sweep ? runsOf(sweep, 1) : [];
      if (stdout.includes('"kind":"end","index":0') && trial1.length && epochLines(trial1[0]!).length >= 1) break;
    }
    expect(sweep).not.toBe('');
    const trialPids = [...stdout.matchAll(/"kind":"start","index":\d+,"resume":false,"pid":(\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(trialPids).toHaveLength(2);
    process.kill(child.pid!, 'SIGKILL');
    for (const pid of trialPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // trial 0 has exited
      }
    }
    await new Promise((r) => child.on('exit', r));
    expect(runsOf(sweep, 2)).toEqual([]);
    const killedRun = runsOf(sweep, 1)[0]!;

    const st = anneal(['sweep', 'status', sweep, '--json']);
    expect(st.status).toBe(0);
    const before = JSON.parse(st.stdout) as { trials: { index: number; status: string }[] };
    expect(before.trials.map((t) => t.status)).toEqual(['done', 'killed', 'pending']);

    const r = anneal(['sweep', 'resume', sweep, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { kind?: string; index?: number; resume?: boolean; counts?: Record<string, number> },
      );
    expect(events.filter((e) => e.kind === 'skip').map((e) => e.index)).toEqual([0]);
    expect(events.filter((e) => e.kind === 'start').map((e) => [e.index, e.resume])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(events.at(-1)!.counts).toMatchObject({ done: 3 });
    // One run folder per trial; the killed one finished in place, every epoch recorded once.
    for (const i of [0, 1, 2]) expect(runsOf(sweep, i)).toHaveLength(1);
    expect(runsOf(sweep, 1)[0]).toBe(killedRun);
    expect(epochLines(killedRun).map((e) => e.epoch)).toEqual([0, 1, 2]);

    const show = anneal(['sweep', 'show', sweep, '--json']);
    expect(show.status).toBe(0);
    const res = JSON.parse(show.stdout) as {
      trials: { rank: number; index: number; value: number }[];
      best: { index: number; config: Record<string, unknown> };
    };
    expect(res.trials.map((t) => t.rank)).toEqual([1, 2, 3]);
    const values = res.trials.map((t) => t.value);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(res.best.index).toBe(res.trials[0]!.index);
    // The best config is a plain run config: the trial's own file without the sweep's parts.
    const trial = JSON.parse(readFileSync(join(sweep, 'trials', `${res.best.index}.json`), 'utf8'));
    expect(res.best.config.recipe).toEqual(trial.recipe);
    expect(res.best.config).not.toHaveProperty('name');
    const text = anneal(['sweep', 'show', sweep]);
    expect(text.stdout).toMatch(/ranked by val_accuracy/);
    expect(text.stdout).toMatch(/best: trial \d, val_accuracy/);
  }, 900_000);

  it('bad input: exit 2, one line naming the problem, no sweep folder', () => {
    const out = join(work, 'bad-sweeps');
    const bad = writeJson(work, 'bad.json', {
      base: { data, recipe: { type: 'fineTune', epochs: 1 } },
      trials: 2,
      parameters: { 'optimizer.momentum': { type: 'oneMinusLogUniform', min: 1e-3, max: 2 } },
    });
    const r = anneal(['sweep', '--config', bad, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/parameters\.optimizer\.momentum\.max: must be <= 1/);
    expect(existsSync(out)).toBe(false);
    const missing = anneal(['sweep', 'show', 'no-such-sweep', '--out', out]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no sweep no-such-sweep/);
    const noFile = anneal(['sweep', '--config', join(work, 'nope.json')]);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/cannot read sweep config .*nope\.json: no such file/);
  });
});
