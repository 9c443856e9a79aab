// The TF.js export: model.json and 4 MB weight shards as tensorflowjs_converter lays them out,
// loadable by a plain tf.loadLayersModel (no Anneal classes needed), with the labels and
// preprocessing in its userDefinedMetadata; reloaded, it gives exactly the logits it was written from.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import {
  describeFiles,
  SHARD_BYTES,
  testImages,
  verifyTfjs,
  writeTfjsModel,
  type ExportInfo,
} from '../../../src-main/engine/export/index.js';
import { layersClassifier } from '../../../src-main/engine/predict/index.js';
import { exportInfo, formulaModel, type TestModel } from './helpers.js';

let dir: string;
let m: TestModel;
let info: ExportInfo;
let files: string[];

beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'cpu');
  dir = mkdtempSync(join(tmpdir(), 'anneal-tfjs-export-'));
  m = formulaModel('resnet18', 32);
  info = exportInfo(m.meta, 'normalised-nhwc');
  const before = tf.memory().numTensors;
  files = await writeTfjsModel(dir, m.model, info);
  expect(tf.memory().numTensors).toBe(before);
});
afterAll(() => {
  m.model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** model.json and its shards as tf.io artifacts, read the way a browser's tf.loadLayersModel reads them. */
function artifacts(): tf.io.ModelArtifacts {
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const paths: string[] = manifest.weightsManifest[0].paths;
  const bytes = Buffer.concat(paths.map((p) => readFileSync(join(dir, p))));
  return {
    modelTopology: manifest.modelTopology,
    weightSpecs: manifest.weightsManifest[0].weights,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    userDefinedMetadata: manifest.userDefinedMetadata,
  };
}

describe('the TF.js export of a ResNet-18', () => {
  it('is model.json and 4 MB shards, as tensorflowjs_converter writes them', () => {
    const shards = files.filter((f) => f.endsWith('.bin'));
    expect(files[0]).toBe('model.json');
    expect(readdirSync(dir).sort()).toEqual([...files].sort());
    // 11.7 M float32 parameters: 45 MB of weights, eleven full shards and a remainder.
    expect(shards.length).toBeGreaterThan(10);
    shards.forEach((f, i) => {
      expect(f).toBe(`group1-shard${i + 1}of${shards.length}.bin`);
      const size = statSync(join(dir, f)).size;
      if (i < shards.length - 1) expect(size).toBe(SHARD_BYTES);
      else expect(size).toBeLessThanOrEqual(SHARD_BYTES);
    });
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const specs = manifest.weightsManifest[0].weights as { shape: number[] }[];
    const total = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
    expect(shards.reduce((n, f) => n + statSync(join(dir, f)).size, 0)).toBe(total);
    expect(manifest.format).toBe('layers-model');
  });

  it('names only standard Keras classes (layers and initializers)', () => {
    const topology = readFileSync(join(dir, 'model.json'), 'utf8');
    const classes = new Set([...topology.matchAll(/"class_name":"(\w+)"/g)].map((x) => x[1]));
    expect([...classes].sort()).toEqual([
      'Activation',
      'Add',
      'BatchNormalization',
      'Conv2D',
      'Dense',
      'Dropout',
      'GlobalAveragePooling2D',
      'InputLayer',
      'MaxPooling2D',
      'Model',
      'Ones',
      'VarianceScaling',
      'ZeroPadding2D',
      'Zeros',
    ]);
  });

  it('loads in plain tf.loadLayersModel with its labels and preprocessing, and predicts exactly the same', async () => {
    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts()));
    try {
      expect(reloaded.getUserDefinedMetadata()).toEqual({ anneal: info });
      const images = testImages(32);
      const want = await layersClassifier(m.model, m.meta, 'model-dir').classify(images);
      const got = await layersClassifier(reloaded, m.meta, 'tfjs').classify(images);
      expect(Array.from(got.logits)).toEqual(Array.from(want.logits));
    } finally {
      reloaded.dispose();
    }
  });

  it('checks itself: the files reloaded against the model (relative L2 0)', async () => {
    const before = tf.memory().numTensors;
    const v = await verifyTfjs(dir, m.model, m.meta);
    expect(v).toMatchObject({ images: 2, logitsRelL2: 0, probsRelL2: 0, maxAbsLogitDiff: 0 });
    expect(v.runtime).toMatch(/^TF\.js \(cpu\), reloaded from model\.json$/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('describeFiles', () => {
  it('lists the files, weight shards as one entry', () => {
    expect(describeFiles(['model.onnx', 'labels.json'])).toBe('model.onnx, labels.json');
    expect(describeFiles(['model.json', 'group1-shard1of1.bin', 'labels.json'])).toBe(
      'model.json, group1-shard1of1.bin, labels.json',
    );
    expect(
      describeFiles(['model.json', 'group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin', 'x']),
    ).toBe('model.json, 3 weight shards (group1-shard*of3.bin), x');
  });
});
