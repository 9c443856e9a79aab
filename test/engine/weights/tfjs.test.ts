// TF.js layers models: the fixture against tfjs-core's own decoder, a model saved by real
// tfjs-layers, and the ways a model.json and its shards can be wrong.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeightFile } from '../../../src-main/engine/weights/index.js';
import { fixture, refusal, tempDir } from './fixtures.js';

const tmp = tempDir();
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(tmp.cleanup);

/** A model folder from a model.json object and its shards. */
function model(name: string, json: unknown, shards: Record<string, Uint8Array> = {}): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  for (const [file, bytes] of Object.entries(shards)) writeFileSync(join(dir, file), bytes);
  return dir;
}
const manifest = (paths: string[], weights: unknown[]) => ({
  modelTopology: {},
  weightsManifest: [{ paths, weights }],
});

describe('TF.js layers models', () => {
  it('decodes the fixture (float32, uint8, uint16, float16, int32) as tfjs-core does', async () => {
    const dir = fixture('tfjs_model');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const group = json.weightsManifest[0];
    const data = Buffer.concat(group.paths.map((p: string) => readFileSync(join(dir, p))));
    const reference = tf.io.decodeWeights(new Uint8Array(data).buffer, group.weights);
    const file = await readWeightFile(dir);
    expect(file.names).toEqual(Object.keys(reference));
    for (const [name, t] of Object.entries(reference)) {
      expect(Array.from(file.tensors.get(name)!.data), name).toEqual(Array.from(t.dataSync()));
      expect(file.tensors.get(name)!.shape).toEqual(t.shape);
    }
    tf.dispose(Object.values(reference));
  });

  it('reads a model saved by tfjs-layers itself', async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [4, 4, 3], filters: 2, kernelSize: 3, name: 'conv1' }),
        tfl.layers.batchNormalization({ name: 'bn' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, name: 'fc' }),
      ],
    });
    m.setWeights(
      m.weights.map((w, i) =>
        tf.tensor(
          Float32Array.from(
            { length: w.shape.reduce((a: number, b) => a * b!, 1) },
            (_, k) => (((7 * k + 13 * i) % 23) - 11) / 8,
          ),
          w.shape as number[],
        ),
      ),
    );
    let artifacts: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = artifacts!;
    // What tfjs-node's file:// handler writes: model.json with one group, one weights.bin.
    const dir = model(
      'saved',
      {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      },
      { 'weights.bin': new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer | ArrayBuffer[])) },
    );
    const file = await readWeightFile(dir);
    expect(file.format).toBe('tfjs-layers');
    expect(file.names).toEqual(a.weightSpecs!.map((s) => s.name));
    // tfjs-layers saves trainable weights first, then the BatchNorm moving statistics.
    expect(file.names).toEqual([
      'conv1/kernel',
      'conv1/bias',
      'bn/gamma',
      'bn/beta',
      'fc/kernel',
      'fc/bias',
      'bn/moving_mean',
      'bn/moving_variance',
    ]);
    m.weights.forEach((w) => {
      const t = file.tensors.get(w.originalName)!;
      expect(t.shape).toEqual(w.shape);
      expect(t.data).toEqual(w.read().dataSync());
    });
    m.dispose();
  });
});

describe('a broken TF.js model is refused with the reason', () => {
  const w = (name: string, shape: number[], extra = {}) => ({ name, shape, dtype: 'float32', ...extra });
  it('a missing shard', async () => {
    const dir = model('missing', manifest(['a.bin', 'b.bin'], [w('x', [2])]), { 'a.bin': new Uint8Array(4) });
    expect((await refusal(dir)).reason).toBe('weight shard "b.bin" listed in model.json is missing');
  });
  it('shards shorter than the weights', async () => {
    const dir = model('short', manifest(['a.bin'], [w('x', [2]), w('y', [3])]), { 'a.bin': new Uint8Array(12) });
    expect((await refusal(dir)).reason).toMatch(
      /^weight "y" needs bytes 8\.\.20 .* hold 12: a shard is missing or truncated$/,
    );
  });
  it('a shard outside the model folder, or a URL', async () => {
    for (const p of ['../x.bin', '/etc/passwd', 'https://example.com/x.bin']) {
      const dir = model(`escape-${p.length}`, manifest([p], [w('x', [1])]));
      expect((await refusal(dir)).reason).toBe(`weight shard "${p}" is not a file next to model.json`);
    }
  });
  it('model.json that is not JSON, or has no usable manifest', async () => {
    expect((await refusal(model('json', '{"weightsManifest": ['))).reason).toMatch(/^model\.json is not valid JSON/);
    const wrong = model('form', { weightsManifest: [{ paths: 'a.bin', weights: [] }] });
    expect((await refusal(wrong)).reason).toMatch(/^model\.json: weightsManifest\.0\.paths: /);
  });
  it('a string weight, and uint8 quantization without scale', async () => {
    const str = model('str', manifest(['a.bin'], [{ name: 's', shape: [1], dtype: 'string' }]), {
      'a.bin': new Uint8Array(8),
    });
    expect((await refusal(str)).reason).toBe('weight "s" has dtype string, which is not supported');
    const q = model('q', manifest(['a.bin'], [w('x', [2], { quantization: { dtype: 'uint8' } })]), {
      'a.bin': new Uint8Array(2),
    });
    expect((await refusal(q)).reason).toBe('weight "x": quantization without scale and min');
  });
});
