// A model trained at an image size other than its pretrained model's (resnet_micro: 32 px) predicts:
// at 24, 48 and 64 px, from the run folder, its model/, its best checkpoint, each export format, on
// the CLI and through the service's job; and a run resumed at that size keeps it.
import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { JobManager } from '../../src-main/jobs/index.js';
import { createHandlers } from '../../src-main/service/index.js';
import { anneal, tempDir } from './helpers.js';

let data: string;
let image: string;
const runs = new Map<number, string>();

const stderrs = new Map<number, string>();

function train(size: number): string {
  const r = anneal([
    'train',
    '--data',
    data,
    '--model',
    'resnet_micro',
    '--epochs',
    '2',
    '--freeze-epochs',
    '1',
    '--image-size',
    String(size),
    '--batch-size',
    '16',
    '--out',
    tempDir('anneal-size-runs-'),
    '--json',
  ]);
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  stderrs.set(size, r.stderr);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { runDir: string }).runDir;
}

function predicts(model: string): string {
  const r = anneal(['predict', '--model', model, image, '--json', '--top', '2']);
  expect(r.status, r.stderr).toBe(0);
  const [p] = JSON.parse(r.stdout) as { probs: number[]; top: { label: string }[] }[];
  expect(p!.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  return p!.top[0]!.label;
}

const inputShape = (modelJson: string) =>
  (
    JSON.parse(readFileSync(modelJson, 'utf8')) as {
      modelTopology: { config: { layers: { class_name: string; config: { batch_input_shape: number[] } }[] } };
    }
  ).modelTopology.config.layers.find((l) => l.class_name === 'InputLayer')!.config.batch_input_shape;

beforeAll(async () => {
  data = join(tempDir('anneal-size-data-'), 'shapes');
  await makeShapes(data, 8);
  image = join(data, 'square', readdirSync(join(data, 'square'))[0]!);
  // The same picture filed under two classes: a label conflict the run warns about and keeps on one side.
  copyFileSync(join(data, 'circle', readdirSync(join(data, 'circle'))[0]!), join(data, 'square', 'filed-twice.png'));
}, 120_000);

describe.each([24, 48, 64])('trained at %i px (the pretrained model takes 32)', (size) => {
  let run: string;
  beforeAll(() => {
    run = train(size);
    runs.set(size, run);
  }, 900_000);

  it('saves model/ at that size', () => {
    expect(JSON.parse(readFileSync(join(run, 'model', 'anneal.json'), 'utf8')).inputSize).toBe(size);
    expect(inputShape(join(run, 'model', 'model.json'))).toEqual([null, size, size, 3]);
  });

  it('warns once about the label conflict and keeps every duplicate group on one side of the split', () => {
    const stderr = stderrs.get(size)!;
    expect(stderr.match(/warning: \d+ duplicate groups? spans? two or more classes/g)).toHaveLength(1);
    expect(stderr).toMatch(/filed-twice\.png \(square\)/);
    const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as {
      train: { path: string }[];
      val: { path: string }[];
      duplicateGroups: string[][];
    };
    const val = new Set(split.val.map((s) => s.path));
    expect(split.duplicateGroups.some((g) => g.some((p) => p.endsWith('filed-twice.png')))).toBe(true);
    for (const g of split.duplicateGroups) expect(new Set(g.map((p) => val.has(p))).size).toBe(1);
    expect(stderr).toMatch(/the split kept \d+ duplicate groups? \(\d+ files\) each on one side/);
    expect(stderr).toMatch(/note: the bundled resnet_micro .* ImageNet weights/);
  });

  it('predicts from the run folder, model/ and checkpoints/best', () => {
    const labels = [predicts(run), predicts(join(run, 'model')), predicts(join(run, 'checkpoints', 'best'))];
    expect(labels.every((l) => ['circle', 'cross', 'square', 'triangle'].includes(l))).toBe(true);
  }, 300_000);
});

describe('exports and resume of a 48 px run', () => {
  it('predicts from each export format', () => {
    const run = runs.get(48)!;
    for (const format of ['onnx', 'tfjs']) {
      const out = join(tempDir('anneal-size-export-'), format);
      const r = anneal(['export', run, '--format', format, '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      predicts(out);
    }
  }, 300_000);

  it('resumes a run killed after its first epoch at 48 px', () => {
    const run = runs.get(48)!;
    // What a kill after epoch 0 leaves: no model/, no second checkpoint.
    rmSync(join(run, 'model'), { recursive: true });
    rmSync(join(run, 'checkpoints', 'epoch-0001'), { recursive: true });
    const r = anneal(['resume', run, '--json']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(inputShape(join(run, 'model', 'model.json'))).toEqual([null, 48, 48, 3]);
    predicts(run);
  }, 600_000);
});

describe('through the service', () => {
  const jobs = new JobManager();
  afterAll(() => jobs.dispose());

  it('the Predict screen’s request predicts from a 64 px run folder', async () => {
    const service = createHandlers({ mode: 'serve', version: 'test', cwd: '/', jobs });
    const reply = await service['predict.run']({
      model: runs.get(64)!,
      image: { name: 'square.png', base64: readFileSync(image).toString('base64') },
      top: 2,
    });
    expect(reply.image).toBe('square.png');
    expect(reply.top).toHaveLength(2);
  }, 300_000);
});
