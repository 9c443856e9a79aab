// The data pipeline: worker threads give exactly the eval transform `anneal predict` applies,
// skip bad files and say so, decode each image once (memory cache, then disk past the budget),
// and shuffle deterministically under a seed.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, ImageCache, WorkerPool } from '../../../../src-main/engine/data/pipeline/index.js';
import type { Sample } from '../../../../src-main/engine/data/types.js';
import { IMAGENET_PREPROCESSING } from '../../../../src-main/engine/models/index.js';
import { loadImageForModel } from '../../../../src-main/engine/predict/index.js';

let dir: string;
let samples: Sample[];
let pool: WorkerPool;
const SIZE = 24;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anneal-loader-'));
  samples = [];
  for (let i = 0; i < 10; i++) {
    const path = join(dir, `img${i}.${i % 2 ? 'png' : 'jpg'}`);
    const img = sharp({
      create: { width: 40 + i * 3, height: 30 + i, channels: 3, background: { r: 20 * i, g: 255 - 20 * i, b: 90 } },
    }).composite([
      {
        input: Buffer.from(`<svg width="10" height="10"><rect width="10" height="10" fill="red"/></svg>`),
        left: i,
        top: 2,
      },
    ]);
    await (i % 2 ? img.png() : img.jpeg()).toFile(path);
    samples.push({ path, label: i % 3 });
  }
  writeFileSync(join(dir, 'broken.jpg'), 'not an image at all');
  samples.push({ path: join(dir, 'broken.jpg'), label: 1 });
  pool = new WorkerPool(2);
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DataLoader', () => {
  it('gives exactly the eval transform of anneal predict, in file order, and skips a bad file', async () => {
    const loader = new DataLoader({
      samples,
      batchSize: 4,
      size: SIZE,
      presize: SIZE,
      preprocessing: IMAGENET_PREPROCESSING,
      workers: pool,
    });
    const got: { x: Float32Array; y: number; path: string }[] = [];
    for await (const b of loader.epoch(0)) {
      expect(b.x.length).toBe(b.n * SIZE * SIZE * 3);
      for (let k = 0; k < b.n; k++)
        got.push({ x: b.x.subarray(k * SIZE * SIZE * 3, (k + 1) * SIZE * SIZE * 3), y: b.y[k]!, path: b.paths[k]! });
    }
    expect(got.map((g) => g.path)).toEqual(samples.slice(0, 10).map((s) => s.path));
    expect(got.map((g) => g.y)).toEqual(samples.slice(0, 10).map((s) => s.label));
    for (const g of got.slice(0, 3)) {
      const expected = await loadImageForModel(g.path, { inputSize: SIZE, preprocessing: IMAGENET_PREPROCESSING });
      expect(Array.from(g.x)).toEqual(Array.from(expected));
    }
    expect(loader.skipped).toEqual([{ path: join(dir, 'broken.jpg'), reason: expect.stringMatching(/image|decode/) }]);
    await loader.close();
  });

  it('decodes each image once: the second epoch comes from the cache', async () => {
    const cache = new ImageCache({ memoryBytes: 1 << 20 });
    const loader = new DataLoader({
      samples,
      batchSize: 3,
      size: SIZE,
      preprocessing: IMAGENET_PREPROCESSING,
      workers: pool,
      cache,
    });
    const first: number[] = [];
    for await (const b of loader.epoch(0)) first.push(...b.x.subarray(0, 5));
    expect(cache.stats.memoryImages).toBe(10);
    const second: number[] = [];
    for await (const b of loader.epoch(1)) second.push(...b.x.subarray(0, 5));
    expect(second).toEqual(first);
    await loader.close();
    cache.clear();
  });

  it('keeps memory within its budget and spills the rest to disk', async () => {
    const side = Math.round((SIZE * 8) / 7);
    const cache = new ImageCache({ memoryBytes: side * side * 3 * 4 });
    const loader = new DataLoader({
      samples,
      batchSize: 5,
      size: SIZE,
      preprocessing: IMAGENET_PREPROCESSING,
      workers: pool,
      cache,
      prefetch: 0,
    });
    for await (const _ of loader.epoch(0)) void _;
    expect(cache.stats.memoryBytes).toBeLessThanOrEqual(cache.memoryBudget);
    expect(cache.stats.memoryImages + cache.stats.diskImages).toBe(10);
    expect(cache.stats.diskImages).toBeGreaterThan(0);
    expect(readdirSync(cache.diskDir!)).toHaveLength(cache.stats.diskImages);
    const again: number[] = [];
    for await (const b of loader.epoch(1)) again.push(b.n);
    expect(again.reduce((a, b) => a + b, 0)).toBe(10);
    await loader.close();
    cache.clear();
  });

  it('shuffles training epochs deterministically under a seed, differently each epoch', async () => {
    const order = async (seed: number, epoch: number) => {
      const loader = new DataLoader({
        samples,
        batchSize: 4,
        size: SIZE,
        preprocessing: IMAGENET_PREPROCESSING,
        workers: pool,
        shuffle: true,
        seed,
      });
      const paths: string[] = [];
      for await (const b of loader.epoch(epoch)) paths.push(...b.paths);
      await loader.close();
      return paths;
    };
    const a = await order(7, 0);
    expect(await order(7, 0)).toEqual(a);
    expect(await order(7, 1)).not.toEqual(a);
    expect([...a].sort()).toEqual(
      samples
        .slice(0, 10)
        .map((s) => s.path)
        .sort(),
    );
  });

  it('starts an epoch at a later batch: the rest of the same order, each batch with its place', async () => {
    const o = { samples: samples.slice(0, 10), batchSize: 3, size: SIZE, shuffle: true, seed: 5 };
    const loader = new DataLoader({ ...o, preprocessing: IMAGENET_PREPROCESSING, workers: pool });
    const take = async (from?: number) => {
      const out: { position: number; paths: string[] }[] = [];
      for await (const b of loader.epoch(2, from)) out.push({ position: b.position, paths: b.paths });
      return out;
    };
    const whole = await take();
    expect(whole.map((b) => b.position)).toEqual([0, 1, 2, 3]);
    // What a run resumed after its second batch trains on: batches 2 and 3, unchanged.
    expect(await take(2)).toEqual(whole.slice(2));
    expect(await take(4)).toEqual([]);
    await loader.close();
  });
});

