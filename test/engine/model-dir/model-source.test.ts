// A model dir loads at anneal.json's input size whatever size its model.json was saved at (a run
// trained at 48 px from the 32 px resnet_micro used to keep 32 in its graph), and which model a
// path means is refused with an error that says which input (field) and what is wrong (kind).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundledModelDir,
  loadModelDir,
  ModelDirError,
  openModelSource,
  topologyInputSize,
} from '../../../src-main/engine/model-dir/index.js';
import { tempDir } from '../../cli/helpers.js';

let old: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // What such a run's model/ looked like: the graph at 32 px, anneal.json at 48.
  old = join(tempDir('anneal-model-dir-'), 'model');
  cpSync(bundledModelDir('resnet_micro')!, old, { recursive: true });
  const meta = JSON.parse(readFileSync(join(old, 'anneal.json'), 'utf8')) as { inputSize: number };
  writeFileSync(join(old, 'anneal.json'), JSON.stringify({ ...meta, inputSize: 48 }));
});

describe('loadModelDir', () => {
  it('builds the graph at anneal.json’s input size, and frees what it makes', async () => {
    const manifest = JSON.parse(readFileSync(join(old, 'model.json'), 'utf8')) as { modelTopology: object };
    expect(topologyInputSize(manifest.modelTopology)).toBe(32);
    const before = tf.memory().numTensors;
    const { model, meta } = await loadModelDir(old);
    expect(meta.inputSize).toBe(48);
    expect(model.inputs[0]!.shape).toEqual([null, 48, 48, 3]);
    const y = tf.tidy(() => model.predict(tf.zeros([2, 48, 48, 3])) as tf.Tensor);
    expect(y.shape).toEqual([2, 12]);
    y.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same logits at the saved size as the saved graph', async () => {
    const a = await loadModelDir(bundledModelDir('resnet_micro')!);
    const b = await loadModelDir(old, { inputSize: 32 });
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 7);
    const [ya, yb] = [a.model.predict(x) as tf.Tensor, b.model.predict(x) as tf.Tensor];
    expect(Array.from(await yb.data())).toEqual(Array.from(await ya.data()));
    tf.dispose([x, ya, yb]);
    a.model.dispose();
    b.model.dispose();
  });
});

describe('openModelSource refuses, naming the input and the problem', () => {
  const refused = (fn: () => unknown): ModelDirError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ModelDirError) return e;
      throw e;
    }
    throw new Error('not refused');
  };

  it('a missing path, a folder that is no model, a checkpoint of a model dir', () => {
    const root = tempDir('anneal-source-');
    mkdirSync(join(root, 'photos'));
    expect(refused(() => openModelSource(join(root, 'nope')))).toMatchObject({ kind: 'not-found', field: 'model' });
    expect(refused(() => openModelSource(join(root, 'photos')))).toMatchObject({ kind: 'invalid', field: 'model' });
    expect(refused(() => openModelSource(old, { checkpoint: 'best' }))).toMatchObject({
      kind: 'conflict',
      field: 'checkpoint',
    });
    // Messages name no command-line flag.
    expect(refused(() => openModelSource(old, { checkpoint: 'best' })).message).not.toMatch(/--/);
  });

  it('a model dir is what it is', () => {
    const src = openModelSource(old);
    expect([src.kind, src.modelDir, src.run, src.meta!.inputSize]).toEqual(['model-dir', old, null, 48]);
  });
});
