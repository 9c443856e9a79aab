// `anneal train` with label smoothing + MixUp/CutMix + EMA of the weights on the demo shapes: it
// completes, records each batch's mixing draw (metrics.jsonl step records, `mix`) and the EMA's
// validation beside the live one, keeps the average in checkpoints and model-ema/, exports it with
// --ema; a run SIGKILLed mid-way resumes with the same λ draws as an uninterrupted one; bad values
// exit 2 naming the field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { anneal, annealIn, readJsonl, tempDir, trainUntilFirstCheckpoint, writeJson } from './helpers.js';

let data: string;

interface Line {
  type: 'step' | 'epoch';
  step?: number;
  epoch: number;
  mix?: ({ method: string; lam: number; box?: number[] } | null)[];
  val_accuracy?: number | null;
  ema_val_accuracy?: number | null;
  ema_val_loss?: number | null;
}
const metrics = (run: string): Line[] => readJsonl<Line>(join(run, 'metrics.jsonl'));
const draws = (run: string) =>
  metrics(run)
    .filter((l) => l.type === 'step')
    .map((l) => ({ step: l.step, mix: l.mix }));

const ARGS = (
  '--epochs 2 --freeze-epochs 1 --image-size 32 --batch-size 16 --seed 3 ' +
  '--label-smoothing 0.1 --mixup 0.4 --cutmix 1 --ema 0.99'
).split(' ');

beforeAll(async () => {
  data = join(tempDir('anneal-recipes-data-'), 'shapes');
  await makeShapes(data, 30);
}, 120_000);

describe('anneal train --label-smoothing 0.1 --mixup 0.4 --cutmix 1 --ema 0.99', () => {
  let reference: string;

  it('completes, records every draw and both validations, and exports the average with --ema', async () => {
    const out = tempDir('anneal-recipes-');
    const r = await annealIn(['train', '--data', data, ...ARGS, '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    reference = join(out, readdirSync(out)[0]!);
    const config = JSON.parse(readFileSync(join(reference, 'run.json'), 'utf8')).config;
    expect(config).toMatchObject({
      labelSmoothing: 0.1,
      mixup: { alpha: 0.4 },
      cutmix: { alpha: 1 },
      ema: { decay: 0.99 },
    });
    const steps = draws(reference);
    expect(steps.length).toBeGreaterThan(10);
    for (const s of steps) {
      expect(s.mix).toHaveLength(1);
      const d = s.mix![0]!;
      expect(['mixup', 'cutmix']).toContain(d.method);
      expect(d.lam).toBeGreaterThanOrEqual(0);
      expect(d.lam).toBeLessThanOrEqual(1);
      if (d.method === 'cutmix') expect(d.box).toHaveLength(4);
    }
    // switchProb 0.5: both methods turn up.
    expect(new Set(steps.map((s) => s.mix![0]!.method)).size).toBe(2);
    const epochs = metrics(reference).filter((l) => l.type === 'epoch');
    expect(epochs).toHaveLength(3);
    for (const e of epochs) {
      expect(e.ema_val_accuracy).toBeTypeOf('number');
      expect(e.ema_val_loss).toBeTypeOf('number');
    }
    expect(existsSync(join(reference, 'model-ema', 'anneal.json'))).toBe(true);
    expect(existsSync(join(reference, 'checkpoints', 'best', 'optimizer.bin'))).toBe(true);

    const exp = join(tempDir('anneal-recipes-export-'), 'ema');
    const x = await annealIn(['export', reference, '--format', 'tfjs', '--ema', '--out', exp, '--json']);
    expect(x.status, x.stderr).toBe(0);
    const card = readFileSync(join(exp, 'model-card.html'), 'utf8');
    expect(card).toContain('model-ema/ (the weights&#39; moving average, decay 0.99');
    expect(card).toContain('label smoothing ε 0.1; MixUp α 0.4; CutMix α 1');
    // The exported average is the one validated at the last epoch (same split, same images).
    const evaluated = JSON.parse(x.stdout.trim().split('\n').at(-1)!).evaluation.accuracy as number;
    expect(evaluated).toBeCloseTo(epochs.at(-1)!.ema_val_accuracy!, 6);
  }, 900_000);

  it('killed with SIGKILL after its first epoch, resumes with the same λ draws as the uninterrupted run', async () => {
    const out = tempDir('anneal-recipes-kill-');
    const run = await trainUntilFirstCheckpoint(['train', '--data', data, ...ARGS, '--out', out, '--json'], out);
    const r = anneal(['resume', run, '--json']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(readFileSync(join(run, 'events.jsonl'), 'utf8')).toMatch(/"type":"resume-from-checkpoint"/);
    expect(draws(run)).toEqual(draws(reference));
    const epochs = metrics(run).filter((l) => l.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(epochs.every((e) => typeof e.ema_val_accuracy === 'number')).toBe(true);
    expect(existsSync(join(run, 'model-ema', 'anneal.json'))).toBe(true);
  }, 900_000);
});

describe('anneal data preview --mixup --cutmix', () => {
  it('adds one mixed row per image row, as training mixes a batch', async () => {
    const dir = tempDir('anneal-recipes-preview-');
    const args = ['data', 'preview', data, '--rows', '2', '--cols', '2', '--size', '32'];
    const plain = await annealIn([...args, '--out', join(dir, 'plain.png')]);
    expect(plain.status, plain.stderr).toBe(0);
    const mixed = await annealIn([...args, '--mixup', '0.4', '--cutmix', '1', '--out', join(dir, 'mixed.png')]);
    expect(mixed.status, mixed.stderr).toBe(0);
    const height = async (f: string) => (await sharp(join(dir, f)).metadata()).height!;
    // Two more 32-px rows (and their gaps), and the subheading's extra lines.
    expect((await height('mixed.png')) - (await height('plain.png'))).toBeGreaterThanOrEqual(2 * 32);
    const bad = await annealIn([...args, '--cutmix', '-1', '--out', join(dir, 'bad.png')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cutmix\.alpha: must be > 0/);
  });
});

describe('bad recipe values exit 2 naming the field', () => {
  const cases: [string[], RegExp][] = [
    [['--mixup', '-0.2'], /mixup\.alpha: must be > 0/],
    [['--cutmix', '-1'], /cutmix\.alpha: must be > 0/],
    [['--ema', '1'], /ema\.decay: must be < 1/],
    [['--ema', '1.5'], /ema\.decay: must be < 1/],
    [['--label-smoothing', '1'], /labelSmoothing: must be < 1/],
    [['--label-smoothing', '-0.1'], /labelSmoothing: must be ≥ 0/],
    [['--mix-prob', '1.2'], /mixProb: must be between 0 and 1/],
    [['--switch-prob', '-0.5'], /switchProb: must be between 0 and 1/],
    [['--mixup', 'lots'], /--mixup must be a number/],
    [['--no-ema-warmup'], /--no-ema-warmup goes with --ema/],
  ];
  for (const [flags, message] of cases) {
    it(flags.join(' '), async () => {
      const out = tempDir('anneal-recipes-bad-');
      const r = await annealIn(['train', '--data', data, '--epochs', '1', ...flags, '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(readdirSync(out)).toEqual([]);
    });
  }

  it('in a --config file too', async () => {
    const dir = tempDir('anneal-recipes-config-');
    const config = writeJson(dir, 'run.json', {
      data,
      recipe: { type: 'fineTune', epochs: 1 },
      ema: { decay: 0.999, warmup: 'yes' },
    });
    const r = await annealIn(['train', '--config', config, '--out', join(dir, 'runs')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ema\.warmup/);
  });
});
