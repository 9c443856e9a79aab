// Steering a running job from another process: pause, a rate change, resume, stop; each recorded in
// events.jsonl, and the rates the job then used reflect the change.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/index.js';
import { annealIn, BIN, readJsonl, tempDir } from './helpers.js';

const events = (run: string) => readJsonl<{ type: string; scaleTo?: number; step?: number }>(join(run, 'events.jsonl'));
const until = async (check: () => boolean, ms = 300_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('anneal control', () => {
  it('pauses, changes the rate, resumes and stops a running job', async () => {
    const data = join(tempDir('anneal-ctl-'), 'shapes');
    await makeShapes(data, 16);
    const out = tempDir('anneal-ctl-runs-');
    const job = spawn(
      process.execPath,
      [
        BIN,
        'train',
        '--data',
        data,
        '--epochs',
        '8',
        '--freeze-epochs',
        '1',
        '--image-size',
        '32',
        '--batch-size',
        '8',
        '--out',
        out,
        '--json',
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => job.on('exit', r));
    await until(
      () =>
        existsSync(out) && readdirSync(out).length > 0 && existsSync(join(out, readdirSync(out)[0]!, 'metrics.jsonl')),
    );
    const run = join(out, readdirSync(out)[0]!);
    const ctl = async (...a: string[]) => {
      const r = await annealIn(['control', run, ...a]);
      expect(r.status, r.stderr).toBe(0);
    };
    await ctl('pause');
    await until(() => events(run).some((e) => e.type === 'pause'));
    await ctl('lr', '--scale', '0.5');
    await ctl('resume');
    await until(() => events(run).some((e) => e.type === 'resume'));
    const change = events(run).find((e) => e.type === 'lr-change')!;
    expect(change.scaleTo).toBe(0.5);
    await ctl('stop', '--reason', 'enough');
    await exited;
    const types = events(run).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['start', 'pause', 'lr-change', 'resume', 'stop']));
    // Before the change every step used the schedule's rates; after it, exactly half of them.
    const steps = readJsonl<{ type: string; step: number; epoch: number; lr: number[] }>(
      join(run, 'metrics.jsonl'),
    ).filter((l) => l.type === 'step');
    // From the split (batches of 8), not from the steps: the stop may come before epoch 0 ends.
    const train = (JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as { train: unknown[] }).train.length;
    const perEpoch = Math.ceil(train / 8);
    const cfg = join(tempDir('anneal-ctl-cfg-'), 'c.json');
    writeFileSync(cfg, JSON.stringify(JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).config));
    const preview = JSON.parse(
      (await annealIn(['schedule', '--config', cfg, '--steps-per-epoch', String(perEpoch), '--groups', '6'])).stdout,
    ) as { lr: number[][] };
    const at = change.step!;
    for (const st of steps) {
      const k = st.step < at ? 1 : 0.5;
      st.lr.forEach((v, g) => expect(v).toBeCloseTo(preview.lr[st.step]![g]! * k, 15));
    }
    expect(steps.some((st) => st.step >= at)).toBe(true);
    const stopped = await annealIn(['resume', run, '--json']);
    expect(stopped.status).toBe(0);
  }, 900_000);

  it('refuses what it cannot do', async () => {
    expect((await annealIn(['control', tempDir('anneal-ctl-none-'), 'pause'])).status).toBe(2);
    const r = await annealIn(['control', tempDir('x-'), 'fly']);
    expect(r.status).toBe(2);
  });
});
