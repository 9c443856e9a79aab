// `anneal export` through cli/program.ts in this process. A model trained by `anneal train` and one imported
// from torchvision weights both export to ONNX and give, in onnxruntime fed raw 0–255 pixels, the
// logits Anneal gives; TF.js exports reload and predict the same; a run killed before training ended
// exports a checkpoint; `anneal predict` takes every export; bad input gets one line, exit 2, and
// nothing at --out.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/index.js';
import { encodeModel } from '../../src-main/engine/export/index.js';
import { RunStore } from '../../src-main/engine/runs/index.js';
import { writeSafetensors } from '../../src-main/engine/weights/index.js';
import { formulaImage, formulaStateDict, parity, relL2 } from '../engine/import/formula.js';
import { annealIn, tempDir } from './helpers.js';

const CLASSES = ['circle', 'cross', 'square', 'triangle'];

let dir: string;
let data: string;
let run: string;
let images: string[];

interface Prediction {
  image: string;
  logits: number[];
  probs: number[];
  top: { label: string; prob: number }[];
}

async function predict(model: string, files: string[] = images, backend = 'cpu'): Promise<Prediction[]> {
  const r = await annealIn(['predict', '--model', model, ...files, '--json', '--backend', backend]);
  expect(r.status, r.stderr.slice(-1500)).toBe(0);
  return JSON.parse(r.stdout) as Prediction[];
}

async function exportOk(args: string[]): Promise<{ out: string; result: Record<string, unknown> }> {
  const out = join(dir, `export-${Math.random().toString(36).slice(2)}`);
  const r = await annealIn(['export', ...args, '--out', out, '--json', '--backend', 'cpu']);
  expect(r.status, r.stderr.slice(-1500)).toBe(0);
  return { out, result: JSON.parse(r.stdout) };
}

