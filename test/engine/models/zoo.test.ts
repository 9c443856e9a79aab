// Every zoo architecture expects exactly torchvision's state_dict: the same tensor names and
// shapes (from test/golden/torchvision-state-dicts.json, written by generate_parity.py from the
// real torchvision models), and its layers split into named groups.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { torchSlots } from '../../../src-main/engine/import/torch-layout.js';
import { buildModel, efficientNetStages, getArch, loadCatalog } from '../../../src-main/engine/models/index.js';

const golden = JSON.parse(
  readFileSync(new URL('../../golden/torchvision-state-dicts.json', import.meta.url), 'utf8'),
) as {
  archs: Record<string, [string, number[], string][]>;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the model catalog', () => {
  it('holds every zoo architecture, schema-checked', () => {
    expect([...loadCatalog().keys()]).toEqual([
      'efficientnet_b0',
      'efficientnet_b1',
      'efficientnet_b2',
      'efficientnet_b3',
      'resnet101',
      'resnet18',
      'resnet34',
      'resnet50',
      'resnet_micro',
    ]);
  });
  it('lists ImageNet weights with a URL and hash for every torchvision architecture', () => {
    for (const [id, spec] of loadCatalog()) {
      if (id === 'resnet_micro') continue;
      expect(spec.weights.length, id).toBeGreaterThan(0);
      for (const w of spec.weights) expect(w.url).toMatch(new RegExp(`${w.sha256Prefix}\\.pth$`));
    }
  });
});

describe.each(Object.keys(golden.archs))('%s', (arch) => {
  it('expects exactly the torchvision state_dict (names, shapes)', () => {
    const built = buildModel(getArch(arch), { numClasses: 10, inputSize: 32 });
    try {
      const ours = torchSlots(built.model).map((s) => [s.name, s.torchShape]);
      const theirs = golden.archs[arch]!.filter(([n]) => !n.endsWith('num_batches_tracked')).map(([n, s]) => [n, s]);
      expect(ours.sort()).toEqual(theirs.sort());
      expect(built.groups.map((g) => g.name)).toEqual(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'head']);
      expect(built.groups.every((g) => g.layers.some((l) => l.weights.length > 0))).toBe(true);
    } finally {
      built.model.dispose();
    }
  });
});

describe('EfficientNet scaling', () => {
  it('matches torchvision b3: channels by _make_divisible, depth by ceil', () => {
    const b3 = efficientNetStages(
      (getArch('efficientnet_b3') as Extract<ReturnType<typeof getArch>, { family: 'efficientnet' }>).efficientnet,
    );
    expect(b3.map((s) => [s.inChannels, s.outChannels, s.blocks])).toEqual([
      [40, 24, 2],
      [24, 32, 3],
      [32, 48, 3],
      [48, 96, 5],
      [96, 136, 5],
      [136, 232, 6],
      [232, 384, 2],
    ]);
  });
});
