// `anneal import` and `anneal predict` end to end through cli/program.ts in this process: an imported
// ResNet-50 gives the same top-5 on every backend, and every bad input gets one clear error,
// exit 2, and nothing written at --out.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSafetensors, writeTorchStateDict } from '../../src-main/engine/weights/index.js';
import { formulaImage, formulaStateDict, formulaTensor } from '../engine/import/formula.js';
import { anneal, annealIn, tempDir } from './helpers.js';

const mesa = ['/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0', '/usr/lib/aarch64-linux-gnu/libEGL_mesa.so.0'].some(
  existsSync,
);

let dir: string;
let image: string;
let r18: string;

/** ResNet-50 formula weights with a 1000-class ImageNet head, as torchvision ships it. */
function resnet50Imagenet(): { name: string; shape: number[]; data: Float32Array }[] {
  return formulaStateDict('resnet50').map((t) =>
    t.name.startsWith('fc.')
      ? {
          ...t,
          shape: t.name === 'fc.weight' ? [1000, 2048] : [1000],
          data: formulaTensor(t.name, t.name === 'fc.weight' ? [1000, 2048] : [1000], false),
        }
      : t,
  );
}

beforeAll(async () => {
  dir = tempDir('anneal-import-');
  image = join(dir, 'photo.jpg');
  // A JPEG larger than the input size: predict resizes the shorter side and centre-crops.
  await sharp(formulaImage(96), { raw: { width: 96, height: 96, channels: 3 } })
    .resize(120, 96, { fit: 'fill' })
    .jpeg({ quality: 95 })
    .toFile(image);
  r18 = join(dir, 'resnet18.safetensors');
  writeSafetensors(r18, formulaStateDict('resnet18'));
});

