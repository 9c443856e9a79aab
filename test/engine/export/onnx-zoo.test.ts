// Every zoo architecture exported to ONNX and run in onnxruntime-node gives, from the same image
// file, the logits and probabilities TF.js gives in Anneal, to relative L2 < 1e-4; where
// test/golden/parity.json has torch's logits for the formula weights, onnxruntime matches torch too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOnnx } from '../../../src-main/engine/export/index.js';
import { isModelDir, loadModelDir } from '../../../src-main/engine/model-dir/index.js';
import { loadCatalog, modelsDir } from '../../../src-main/engine/models/index.js';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import {
  classifyImages,
  layersClassifier,
  onnxClassifier,
  OnnxClassifier,
} from '../../../src-main/engine/predict/index.js';
import { parity, relL2 } from '../import/formula.js';
import { exportInfo, formulaModel, writeFormulaPng, type TestModel } from './helpers.js';

let dir: string;

beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'cpu');
  dir = mkdtempSync(join(tmpdir(), 'anneal-onnx-zoo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sizes: torch's golden cases where there is one, else a small input that keeps the test quick. */
const SIZES: Record<string, number> = {
  resnet18: 64,
  resnet34: 32,
  resnet50: 64,
  resnet101: 32,
  efficientnet_b0: 64,
  efficientnet_b1: 64,
  efficientnet_b2: 32,
  efficientnet_b3: 32,
};

it('covers the whole zoo', () => {
  expect(Object.keys(SIZES).sort()).toEqual([...loadCatalog().keys()].filter((a) => a !== 'resnet_micro').sort());
  expect(isModelDir(join(modelsDir(), 'resnet_micro'))).toBe(true);
});

async function checkInOnnxRuntime(m: TestModel, image: string) {
  const before = tf.memory().numTensors;
  const bytes = toOnnx(m.model, exportInfo(m.meta), '0.1.0');
  expect(tf.memory().numTensors).toBe(before);
  const ort = await OnnxClassifier.fromBytes(bytes, m.meta.arch);
  try {
    const [got] = await classifyImages(onnxClassifier(ort), [image]);
    const [want] = await classifyImages(layersClassifier(m.model, m.meta, 'model-dir'), [image]);
    expect(
      relL2(got!.logits, want!.logits),
      `logits ${got!.logits.slice(0, 3)} vs ${want!.logits.slice(0, 3)}`,
    ).toBeLessThan(1e-4);
    expect(relL2(got!.probs, want!.probs)).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    return got!;
  } finally {
    await ort.release();
  }
}

describe.each(Object.entries(SIZES))('%s at %i px with the formula weights', (arch, size) => {
  it("runs in onnxruntime from raw 0-255 pixels and gives TF.js's outputs", async () => {
    const m = formulaModel(arch, size);
    try {
      const got = await checkInOnnxRuntime(m, await writeFormulaPng(dir, size));
      const golden = parity.cases.find((c) => c.arch === arch && c.imageSize === size);
      if (golden) {
        // And torch's own logits for these weights and this image (generate_parity.py).
        expect(relL2(got.logits, golden.logits)).toBeLessThan(1e-4);
        expect(relL2(got.probs, golden.probs)).toBeLessThan(1e-4);
      }
    } finally {
      m.model.dispose();
    }
  });
});

describe('resnet_micro, the bundled pretrained model', () => {
  it("runs in onnxruntime from raw 0-255 pixels and gives TF.js's outputs", async () => {
    const { model, meta } = await loadModelDir(join(modelsDir(), 'resnet_micro'));
    try {
      await checkInOnnxRuntime({ model, meta }, await writeFormulaPng(dir, meta.inputSize));
    } finally {
      model.dispose();
    }
  });
});
