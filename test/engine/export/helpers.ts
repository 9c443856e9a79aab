// Models with known weights for the export tests: torchvision architectures with the closed-form
// weights of test/golden/generate_parity.py (so that some outputs can also be checked against
// torch's), and the export metadata they are written with.
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import type { ExportInfo, InputKind } from '../../../src-main/engine/export/index.js';
import { loadTorchvisionWeights } from '../../../src-main/engine/import/index.js';
import { buildModel, getArch, type Preprocessing } from '../../../src-main/engine/models/index.js';
import { formulaImage, formulaStateDict } from '../import/formula.js';

export interface TestModel {
  model: tfl.LayersModel;
  meta: { arch: string; labels: string[]; inputSize: number; preprocessing: Preprocessing };
}

/** A zoo architecture at `size` px carrying the formula state_dict (its head has the state_dict's classes). */
export function formulaModel(arch: string, size: number): TestModel {
  const spec = getArch(arch);
  const tensors = formulaStateDict(arch);
  const head = tensors.find((t) => t.name === (spec.family === 'resnet' ? 'fc.weight' : 'classifier.1.weight'))!;
  const built = buildModel(spec, { numClasses: head.shape[0]!, inputSize: size });
  loadTorchvisionWeights(built, new Map(tensors.map((t) => [t.name, { ...t, dtype: 'float32' as const }])));
  const labels = Array.from({ length: head.shape[0]! }, (_, i) => `class ${i}`);
  return { model: built.model, meta: { arch, labels, inputSize: size, preprocessing: spec.preprocessing } };
}

export function exportInfo(m: TestModel['meta'], input: InputKind = 'rgb255-nhwc'): ExportInfo {
  return {
    format: 'anneal-export',
    version: 1,
    modelFormat: input === 'normalised-nhwc' ? 'tfjs' : 'onnx',
    arch: m.arch,
    labels: m.labels,
    inputSize: m.inputSize,
    input,
    preprocessing: m.preprocessing,
    created: '2026-01-01T00:00:00.000Z',
  };
}

/** The parity tests' formula image as a PNG of `size` × `size`. */
export async function writeFormulaPng(dir: string, size: number): Promise<string> {
  const path = join(dir, `formula-${size}.png`);
  await sharp(formulaImage(size), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(path);
  return path;
}
