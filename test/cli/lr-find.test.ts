// `anneal lr-find` through cli/program.ts in this process: JSON per schedules.md, a plot, and nothing saved.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/index.js';
import { annealIn, tempDir } from './helpers.js';

let data: string;
beforeAll(async () => {
  data = join(tempDir('anneal-lrf-'), 'shapes');
  await makeShapes(data, 12);
});

describe('anneal lr-find', () => {
  it('prints lrs, smoothed losses and the three suggestions, draws the plot, and leaves the model alone', async () => {
    const bundled = join(process.cwd(), 'models', 'resnet_micro', 'weights.bin');
    const before = statSync(bundled).mtimeMs;
    const png = join(tempDir('anneal-lrf-plot-'), 'lr.png');
    const r = await annealIn([
      'lr-find',
      '--data',
      data,
      '--model',
      'resnet_micro',
      '--image-size',
      '32',
      '--num-it',
      '60',
      '--plot',
      png,
      '--json',
    ]);
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    const out = JSON.parse(r.stdout) as { lrs: number[]; losses: number[]; suggestions: Record<string, number> };
    expect(out.lrs.length).toBe(out.losses.length);
    expect(out.lrs.length).toBeLessThanOrEqual(60);
    expect(out.lrs[0]).toBe(1e-7);
    expect(Object.keys(out.suggestions).sort()).toEqual(['minimum', 'steep', 'valley']);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(bundled).mtimeMs).toBe(before);
  });

  it('--all trains every layer, on a backend that can backpropagate through convolutions', async () => {
    const r = await annealIn([
      'lr-find',
      '--data',
      data,
      '--model',
      'resnet_micro',
      '--image-size',
      '32',
      '--num-it',
      '12',
      '--all',
      '--json',
    ]);
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    expect((JSON.parse(r.stdout) as { lrs: number[] }).lrs.length).toBeGreaterThan(0);
  });
});
