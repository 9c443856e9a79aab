// Grad-CAM against torch (test/golden/generate_gradcam.py): torchvision resnet18 and
// efficientnet_b0 with the closed-form weights of generate_parity.py, imported through
// `anneal import`'s code, explained on the formula image; the heatmaps equal torch's to 1e-4.
// The reference computes the gradient with autograd hooks on model.layer4 / model.features.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  buildModel,
  explainImages,
  getArch,
  gradCam,
  importWeights,
  loadModelDir,
  minMaxNormalise,
  parseNpy,
  replaceHead,
  upsampleBilinear,
  useBackend,
  writeExplanations,
} from '../../../src-main/engine/index.js';
import { writeSafetensors } from '../../../src-main/engine/weights/index.js';
import { formulaImage, formulaStateDict, relL2 } from '../import/formula.js';

interface GoldenCase {
  arch: string;
  zeroBnShift: boolean;
  imageSize: number;
  class: number | null;
  explained: number;
  logits: number[];
  camShape: [number, number];
  cam: number[];
  heatmap: number[];
}
const golden = JSON.parse(readFileSync(new URL('../../golden/gradcam.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

let dir: string;
beforeAll(async () => {
  tf.enableProdMode();
  await useBackend('inference', 'cpu');
  dir = mkdtempSync(join(tmpdir(), 'anneal-gradcam-'));
});

const maxAbs = (a: ArrayLike<number>, b: readonly number[]) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('upsampling and scaling', () => {
  it("matches torch's bilinear, align_corners=False, on a 2×2 map to 4×4", () => {
    // torch.nn.functional.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]), (4, 4), mode='bilinear')
    const up = upsampleBilinear(Float64Array.from([0, 1, 2, 3]), 2, 2, 4);
    expect(Array.from(up)).toEqual([0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
  });
  it('scales to [0, 1]; a constant map is all zeros', () => {
    expect(Array.from(minMaxNormalise(Float64Array.from([2, 4, 3])))).toEqual([0, 1, 0.5]);
    expect(Array.from(minMaxNormalise(Float64Array.from([0, 0, 0])))).toEqual([0, 0, 0]);
  });
});

/** generate_gradcam.py's zero_bn_shifts: every BatchNorm's bias and running_mean set to 0. */
function weights(arch: string, zeroBnShift: boolean) {
  const tensors = formulaStateDict(arch);
  if (!zeroBnShift) return tensors;
  const bn = new Set(tensors.filter((t) => t.name.endsWith('.running_mean')).map((t) => t.name.slice(0, -13)));
  return tensors.map((t) => {
    const [prefix, suffix] = [t.name.slice(0, t.name.lastIndexOf('.')), t.name.slice(t.name.lastIndexOf('.') + 1)];
    return bn.has(prefix) && (suffix === 'bias' || suffix === 'running_mean')
      ? { ...t, data: new Float32Array(t.data.length) }
      : t;
  });
}

const GROUPS: [string, boolean][] = [
  ['resnet18', true],
  ['resnet18', false],
  ['efficientnet_b0', false],
];

describe.each(GROUPS)('%s with the formula weights (BatchNorm shifts zeroed: %s)', (arch, zeroBnShift) => {
  const cases = golden.cases.filter((c) => c.arch === arch && c.zeroBnShift === zeroBnShift);
  const size = cases[0]!.imageSize;

  it("gives torch's Grad-CAM heatmaps to 1e-4, tensors freed", async () => {
    const file = join(dir, `${arch}-${zeroBnShift}.safetensors`);
    writeSafetensors(file, weights(arch, zeroBnShift));
    const out = join(dir, `${arch}-${zeroBnShift}-model`);
    await importWeights({ file, arch, imageSize: size, out });
    const image = join(dir, `formula-${size}.png`);
    await sharp(formulaImage(size), { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(image);
    const { model, meta } = await loadModelDir(out);
    try {
      const before = tf.memory().numTensors;
      for (const c of cases) {
        const className = c.class === null ? undefined : meta.labels[c.class];
        // A chosen class per image (what the Evaluate screen sends), or none: the prediction.
        const { explanations, skipped } = await explainImages(model, meta, [image], { classNames: [className] });
        expect(skipped).toEqual([]);
        const [e] = explanations;
        expect(e!.classIndex).toBe(c.explained);
        expect(e!.camSize).toEqual(c.camShape);
        const err = maxAbs(e!.heatmap, c.heatmap);
        expect(err, `${arch} class ${c.explained}: largest heatmap difference`).toBeLessThan(1e-4);
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });
});

describe('the files explain writes', () => {
  it('an overlay PNG enlarged by a whole factor and the heatmap as .npy, read back exactly', async () => {
    const S = 32;
    const view = { width: S, height: S, data: formulaImage(S) };
    const heatmap = Float32Array.from({ length: S * S }, (_, i) => (i % S) / (S - 1));
    const out = join(dir, 'files');
    const files = await writeExplanations(
      [
        {
          path: '/a/cat.jpg',
          classIndex: 0,
          label: 'cat',
          prob: 0.9,
          predicted: 'cat',
          view,
          heatmap,
          camSize: [1, 1],
        },
      ],
      out,
    );
    expect(files).toEqual([join(out, 'cat.gradcam.png'), join(out, 'cat.heatmap.npy')]);
    const meta = await sharp(files[0]!).metadata();
    expect([meta.width, meta.height]).toEqual([224, 224]);
    const npy = parseNpy(readFileSync(files[1]!));
    expect(npy.shape).toEqual([S, S]);
    expect(relL2(Array.from(npy.data), Array.from(heatmap))).toBe(0);
  });
  it('refuses an --out that is a file', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    await expect(writeExplanations([], file)).rejects.toMatchObject({ field: 'out' });
  });
});

describe('which layers it explains', () => {
  it('the head of the model given, after replaceHead shared its pool with an older head; tensors freed', async () => {
    const built = buildModel(getArch('resnet_micro'), { numClasses: 3, inputSize: 32 });
    const renewed = replaceHead(built, 5);
    const x = Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.37));
    const before = tf.memory().numTensors;
    const [a, b] = await gradCam(renewed.model, x, 2, 32, [4, undefined]);
    expect(tf.memory().numTensors).toBe(before);
    expect(a!.probs).toHaveLength(5);
    expect(a!.classIndex).toBe(4);
    expect(b!.classIndex).toBe(b!.predicted);
    expect(a!.heatmap).toHaveLength(32 * 32);
    renewed.model.dispose();
  });
  it('refuses a model without the head’s average pool, naming the model', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [4, 4, 3] }), tfl.layers.dense({ units: 2 })],
    });
    await expect(gradCam(model, new Float32Array(48), 1, 4)).rejects.toMatchObject({ field: 'model' });
    model.dispose();
  });
});
