// evaluate() on a tiny model with fixed weights, whose logits are known exactly: solid-colour
// images through a global average pool and a dense layer of 4·I give logits of 4 on the image's
// colour channel. Its result must be scoreLogits of those logits, a bad file must be skipped and
// said, and no tensor may be left behind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import {
  evaluate,
  EvalError,
  renderConfusionPng,
  resolveEvalTarget,
  scoreLogits,
} from '../../../src-main/engine/evaluate/index.js';
import { formatEvalReport } from '../../../src-main/cli/format/index.js';
import type { Sample } from '../../../src-main/engine/data/types.js';
import { RunStore } from '../../../src-main/engine/runs/index.js';

const SIZE = 4;
const META = {
  inputSize: SIZE,
  labels: ['red', 'green', 'blue'],
  preprocessing: {
    scale: 255,
    mean: [0, 0, 0] as [number, number, number],
    std: [1, 1, 1] as [number, number, number],
    channels: 'RGB' as const,
    interpolation: 'bilinear' as const,
  },
};
let dir: string;
let model: tfl.LayersModel;
let samples: Sample[];

async function solid(name: string, r: number, g: number, b: number): Promise<string> {
  const path = join(dir, name);
  await sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r, g, b } } })
    .png()
    .toFile(path);
  return path;
}

beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'cpu');
  dir = mkdtempSync(join(tmpdir(), 'anneal-eval-'));
  const bad = join(dir, 'bad.png');
  writeFileSync(bad, 'not an image');
  samples = [
    { path: await solid('red.png', 255, 0, 0), label: 0 },
    { path: await solid('green.png', 0, 255, 0), label: 1 },
    { path: bad, label: 0 },
    { path: await solid('blue.png', 0, 0, 255), label: 1 }, // a blue image labelled green: a miss
    { path: await solid('black.png', 0, 0, 0), label: 2 }, // all logits 0: predicted red (first on a tie)
  ];
  model = tfl.sequential({
    layers: [
      tfl.layers.globalAveragePooling2d({ inputShape: [SIZE, SIZE, 3] }),
      tfl.layers.dense({ units: 3, weights: [tf.mul(tf.eye(3), 4), tf.zeros([3])] }),
    ],
  });
});
afterAll(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('evaluate', () => {
  it('is scoreLogits of the model’s logits, skips the bad file, and frees every tensor it makes', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluate(model, META, samples, { batchSize: 2, workers: 1, topK: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const good = samples.filter((s) => !s.path.endsWith('bad.png'));
    // prettier-ignore
    const logits = [
      4, 0, 0, // red
      0, 4, 0, // green
      0, 0, 4, // blue
      0, 0, 0, // black
    ];
    const expected = scoreLogits({
      classes: META.labels,
      labels: good.map((s) => s.label),
      logits,
      paths: good.map((s) => s.path),
      topK: 2,
    });
    expect({ ...r, skipped: undefined }).toEqual({ ...expected, skipped: undefined });
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]!.path).toMatch(/bad\.png$/);
    expect(r.count).toBe(4);
    expect(r.accuracy).toBe(0.5);
    expect(r.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [1, 0, 0],
    ]);
  });

  it('reports in classification_report’s layout, then the confusion matrix and top losses', async () => {
    const r = await evaluate(model, META, samples, { workers: 1, topLosses: 2 });
    const text = formatEvalReport(r);
    expect(text).toContain('              precision    recall  f1-score   support\n');
    expect(text).toMatch(/^ {7}green {5}1\.0000 {4}0\.5000 {4}0\.6667 {9}2$/m);
    expect(text).toMatch(/^weighted avg {5}0\.6250 {4}0\.5000 {4}0\.5000 {9}4$/m);
    expect(text).toMatch(/^ {4}accuracy {25}0\.5000 {9}4$/m);
    expect(text).toMatch(/^ {3}macro avg /m);
    expect(text).toMatch(/^true \\ predicted {2}red {2}green {2}blue$/m);
    expect(text).toContain('top 2 losses');
  });

  it('refuses an empty set, labels beyond the model’s classes, and a set with no readable image', async () => {
    await expect(evaluate(model, META, [])).rejects.toThrow(EvalError);
    await expect(evaluate(model, META, [{ path: 'x.png', label: 3 }])).rejects.toThrow(/label 3/);
    const before = tf.memory().numTensors;
    await expect(evaluate(model, META, [samples[2]!], { workers: 1 })).rejects.toThrow(
      /none of the 1 images could be read \(.*bad\.png/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('resolveEvalTarget', () => {
  it('refuses a run without a trained model, and a folder that is neither run nor model', async () => {
    const root = mkdtempSync(join(tmpdir(), 'anneal-eval-runs-'));
    const store = RunStore.create(root, {
      arch: 'resnet_micro',
      config: {},
      seed: 0,
      versions: { anneal: '0.1.0', node: process.version, tfjs: '4.22.0', backend: 'cpu' },
      backend: { name: 'cpu', device: null },
      dataset: { root: dir, manifestHash: 'a'.repeat(64), classes: ['red'], train: 1, val: 0 },
    });
    await expect(resolveEvalTarget(store.dir)).rejects.toThrow(/has no trained model yet/);
    await expect(resolveEvalTarget(root)).rejects.toThrow(/neither a run folder .* nor a model dir/);
    await expect(resolveEvalTarget(join(root, 'nope'))).rejects.toThrow(/no such folder/);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('renderConfusionPng', () => {
  const ihdr = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

  it('draws a few classes large and many classes smaller, as PNG', () => {
    const few = renderConfusionPng(
      {
        classes: ['a', 'b'],
        confusion: [
          [3, 1],
          [0, 4],
        ],
      },
      { title: 'two' },
    );
    expect(few.subarray(1, 4).toString()).toBe('PNG');
    expect(ihdr(few).width).toBeGreaterThanOrEqual(520);
    const classes = Array.from({ length: 30 }, (_, i) => `class number ${i}`);
    const confusion = classes.map((_, i) => classes.map((__, j) => (i === j ? 20 : (i + j) % 7 === 0 ? 2 : 0)));
    const many = renderConfusionPng({ classes, confusion }, { title: '30 classes' });
    expect(ihdr(many).width).toBeLessThanOrEqual(1400);
    if (process.env.ANNEAL_KEEP_PNG) writeFileSync(process.env.ANNEAL_KEEP_PNG, many);
  });
});
