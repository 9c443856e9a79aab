// Keras weights: the Keras 2 HDF5 layouts (whole model, weights only, chunked name lists) and
// Keras 3 (.keras archive named through config.json, bare .weights.h5 by index).
import h5wasm from 'h5wasm/node';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeightFile } from '../../../src-main/engine/weights/index.js';
import { planFromConfig, toSnakeCase } from '../../../src-main/engine/weights/keras-v3.js';
import { buildZip } from '../../../src-main/engine/weights/zip.js';
import { expected, fixture, readBytes, refusal, tempDir } from './fixtures.js';

const tmp = tempDir();
beforeAll(async () => {
  await h5wasm.ready;
});
afterAll(tmp.cleanup);

describe('Keras 2 HDF5', () => {
  it('orders tensors by layer_names, not by the (alphabetical) groups', async () => {
    const file = await readWeightFile(fixture('keras_full_model.h5'));
    expect(file.names.slice(0, 3)).toEqual(['conv1_conv/kernel', 'conv1_conv/bias', 'conv1_bn/gamma']);
    expect(file.tensors.get('conv1_conv/kernel')!.shape).toEqual([3, 3, 3, 4]); // HWIO, as stored
    expect(file.names.some((n) => n.includes('Adam') || n.includes('top_level'))).toBe(false);
  });
  it('reads float16 variables', async () => {
    const file = await readWeightFile(fixture('keras_weights_only.h5'));
    expect(file.tensors.get('predictions/kernel')!.dtype).toBe('float16');
  });
  it('joins name lists Keras splits into layer_names0, layer_names1, …', async () => {
    const file = await readWeightFile(fixture('keras_chunked_attrs.h5'));
    expect(file.names).toEqual(expected['keras_chunked_attrs.h5']!.names);
  });

  it('refuses an HDF5 file that holds no Keras weights', async () => {
    const path = tmp.file('plain.h5');
    const f = new h5wasm.File(path, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array([1, 2]) });
    f.close();
    expect((await refusal(path)).reason).toBe('an HDF5 file, but not Keras weights (no layer_names, no /layers group)');
  });
  it('refuses a layer that layer_names lists but the file lacks', async () => {
    const path = tmp.file('missing-layer.h5');
    const f = new h5wasm.File(path, 'w');
    f.create_attribute('layer_names', ['dense'], null, 'S5');
    f.close();
    expect((await refusal(path)).reason).toBe('layer "dense" is in layer_names but has no group');
  });
});

describe('Keras 3', () => {
  const archive = () => unzipSync(readBytes(fixture('keras3_model.keras')));
  const rezip = (name: string, files: Record<string, Uint8Array>) =>
    tmp.file(
      name,
      Buffer.concat(
        buildZip(
          name,
          Object.entries(files).map(([n, data]) => ({ name: n, data })),
        ),
      ),
    );

  it('names a .keras archive through config.json, in layer order', async () => {
    const file = await readWeightFile(fixture('keras3_model.keras'));
    expect(file.format).toBe('keras-v3');
    expect(file.names).toEqual([
      'stem_conv/kernel',
      'stem_conv/bias',
      'stem_bn/gamma',
      'stem_bn/beta',
      'stem_bn/moving_mean',
      'stem_bn/moving_variance',
      'head_conv/kernel',
      'predictions/kernel',
      'predictions/bias',
    ]);
  });
  it('falls back to <container>/<index> without a config.json, or with one it cannot follow', async () => {
    const { 'config.json': config, ...rest } = archive();
    const bare = await readWeightFile(rezip('no-config.keras', rest));
    expect(bare.names).toEqual(expected['keras3_model.weights.h5']!.names);
    const broken = await readWeightFile(rezip('bad-config.keras', { ...rest, 'config.json': config!.slice(0, 20) }));
    expect(broken.names).toEqual(expected['keras3_model.weights.h5']!.names);
    const cfg = JSON.parse(new TextDecoder().decode(config));
    cfg.config.layers.pop(); // the Dense layer: its variables would go unnamed
    const short = new TextEncoder().encode(JSON.stringify(cfg));
    const partial = await readWeightFile(rezip('short-config.keras', { ...rest, 'config.json': short }));
    expect(partial.names).toEqual(expected['keras3_model.weights.h5']!.names);
  });
  it('refuses a .keras archive with npz weights', async () => {
    const { 'model.weights.h5': h5, ...rest } = archive();
    expect(h5).toBeDefined();
    const path = rezip('npz.keras', { ...rest, 'model.weights.npz': new Uint8Array(4) });
    expect((await refusal(path)).reason).toMatch(/^a \.keras archive with npz weights/);
  });
  it('names containers as Keras does (naming.to_snake_case, then _1, _2 per class)', () => {
    expect(
      ['Conv2D', 'BatchNormalization', 'DepthwiseConv2D', 'GlobalAveragePooling2D', 'Conv2DTranspose', 'ReLU'].map(
        toSnakeCase,
      ),
    ).toEqual([
      'conv2d',
      'batch_normalization',
      'depthwise_conv2d',
      'global_average_pooling2d',
      'conv2d_transpose',
      're_lu',
    ]);
    const layer = (class_name: string, name: string, config = {}) => ({ class_name, config: { name, ...config } });
    const plan = planFromConfig({
      class_name: 'Functional',
      config: {
        layers: [
          layer('InputLayer', 'input'),
          layer('Conv2D', 'a', { use_bias: false }),
          layer('Conv2D', 'b'),
          layer('Functional', 'backbone', {
            layers: [layer('Conv2D', 'inner'), layer('BatchNormalization', 'bn', { scale: false })],
          }),
          layer('Conv2D', 'c'),
          layer('Rescaling', 'r'),
        ],
      },
    });
    expect(plan).toEqual([
      { group: '/layers/conv2d', name: 'a', vars: ['kernel'] },
      { group: '/layers/conv2d_1', name: 'b', vars: ['kernel', 'bias'] },
      { group: '/layers/functional', name: 'backbone', vars: null },
      { group: '/layers/functional/layers/conv2d', name: 'backbone/inner', vars: ['kernel', 'bias'] },
      {
        group: '/layers/functional/layers/batch_normalization',
        name: 'backbone/bn',
        vars: ['beta', 'moving_mean', 'moving_variance'],
      },
      { group: '/layers/conv2d_2', name: 'c', vars: ['kernel', 'bias'] },
      { group: '/layers/rescaling', name: 'r', vars: null },
    ]);
  });
});