/** onnxruntime alone, on an image file's raw RGB bytes as floats 0–255: no Anneal code on this side. */
async function ortOnRawPixels(onnxFile: string, files: string[], size: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnxFile);
  try {
    const pixels = await Promise.all(files.map((f) => sharp(f).removeAlpha().raw().toBuffer()));
    const input = new Float32Array(files.length * size * size * 3);
    pixels.forEach((p, i) => input.set(Float32Array.from(p), i * size * size * 3));
    const out = await session.run({ image: new ort.Tensor('float32', input, [files.length, size, size, 3]) });
    expect(out.logits!.dims).toEqual([files.length, out.logits!.dims[1]]);
    return out.logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

beforeAll(async () => {
  dir = tempDir('anneal-export-');
  data = join(dir, 'shapes');
  await makeShapes(data, 6);
  const r = await annealIn([
    'train',
    ...['--data', data, '--epochs', '1', '--freeze-epochs', '1', '--image-size', '32'],
    ...['--out', join(dir, 'runs'), '--json'],
  ]);
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  run = JSON.parse(r.stdout.trim().split('\n').at(-1)!).runDir;
  const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as { val: { path: string }[] };
  images = split.val.map((s) => s.path);
}, 300_000);

describe('a run trained by anneal train, exported to ONNX', () => {
  let out: string;
  let result: Record<string, unknown>;
  beforeAll(async () => ({ out, result } = await exportOk([run, '--format', 'onnx'])));

  it('is model.onnx, labels.json, preprocessing.json and model-card.html, and nothing else', async () => {
    expect(readdirSync(out).sort()).toEqual(['labels.json', 'model-card.html', 'model.onnx', 'preprocessing.json']);
    expect(readdirSync(dirname(out)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8'))).toEqual(CLASSES);
    const pre = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));
    expect(pre.input).toEqual({
      name: 'image',
      dtype: 'float32',
      layout: 'NHWC',
      shape: ['N', 32, 32, 3],
      values: 'RGB pixels, 0 to 255',
    });
    expect(pre.normalisation).toMatchObject({ insideModel: true, scale: 255, mean: [0.485, 0.456, 0.406] });
    expect(pre.resize).toEqual({ shorterSide: 32, interpolation: 'bilinear', centerCrop: [32, 32] });
    expect(result).toMatchObject({ format: 'onnx', weights: 'model/ (the weights training ended with)' });
  });

  it("was checked in onnxruntime against TF.js, and evaluated on the run's validation split", async () => {
    const v = result.verification as { logitsRelL2: number; probsRelL2: number; runtime: string; images: number };
    expect(v.runtime).toMatch(/^onnxruntime \d+\.\d+\.\d+ \(cpu\)$/);
    expect(v.images).toBe(2);
    expect(v.logitsRelL2).toBeLessThan(1e-4);
    expect(v.probsRelL2).toBeLessThan(1e-4);
    const e = result.evaluation as { count: number; accuracy: number; on: string };
    expect(e.count).toBe(images.length);
    const ev = await annealIn(['eval', run, '--json', '--backend', 'cpu']);
    expect(e.accuracy).toBe(JSON.parse(ev.stdout).accuracy);
  });

  it('gives, in onnxruntime from raw 0-255 pixels, the logits Anneal gives', async () => {
    const anneals = await predict(join(run, 'model'));
    const logits = await ortOnRawPixels(join(out, 'model.onnx'), images, 32);
    const want = anneals.flatMap((p) => p.logits);
    expect(relL2(Array.from(logits), want)).toBeLessThan(1e-4);
  });

  it('is taken by anneal predict, as a folder or as the .onnx file', async () => {
    const want = await predict(join(run, 'model'));
    for (const model of [out, join(out, 'model.onnx')]) {
      const got = await predict(model);
      got.forEach((p, i) => {
        expect(p.image).toBe(images[i]);
        expect(relL2(p.logits, want[i]!.logits)).toBeLessThan(1e-4);
        expect(p.top.map((t) => t.label)).toEqual(want[i]!.top.map((t) => t.label));
      });
    }
    const r = await annealIn(['predict', '--model', out, images[0]!]);
    expect(r.stderr).toMatch(/^anneal: resnet_micro \(onnx\) on onnxruntime \d+\.\d+\.\d+ \(cpu\)\n$/);
  });

  it('has a model card: config, data, final metrics, confusion matrix, curves, the check', async () => {
    const html = readFileSync(join(out, 'model-card.html'), 'utf8');
    const id = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).id as string;
    expect(html).toMatch(/^<!doctype html>/);
    for (const section of [
      'How to use it',
      'Classes (4)',
      'Training',
      'Data',
      'Configuration (run.json)',
      'Final metrics',
      'Curves',
      'Evaluation',
      'Confusion matrix',
      'Export check',
    ])
      expect(html).toContain(`>${section}`);
    expect(html).toContain(id);
    expect(html).toContain('&quot;imageSize&quot;: 32');
    for (const c of CLASSES) expect(html).toContain(`<td>${c}</td>`);
    const pngs = [...html.matchAll(/src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) =>
      Buffer.from(m[1]!, 'base64'),
    );
    expect(pngs).toHaveLength(3); // loss, accuracy, confusion heatmap
    for (const p of pngs) expect(p.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('a run exported to TF.js', () => {
  it('is model.json and shards with the labels and preprocessing, and predicts exactly as the run', async () => {
    const { out, result } = await exportOk([run, '--format', 'tfjs', '--no-eval']);
    expect(readdirSync(out).sort()).toEqual([
      'group1-shard1of1.bin',
      'labels.json',
      'model-card.html',
      'model.json',
      'preprocessing.json',
    ]);
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(manifest.userDefinedMetadata.anneal).toMatchObject({
      labels: CLASSES,
      inputSize: 32,
      input: 'normalised-nhwc',
    });
    expect((result.verification as { logitsRelL2: number }).logitsRelL2).toBe(0);
    expect(result.notEvaluated).toBe('Not evaluated (--no-eval).');
    expect((await predict(out)).map((p) => p.logits)).toEqual((await predict(join(run, 'model'))).map((p) => p.logits));
    expect((await predict(join(out, 'model.json'))).map((p) => p.logits)).toEqual(
      (await predict(out)).map((p) => p.logits),
    );
  });

  it('says in a few lines what it wrote and how it checked it', async () => {
    const out = join(dir, 'tfjs-human');
    const r = await annealIn(['export', run, '--format', 'tfjs', '--out', out, '--backend', 'cpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `exported resnet_micro (4 classes, 32 px; model/ (the weights training ended with)) as tfjs to ${out}`,
      '  files: model.json, group1-shard1of1.bin, labels.json, preprocessing.json, model-card.html',
      '  checked: TF.js (cpu), reloaded from model.json against TF.js (cpu) on 2 test images, logits relative L2 0.00e+0',
      `  evaluated on the run's validation split (${images.length} images): accuracy ${JSON.parse((await annealIn(['eval', run, '--json', '--backend', 'cpu'])).stdout).accuracy.toFixed(4)}`,
    ]);
  });
});

describe('--raw-input', () => {
  it('exports the bare network on normalised NCHW input, which predict feeds as such', async () => {
    const { out } = await exportOk([run, '--format', 'onnx', '--raw-input', '--no-eval']);
    const pre = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));
    expect(pre.input).toMatchObject({ name: 'input', layout: 'NCHW', shape: ['N', 3, 32, 32] });
    expect(pre.normalisation.insideModel).toBe(false);
    const want = await predict(join(run, 'model'));
    (await predict(out)).forEach((p, i) => expect(relL2(p.logits, want[i]!.logits)).toBeLessThan(1e-4));
  });
});

describe('--data', () => {
  it('evaluates the model on another image folder for the card', async () => {
    const { result } = await exportOk([run, '--format', 'onnx', '--data', data]);
    expect(result.evaluation).toMatchObject({ count: 24, on: `${data} (all 24 images)` });
  });
});

describe('a run killed before training ended (no model/)', () => {
  let killed: string;
  beforeAll(async () => {
    killed = join(dir, 'killed-run');
    cpSync(run, killed, { recursive: true });
    rmSync(join(killed, 'model'), { recursive: true });
  });

  it('exports its best checkpoint, rebuilt with the run’s classes, size and preprocessing', async () => {
    const { out, result } = await exportOk([killed, '--format', 'onnx']);
    expect(result.weights).toMatch(/^checkpoint best \(epoch \d\)$/);
    expect(JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8'))).toEqual(CLASSES);
    expect(await predict(out)).toHaveLength(images.length);
  });

  it('exports its last checkpoint: the weights training ended with', async () => {
    const { out, result } = await exportOk([killed, '--format', 'tfjs', '--checkpoint', 'last', '--no-eval']);
    expect(result.weights).toBe('checkpoint last (epoch 1)');
    expect((await predict(out)).map((p) => p.logits)).toEqual((await predict(join(run, 'model'))).map((p) => p.logits));
  });
});

describe('a model imported from torchvision weights, exported to ONNX', () => {
  let model: string;
  let out: string;
  beforeAll(async () => {
    const weights = join(dir, 'resnet18.safetensors');
    writeSafetensors(weights, formulaStateDict('resnet18'));
    model = join(dir, 'r18');
    const r = await annealIn(['import', weights, '--arch', 'resnet18', '--image-size', '64', '--out', model]);
    expect(r.status, r.stderr).toBe(0);
    out = (await exportOk([model, '--format', 'onnx'])).out;
  });

  it("gives torch's logits and Anneal's in onnxruntime, from the image's raw 0-255 pixels", async () => {
    const png = join(dir, 'formula-64.png');
    await sharp(formulaImage(64), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toFile(png);
    const logits = Array.from(await ortOnRawPixels(join(out, 'model.onnx'), [png], 64));
    const torch = parity.cases.find((c) => c.arch === 'resnet18' && c.imageSize === 64)!;
    expect(relL2(logits, torch.logits)).toBeLessThan(1e-4);
    expect(relL2(logits, (await predict(model, [png]))[0]!.logits)).toBeLessThan(1e-4);
    expect(relL2((await predict(out, [png]))[0]!.logits, logits)).toBeLessThan(1e-6);
  });

  it('has a model card naming the weights file and its hash, and no made-up training history', async () => {
    const html = readFileSync(join(out, 'model-card.html'), 'utf8');
    const meta = JSON.parse(readFileSync(join(model, 'anneal.json'), 'utf8'));
    expect(html).toContain('<h2>Origin</h2>');
    expect(html).toContain(meta.source.sha256);
    expect(html).toContain('No evaluation data was given');
    expect(html).not.toContain('Final metrics');
  });
});

describe('anneal export refuses bad input: one line, exit 2, nothing at --out', () => {
  const refuses = async (
    args: string[],
    message: RegExp,
    out = join(dir, `out-${Math.random().toString(36).slice(2)}`),
  ) => {
    const r = await annealIn(['export', ...args, '--out', out, '--backend', 'cpu']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  };

  it('a run with no checkpoint', async () => {
    const empty = RunStore.create(join(dir, 'empty-runs'), {
      arch: 'resnet_micro',
      config: { data, imageSize: 32 },
      seed: 0,
      versions: { anneal: '0.1.0', node: process.version, tfjs: '4.22.0', backend: 'cpu' },
      backend: { name: 'cpu', device: null },
      dataset: { root: data, manifestHash: '0'.repeat(64), classes: CLASSES, train: 20, val: 4 },
    });
    await refuses(
      [empty.dir, '--format', 'onnx'],
      /run \S+ \(\w+\) has no trained model yet: no epoch of it has finished/,
    );
  });
  it('an unknown format', async () =>
    refuses([run, '--format', 'pb'], /'pb' is invalid\. Allowed choices are onnx, tfjs, savedmodel/));
  it('savedmodel without the tensorflow backend', async () =>
    refuses(
      [run, '--format', 'savedmodel'],
      /--format: savedmodel needs the tensorflow backend .* neither is installed here; export to onnx/,
    ));
  it('an unwritable destination', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    await refuses([run, '--format', 'onnx'], /cannot write to .*a-file\/sub\/out: ENOTDIR/, join(file, 'sub', 'out'));
  });
  it('a destination that already holds files (they are kept)', async () => {
    const taken = join(dir, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'keep.txt'), 'precious');
    const r = await annealIn(['export', run, '--format', 'onnx', '--out', taken]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/already exists and is not empty/);
    expect(readdirSync(taken)).toEqual(['keep.txt']);
  });
  it('a failure after the model is written (evaluation data with other classes) leaves nothing', async () => {
    const other = join(dir, 'other-classes');
    mkdirSync(join(other, 'dog'), { recursive: true });
    cpSync(images[0]!, join(other, 'dog', 'a.png'));
    await refuses([run, '--format', 'onnx', '--data', other], /class "dog" not among the model's labels/);
  });
  it('a missing source', async () => refuses([join(dir, 'nope'), '--format', 'onnx'], /nope: no such folder/));
  it('a folder that is neither a run nor a model dir', async () =>
    refuses([data, '--format', 'onnx'], /neither a run folder \(no run\.json\) nor a model dir/));
  it('--raw-input with --format tfjs', async () =>
    refuses([run, '--format', 'tfjs', '--raw-input'], /--raw-input: is for the onnx format/));
  it('a checkpoint the run does not have', async () =>
    refuses(
      [run, '--format', 'onnx', '--checkpoint', '9'],
      /has no checkpoint epoch-0009 \(it has epoch-0000, epoch-0001\)/,
    ));
});

describe('anneal predict refuses exports it cannot use', () => {
  const refuses = async (model: string, message: RegExp) => {
    const r = await annealIn(['predict', '--model', model, images[0]!]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  };
  it('a .onnx file that is not ONNX', async () => {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'this is text, not a protobuf');
    await refuses(bad, /bad\.onnx is not an ONNX model/);
  });
  it('an ONNX model not exported by Anneal (its labels and preprocessing are unknown)', async () => {
    const foreign = join(dir, 'foreign.onnx');
    writeFileSync(
      foreign,
      encodeModel({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', node: [] } }),
    );
    await refuses(foreign, /foreign\.onnx is not an ONNX model exported by Anneal \(no "anneal" metadata\)/);
  });
  it('a TF.js model.json without Anneal metadata', async () => {
    const bare = join(dir, 'bare-tfjs');
    mkdirSync(bare);
    cpSync(join(run, 'model', 'model.json'), join(bare, 'model.json'));
    await refuses(bare, /model\.json is not a TF\.js model exported by Anneal/);
  });
  it('a folder with no model in it', async () =>
    refuses(
      data,
      /is not a run folder \(no run\.json\), a model dir \(no anneal\.json\) or an export \(no model\.onnx or model\.json\)/,
    ));
});