describe('an imported ResNet-50', () => {
  let model: string;
  beforeAll(async () => {
    const file = join(dir, 'resnet50.pth');
    writeTorchStateDict(file, resnet50Imagenet());
    model = join(dir, 'r50');
    const r = await annealIn(['import', file, '--arch', 'resnet50', '--image-size', '64', '--out', model]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is a model dir: TF.js layers model + anneal.json with ImageNet labels and the source hash', async () => {
    expect(readdirSync(model).sort()).toEqual(['anneal.json', 'model.json', 'weights.bin']);
    const meta = JSON.parse(readFileSync(join(model, 'anneal.json'), 'utf8'));
    expect(meta).toMatchObject({
      arch: 'resnet50',
      classes: 1000,
      inputSize: 64,
      source: { format: 'torch', naming: 'torchvision' },
    });
    expect(meta.labels[0]).toBe('tench');
    expect(meta.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.preprocessing.mean).toEqual([0.485, 0.456, 0.406]);
  });

  it('gives the same top-5 on cpu, wasm and webgpu', async () => {
    const backends = mesa ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'];
    if (!mesa) console.warn("webgpu not checked: Mesa's OpenGL ES is not installed here");
    const tops = backends.map((b) => {
      // A process per backend: each initialises its own (Dawn's WebGPU included).
      const r = anneal(['predict', '--model', model, image, '--json', '--backend', b]);
      expect(r.status, r.stderr).toBe(0);
      const [p] = JSON.parse(r.stdout) as {
        image: string;
        logits: number[];
        probs: number[];
        top: { label: string; prob: number }[];
      }[];
      expect(p!.logits).toHaveLength(1000);
      expect(p!.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p!.image).toBe(image);
      return p!.top;
    });
    expect(tops[0]).toHaveLength(5);
    for (const t of tops.slice(1)) {
      expect(t.map((x) => x.label)).toEqual(tops[0]!.map((x) => x.label));
      t.forEach((x, i) => expect(x.prob).toBeCloseTo(tops[0]![i]!.prob, 4));
    }
  }, 300_000);

  it('re-imports from its TF.js layers model.json and predicts the same', async () => {
    const again = join(dir, 'r50-from-tfjs');
    const labels = join(dir, 'imagenet.json');
    writeFileSync(labels, JSON.stringify(JSON.parse(readFileSync(join(model, 'anneal.json'), 'utf8')).labels));
    const r = await annealIn([
      'import',
      join(model, 'model.json'),
      '--arch',
      'resnet50',
      '--image-size',
      '64',
      '--labels',
      labels,
      '--out',
      again,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(again, 'anneal.json'), 'utf8')).source).toMatchObject({
      format: 'tfjs-layers',
      naming: 'tfjs',
    });
    const a = JSON.parse((await annealIn(['predict', '--model', model, image, '--json', '--backend', 'wasm'])).stdout);
    const b = JSON.parse((await annealIn(['predict', '--model', again, image, '--json', '--backend', 'wasm'])).stdout);
    expect(b[0].logits).toEqual(a[0].logits);
  });

  it('prints a readable top-k', async () => {
    const r = await annealIn(['predict', '--model', model, image, '--top', '3', '--backend', 'wasm']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
  });
});

describe('anneal import refuses bad input: one line, exit 2, nothing at --out', () => {
  const refuses = async (args: string[], message: RegExp) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const r = await annealIn(['import', ...args, '--out', out]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  };

  it('a truncated file', async () => {
    const cut = join(dir, 'cut.safetensors');
    const bytes = readFileSync(r18);
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    await refuses([cut, '--arch', 'resnet18'], /cut\.safetensors: .*(truncated|outside|end of)/i);
  });
  it('a file of the wrong format', async () => {
    const png = join(dir, 'weights.pth');
    writeFileSync(png, readFileSync(image));
    await refuses([png, '--arch', 'resnet18'], /not a weight file/);
  });
  it('a state_dict of another architecture, listed by name', async () => {
    await refuses(
      [r18, '--arch', 'resnet50'],
      /do not fit resnet50: \d+ missing: layer1\.0\.conv3\.weight, .*; \d+ mis-shaped: layer1\.0\.conv1\.weight \(file \[64, 64, 3, 3\], resnet50 \[64, 64, 1, 1\]\)/,
    );
  });
  it('a state_dict with blocks missing (resnet18 weights for resnet34)', async () => {
    await refuses([r18, '--arch', 'resnet34'], /do not fit resnet34: \d+ missing: layer1\.2\.conv1\.weight/);
  });
  it('a state_dict with extra tensors', async () => {
    const extra = join(dir, 'extra.safetensors');
    writeSafetensors(extra, [
      ...formulaStateDict('resnet18'),
      { name: 'aux.weight', shape: [2], data: new Float32Array(2) },
    ]);
    await refuses([extra, '--arch', 'resnet18'], /1 unexpected: aux\.weight/);
  });
  it('an absurd header size', async () => {
    const bad = join(dir, 'absurd.safetensors');
    // A safetensors file whose header claims 2^60 bytes: refused before any allocation.
    const buf = Buffer.alloc(64, 0x20);
    buf.writeBigUInt64LE(2n ** 60n, 0);
    buf.write('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', 8);
    writeFileSync(bad, buf.subarray(0, 8 + 62));
    await refuses([bad, '--arch', 'resnet18'], /absurd\.safetensors: .*header/i);
  });
  it('a file larger than memory (sparse)', async () => {
    const huge = join(dir, 'huge.safetensors');
    writeFileSync(huge, '');
    truncateSync(huge, totalmem() * 2);
    expect(statSync(huge).size).toBeGreaterThan(totalmem());
    await refuses([huge, '--arch', 'resnet18'], /more than the limit of .* \(ANNEAL_MAX_WEIGHT_BYTES raises it\)/);
  });
  it('a missing file', async () =>
    refuses([join(dir, 'nope.pth'), '--arch', 'resnet18'], /nope\.pth: .*(no such file|not found|does not exist)/i));
  it('an unknown architecture', async () =>
    refuses([r18, '--arch', 'resnet9000'], /unknown architecture "resnet9000"/));
  it('labels that do not match the classes', async () => {
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, 'cat\ndog\n');
    await refuses([r18, '--arch', 'resnet18', '--labels', labels], /2 labels but the weights have 10 classes/);
  });
  it('an --out that already holds files (nothing already saved is lost)', async () => {
    const out = join(dir, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'precious');
    const r = await annealIn(['import', r18, '--arch', 'resnet18', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/already exists and is not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });
});

describe('anneal predict refuses bad input', () => {
  it.each([
    ['a missing model dir', ['--model', '/nonexistent/model', 'x.jpg'], /\/nonexistent\/model: no such file or folder/],
    ['an image that is not an image', ['--model', 'MODEL', 'NOTIMAGE'], /not an image|cannot decode/],
    ['a missing image', ['--model', 'MODEL', '/nonexistent/x.jpg'], /no such file/],
  ])('%s', async (_n, args, message) => {
    const model = join(dir, 'micro-model');
    if (!existsSync(model)) {
      const file = join(dir, 'r18.safetensors');
      const r = await annealIn(['import', r18, '--arch', 'resnet18', '--image-size', '32', '--out', model]);
      expect(r.status, r.stderr).toBe(0);
      void file;
    }
    const notImage = join(dir, 'notes.jpg');
    writeFileSync(notImage, 'this is text');
    const r = await annealIn([
      'predict',
      ...args.map((a) => (a === 'MODEL' ? model : a === 'NOTIMAGE' ? notImage : a)),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