describe('pixels across threads', () => {
  it('keeps presized pixels in shared memory, so later epochs hand them to workers uncopied', async () => {
    const loader = new DataLoader({
      samples: samples.slice(0, 4),
      batchSize: 2,
      size: SIZE,
      preprocessing: IMAGENET_PREPROCESSING,
      augment: { hflip: 0.5 },
      seed: 3,
      workers: pool,
    });
    const epoch = async (e: number) => {
      const xs: Float32Array[] = [];
      for await (const b of loader.epoch(e)) xs.push(b.x);
      return xs;
    };
    await epoch(0);
    const side = loader.o.presize;
    for (const s of samples.slice(0, 4)) {
      const hit = loader.cache.lookup(loader.cache.key(s.path, side), side * side * 3);
      expect(hit.kind).toBe('memory');
      if (hit.kind === 'memory') expect(hit.pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    // Workers read the shared pixels and never write into them: epoch 1 is the same twice over.
    const first = await epoch(1);
    expect(await epoch(1)).toEqual(first);
    await loader.close();
  });

  it('parses the augmentation config once, when the loader is made', () => {
    expect(
      () =>
        new DataLoader({
          samples,
          batchSize: 2,
          size: SIZE,
          preprocessing: IMAGENET_PREPROCESSING,
          augment: { hflip: 7 },
          workers: pool,
        }),
    ).toThrow(/hflip/);
  });
});
