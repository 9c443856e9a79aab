// `--naming timm`: real timm models (test/golden/generate_timm_parity.py ran timm's own code) with
// closed-form weights under timm's names; imported with the timm mapping they must give timm's
// logits, which checks both the renaming and that timm's network is the one Anneal builds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importWeights, loadModelDir, predictImages, useBackend } from '../../../src-main/engine/index.js';
import { writeSafetensors } from '../../../src-main/engine/weights/index.js';
import { formulaImage, formulaTensor, relL2 } from './formula.js';

const golden = JSON.parse(readFileSync(new URL('../../golden/timm-parity.json', import.meta.url), 'utf8')) as {
  cases: { arch: string; imageSize: number; logits: number[]; stateDict: [string, number[], string][] }[];
};

let dir: string;
beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'wasm');
  dir = mkdtempSync(join(tmpdir(), 'anneal-timm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(golden.cases.map((c) => [c.arch, c] as const))('timm %s', (_arch, c) => {
  it("imports with --naming timm and gives timm's logits (relative L2 < 1e-4)", async () => {
    const names = new Set(c.stateDict.map(([n]) => n));
    const tensors = c.stateDict
      .filter(([n]) => !n.endsWith('num_batches_tracked'))
      .map(([name, shape]) => ({
        name,
        shape,
        data: formulaTensor(name, shape, names.has(`${name.slice(0, name.lastIndexOf('.'))}.running_mean`)),
      }));
    const file = join(dir, `${c.arch}.safetensors`);
    writeSafetensors(file, tensors);
    const out = join(dir, c.arch);
    await importWeights({ file, arch: c.arch, naming: 'timm', imageSize: c.imageSize, out });
    const image = join(dir, `${c.arch}.png`);
    await sharp(formulaImage(c.imageSize), { raw: { width: c.imageSize, height: c.imageSize, channels: 3 } })
      .png()
      .toFile(image);
    const { model, meta } = await loadModelDir(out);
    try {
      expect(meta.source?.naming).toBe('timm');
      const [p] = await predictImages(model, meta, [image]);
      expect(relL2(p!.logits, c.logits)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});
