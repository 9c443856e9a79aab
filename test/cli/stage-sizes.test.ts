// `anneal train --stage-sizes` (progressive resizing): bad values exit 2 with one line naming the
// flag or the config field, and leave no run folder; `anneal schedule` previews sized stages.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { annealIn, tempDir, writeJson } from './helpers.js';

let data: string;
let dir: string;

beforeAll(async () => {
  dir = tempDir('anneal-stage-sizes-');
  data = join(dir, 'shapes');
  await makeShapes(data, 4);
}, 60_000);

describe('anneal train --stage-sizes', () => {
  it.each([
    [
      ['--epochs', '1', '--stage-sizes', '32'],
      /^anneal: --stage-sizes: gives 1 size for 2 stages: give one per stage\n$/,
    ],
    [['--epochs', '1', '--stage-sizes', '32,4x'], /^anneal: --stage-sizes: size 2 \("4x"\) is not a whole number/],
    [
      ['--epochs', '1', '--stage-sizes', '32,4'],
      /^anneal: stages\[1\]\.imageSize: 4 px is below resnet_micro's minimum input size of 8 px/,
    ],
    [
      ['--epochs', '1', '--model', 'resnet18', '--stage-sizes', '16,64'],
      /^anneal: stages\[0\]\.imageSize: 16 px is below resnet18's minimum input size of 32 px/,
    ],
  ])(
    '%j exits 2 naming the field',
    async (args, line) => {
      const out = join(dir, 'runs-bad');
      const r = await annealIn(['train', '--data', data, ...args, '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(line);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    },
    120_000,
  );

  it('refuses a non-integer size in a config, naming the stage', async () => {
    const config = writeJson(dir, 'bad.json', {
      stages: [{ epochs: 1, schedule: { type: 'constant', lr: 1e-3 }, imageSize: 40.5 }],
    });
    const r = await annealIn(['train', '--data', data, '--config', config, '--out', join(dir, 'runs-bad')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^anneal: (invalid config .*: )?stages\[0\]\.imageSize: /);
  });
});

describe('anneal schedule', () => {
  it('previews stages that give their image size', async () => {
    const config = writeJson(dir, 'sized.json', {
      stages: [
        { epochs: 1, freeze: 'backbone', schedule: { type: 'oneCycle', maxLr: 1e-2 }, imageSize: 32 },
        { epochs: 2, schedule: { type: 'oneCycle', maxLr: 1e-3 }, imageSize: 48 },
      ],
    });
    const r = await annealIn(['schedule', '--config', config, '--steps-per-epoch', '3']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { step: number[] }).step).toHaveLength(9);
  });
});

describe('anneal schedule --plot', () => {
  it('draws the stages’ sizes where they change', async () => {
    const config = writeJson(dir, 'sized-plot.json', {
      stages: [
        { epochs: 1, schedule: { type: 'constant', lr: 1e-2 }, imageSize: 32 },
        { epochs: 1, schedule: { type: 'constant', lr: 1e-3 }, imageSize: 48 },
      ],
    });
    const plain = writeJson(dir, 'plain-plot.json', {
      stages: [
        { epochs: 1, schedule: { type: 'constant', lr: 1e-2 } },
        { epochs: 1, schedule: { type: 'constant', lr: 1e-3 } },
      ],
    });
    const png = async (file: string, out: string) => {
      const r = await annealIn(['schedule', '--config', file, '--steps-per-epoch', '4', '--plot', join(dir, out)]);
      expect(r.status, r.stderr).toBe(0);
      return sharp(join(dir, out)).raw().toBuffer();
    };
    // The same curves; the sized one has the dark-red markers drawn over them.
    const [a, b] = [await png(config, 'sized.png'), await png(plain, 'plain.png')];
    const red = (px: Buffer) => {
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i]! > 120 && px[i + 1]! < 60 && px[i + 2]! < 60) n++;
      return n;
    };
    expect(red(a)).toBeGreaterThan(red(b) + 100);
  });
});
