// exportModel as the engine offers it: nothing leaks (the TF.js tensor count is the same after an
// export, made or refused), and a refusal after the work has started leaves no files and no
// folders it created.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { ExportError, exportModel } from '../../../src-main/engine/export/index.js';
import { saveModelDir } from '../../../src-main/engine/model-dir/index.js';
import { IMAGENET_PREPROCESSING, modelsDir } from '../../../src-main/engine/models/index.js';

let dir: string;
const micro = join(modelsDir(), 'resnet_micro');

beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'cpu');
  dir = mkdtempSync(join(tmpdir(), 'anneal-export-engine-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportModel', () => {
  it.each(['onnx', 'tfjs'] as const)('exports a model dir to %s and frees every tensor it made', async (format) => {
    const before = tf.memory().numTensors;
    const out = join(dir, `micro-${format}`);
    const r = await exportModel({ source: micro, format, out });
    expect(tf.memory().numTensors).toBe(before);
    expect(readdirSync(out).sort()).toEqual([...r.files].sort());
    expect(r).toMatchObject({ format, evaluation: null, weights: `model dir ${micro}` });
    expect(r.notEvaluated).toMatch(/--data <dir>/);
    expect(r.verification.logitsRelL2).toBeLessThan(1e-4);
  });

  it('refuses a model it cannot write as ONNX: nothing at --out, no folder it made, no tensor left', async () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(input) as tfl.SymbolicTensor;
    const pooled = tfl.layers.globalAveragePooling2d({}).apply(up) as tfl.SymbolicTensor;
    const model = tfl.model({
      inputs: input,
      outputs: tfl.layers.dense({ units: 2 }).apply(pooled) as tfl.SymbolicTensor,
    });
    const source = join(dir, 'upsampling-model');
    await saveModelDir(source, model, {
      format: 'anneal-model',
      version: 1,
      arch: 'custom',
      classes: 2,
      labels: ['a', 'b'],
      inputSize: 8,
      preprocessing: IMAGENET_PREPROCESSING,
      groups: ['all'],
      source: null,
      created: '2026-01-01T00:00:00.000Z',
    });
    model.dispose();
    const before = tf.memory().numTensors;
    const out = join(dir, 'new', 'nested', 'out');
    await expect(exportModel({ source, format: 'onnx', out })).rejects.toThrow(ExportError);
    await expect(exportModel({ source, format: 'onnx', out })).rejects.toThrow(
      /^up: UpSampling2D layers have no ONNX export/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
