// `anneal schedule` end to end through cli/program.ts in this process (schedules.md, last section).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { annealIn, tempDir, writeJson } from './helpers.js';

let dir: string;
let config: string;
const oneCycle = { schedule: { type: 'oneCycle', maxLr: { slice: [3e-6, 3e-3] }, totalSteps: 50 } };

beforeAll(async () => {
  dir = tempDir();
  config = writeJson(dir, 'c.json', oneCycle);
});

describe('anneal schedule', () => {
  it('prints the JSON preview: E×S steps, an lr row per step with one rate per group, momentum', async () => {
    const r = await annealIn([
      'schedule',
      '--config',
      config,
      '--epochs',
      '5',
      '--steps-per-epoch',
      '10',
      '--groups',
      '4',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { step: number[]; epoch: number[]; lr: number[][]; momentum: number[] };
    expect(Object.keys(out)).toEqual(['step', 'epoch', 'lr', 'momentum']);
    expect(out.step).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(out.epoch).toEqual(Array.from({ length: 50 }, (_, i) => Math.floor(i / 10)));
    expect(out.lr.every((row) => row.length === 4)).toBe(true);
    expect(out.momentum).toHaveLength(50);
    // fastai one-cycle starts every group at maxLr / 25 and the momentum at 0.95.
    expect(out.lr[0]![3]).toBeCloseTo(3e-3 / 25, 15);
    expect(out.lr[0]![0]).toBeCloseTo(3e-6 / 25, 15);
    expect(out.momentum[0]).toBe(0.95);
  });

  it('prints CSV with the contract header', async () => {
    const r = await annealIn([
      'schedule',
      '--config',
      config,
      '--epochs',
      '5',
      '--steps-per-epoch',
      '10',
      '--groups',
      '2',
      '--format',
      'csv',
    ]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('step,epoch,lr_0,lr_1,momentum');
    expect(lines).toHaveLength(51);
  });

  it('reads per-epoch metrics for plateau', async () => {
    const cfg = writeJson(dir, 'plateau.json', { schedule: { type: 'plateau', lr: 0.1, patience: 0 } });
    const metrics = writeJson(dir, 'metrics.json', [1, 2, 3]);
    const r = await annealIn([
      'schedule',
      '--config',
      cfg,
      '--epochs',
      '3',
      '--steps-per-epoch',
      '1',
      '--metrics',
      metrics,
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { lr: number[][]; momentum: null };
    expect(out.lr.map((x) => x[0])).toEqual([0.1, 0.1, expect.closeTo(0.01, 15)]);
    expect(out.momentum).toBeNull();
  });

  it('accepts a whole run config holding the schedule and lrScaling', async () => {
    const cfg = writeJson(dir, 'run.json', {
      name: 'my run',
      data: { root: './images' },
      schedule: { type: 'constant', lr: 0.1 },
      lrScaling: { rule: 'linear', baseBatch: 256 },
    });
    const r = await annealIn([
      'schedule',
      '--config',
      cfg,
      '--epochs',
      '1',
      '--steps-per-epoch',
      '1',
      '--batch-size',
      '512',
    ]);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { lr: number[][] }).lr).toEqual([[0.2]]);
  });

  it('previews a fine_tune recipe without --epochs (its stages give the length)', async () => {
    const cfg = writeJson(dir, 'ft.json', { recipe: { type: 'fineTune', epochs: 3 } });
    const r = await annealIn(['schedule', '--config', cfg, '--steps-per-epoch', '4', '--groups', '3']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { step: number[] }).step).toHaveLength(16);
  });

  it('--plot writes a PNG of the curves', async () => {
    const png = join(dir, 'plots', 'schedule.png');
    const r = await annealIn([
      'schedule',
      '--config',
      config,
      '--epochs',
      '5',
      '--steps-per-epoch',
      '10',
      '--groups',
      '4',
      '--plot',
      png,
      '--log-scale',
    ]);
    expect(r.status).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height, big-endian, at bytes 16..24.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1000, 560]);
    expect(bytes.length).toBeGreaterThan(20_000); // curves, axes and labels, not an empty canvas
    expect(readdirSync(join(dir, 'plots'))).toEqual(['schedule.png']); // no temp file left
  });
});

describe('anneal schedule refuses bad input with exit 2, one line on stderr, nothing on stdout', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'unknown type',
      { schedule: { type: 'cosineAnnealing', lr: 1 } },
      /schedule\.type: unknown schedule type "cosineAnnealing"/,
    ],
    ['missing field', { schedule: { type: 'step', lr: 0.1, every: 3 } }, /schedule\.factor: is required/],
    ['negative rate', { schedule: { type: 'constant', lr: -1 } }, /schedule\.lr: must not be a negative rate/],
    [
      'slice bounds out of order',
      { schedule: { type: 'constant', lr: { slice: [1e-2, 1e-5] } } },
      /schedule\.lr\.slice: slice bounds out of order/,
    ],
    [
      'piecewise values not outnumbering boundaries by one',
      { schedule: { type: 'piecewise', boundaries: [3], values: [1, 0.5, 0.1] } },
      /schedule\.values: needs exactly one more value than boundaries/,
    ],
    ['not JSON', '{"schedule": ', /is not valid JSON/],
  ];
  it.each(cases)('%s', async (_name, cfg, message) => {
    const path = writeJson(dir, `bad-${_name.replace(/\W+/g, '-')}.json`, cfg);
    const r = await annealIn([
      'schedule',
      '--config',
      path,
      '--epochs',
      '2',
      '--steps-per-epoch',
      '3',
      '--groups',
      '4',
    ]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a missing config file', async () => {
    const r = await annealIn([
      'schedule',
      '--config',
      join(dir, 'nope.json'),
      '--epochs',
      '2',
      '--steps-per-epoch',
      '3',
    ]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/cannot read config .*nope\.json: no such file\n$/);
  });

  it.each([
    ['a non-numeric --epochs', ['--epochs', 'two', '--steps-per-epoch', '3']],
    ['no --steps-per-epoch', ['--epochs', '2']],
    ['an unknown option', ['--epochs', '2', '--steps-per-epoch', '3', '--warmup', '4']],
    ['an unknown format', ['--epochs', '2', '--steps-per-epoch', '3', '--format', 'xml']],
    ['no --epochs for a single schedule', ['--steps-per-epoch', '3']],
  ])('%s', async (_name, args) => {
    const r = await annealIn(['schedule', '--config', config, ...args]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^anneal: /);
  });

  it('a plot that cannot be written leaves nothing behind', async () => {
    const blocker = writeJson(dir, 'file-not-folder', 'x');
    const r = await annealIn([
      'schedule',
      '--config',
      config,
      '--epochs',
      '1',
      '--steps-per-epoch',
      '2',
      '--plot',
      join(blocker, 'p.png'),
    ]);
    expect(r.status).toBe(2);
    expect(existsSync(join(blocker, 'p.png'))).toBe(false);
  });
});

describe('anneal --help', () => {
  it('lists the commands, and every command has --help', async () => {
    const top = await annealIn(['--help']);
    expect(top.status).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['schedule', 'doctor']));
    for (const c of commands) {
      const r = await annealIn([c, '--help']);
      expect(r.status, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^Usage: anneal ${c}`));
    }
  });
  it('an unknown command exits 2', async () => {
    const r = await annealIn(['trian']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'trian'/);
  });
});
