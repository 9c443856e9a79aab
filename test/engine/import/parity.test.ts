// PyTorch parity: torchvision models whose weights come from a closed-form formula
// (test/golden/generate_parity.py) give, once imported into Anneal, the logits torch computed for a
// formula image, to relative L2 < 1e-4. The weights are written here as safetensors (and one as a
// PyTorch .pth archive), imported through the same code as `anneal import`, and run by predict.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importWeights, loadModelDir, predictImages, useBackend } from '../../../src-main/engine/index.js';
import { writeSafetensors, writeTorchStateDict } from '../../../src-main/engine/weights/index.js';
import { formulaImage, formulaStateDict, formulaTensor, parity, relL2 } from './formula.js';

let dir: string;

beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'cpu');
  dir = mkdtempSync(join(tmpdir(), 'anneal-parity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the formula matches the generator', () => {
  it('weights, bit for bit', () => {
    for (const [name, sample] of Object.entries(parity.formulaSamples)) {
      const values = formulaTensor(name, sample.shape, name.includes('bn'));
      expect(Array.from(values.slice(0, 8))).toEqual(sample.first8);
    }
  });
  it('image, pixel for pixel', () => {
    expect(Array.from(formulaImage(32))).toEqual(parity.image32);
  });
});

async function writeImage(size: number): Promise<string> {
  const path = join(dir, `formula-${size}.png`);
  await sharp(formulaImage(size), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(path);
  return path;
}

const CASES: [string, number, 'safetensors' | 'pth'][] = [
  ['resnet18', 64, 'safetensors'],
  ['resnet50', 64, 'pth'],
  ['efficientnet_b0', 64, 'safetensors'],
  ['resnet34', 32, 'safetensors'],
  ['efficientnet_b1', 64, 'pth'],
];

describe.each(CASES)('%s at %i px from %s', (arch, size, format) => {
  it("imports and predicts torch's logits (relative L2 < 1e-4)", async () => {
    const golden = parity.cases.find((c) => c.arch === arch && c.imageSize === size)!;
    const tensors = formulaStateDict(arch);
    const file = join(dir, `${arch}.${format === 'pth' ? 'pth' : 'safetensors'}`);
    if (format === 'pth') writeTorchStateDict(file, tensors);
    else writeSafetensors(file, tensors);
    const out = join(dir, `${arch}-${size}-model`);
    const before = tf.memory().numTensors;
    const steps: [number, number][] = [];
    await importWeights({ file, arch, imageSize: size, out, onProgress: (done, total) => steps.push([done, total]) });
    expect(tf.memory().numTensors).toBe(before);
    // Read, mapped, written: what the Model screen's progress bar counts.
    expect(steps).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    rmSync(file);

    const { model, meta } = await loadModelDir(out);
    try {
      expect(meta.classes).toBe(golden.numClasses);
      const [pred] = await predictImages(model, meta, [await writeImage(size)]);
      const err = relL2(pred!.logits, golden.logits);
      expect(err, `logits ${pred!.logits.slice(0, 3)} vs torch ${golden.logits.slice(0, 3)}`).toBeLessThan(1e-4);
      expect(relL2(pred!.probs, golden.probs)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
