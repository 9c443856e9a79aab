// Data pipeline throughput: images/s of decode + presize + (augment | eval transform) + normalise
// through the worker pool, first epoch (decoding) and second epoch (from the cache). Not a test.
//   npx tsx bench/pipeline.ts [--images N] [--size S] [--workers W] [--augment] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DataLoader, WorkerPool } from '../src-main/engine/data/pipeline/index.js';
import type { Sample } from '../src-main/engine/data/types.js';
import { IMAGENET_PREPROCESSING } from '../src-main/engine/models/index.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '400' },
    size: { type: 'string', default: '224' },
    workers: { type: 'string', default: String(Math.min(4, cpus().length)) },
    batch: { type: 'string', default: '32' },
    augment: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.images);
const size = Number(values.size);

/** Photo-like JPEGs (500x375, noisy, so decoding costs what a real photo costs). */
async function makeImages(dir: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < N; i++) {
    const raw = Buffer.alloc(500 * 375 * 3);
    let s = i * 2654435761;
    for (let p = 0; p < raw.length; p++) {
      s = (s * 1103515245 + 12345) >>> 0;
      raw[p] = ((p % 1500) / 6 + (s >>> 24) / 4) & 255;
    }
    const path = join(dir, `img${i}.jpg`);
    await sharp(raw, { raw: { width: 500, height: 375, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(path);
    samples.push({ path, label: i % 10 });
  }
  return samples;
}

const dir = mkdtempSync(join(tmpdir(), 'anneal-bench-pipeline-'));
try {
  const samples = await makeImages(dir);
  const pool = new WorkerPool(Number(values.workers));
  const loader = new DataLoader({
    samples,
    batchSize: Number(values.batch),
    size,
    preprocessing: IMAGENET_PREPROCESSING,
    augment: values.augment ? {} : null,
    workers: pool,
  });
  const rates: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const t0 = performance.now();
    let n = 0;
    for await (const b of loader.epoch(epoch)) n += b.n;
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  const result = {
    images: N,
    size,
    workers: pool.size,
    cores: cpus().length,
    augment: values.augment,
    decode_img_per_s: Math.round(rates[0]! * 10) / 10,
    cached_img_per_s: Math.round(rates[1]! * 10) / 10,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  await loader.close();
  await pool.close();
  console.log(values.json ? JSON.stringify(result) : result);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
