// What finding near-duplicates adds to `anneal data inspect`: writes N small PNGs (4 classes,
// 48–96 px, random shapes), then runs inspect on them twice through
// the engine, bytes only and with pHash, and prints the time and the peak RSS of each.
//   npx tsx bench/duplicates.ts --images 20000 --dir /tmp/anneal-dup-bench
// Results in docs/data.md. Run each mode in a fresh process (--mode) so that RSS is its own.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { inspectDataset, mulberry32 } from '../src-main/engine/data/sources/index.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '20000' },
    dir: { type: 'string', default: '/tmp/anneal-dup-bench' },
    mode: { type: 'string' },
  },
});
const n = Number(values.images);
const dir = values.dir;

async function generate(): Promise<void> {
  const classes = ['a', 'b', 'c', 'd'];
  for (const c of classes) mkdirSync(join(dir, c), { recursive: true });
  const r = mulberry32(1);
  for (let k = 0; k < n; k++) {
    const size = 48 + Math.floor(r() * 48);
    const colour = () => `rgb(${Math.floor(r() * 255)},${Math.floor(r() * 255)},${Math.floor(r() * 255)})`;
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="${colour()}"/>` +
      `<circle cx="${r() * size}" cy="${r() * size}" r="${4 + r() * size * 0.4}" fill="${colour()}"/>` +
      `<rect x="${r() * size}" y="${r() * size}" width="${4 + r() * size * 0.5}" height="${4 + r() * size * 0.5}" fill="${colour()}"/></svg>`;
    await sharp(Buffer.from(svg))
      .png()
      .toFile(join(dir, classes[k % 4]!, `${k}.png`));
  }
}

if (!existsSync(dir) || readdirSync(dir).length === 0) await generate();
if (values.mode) {
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await inspectDataset(dir, { nearDuplicates: values.mode === 'bytes' ? false : undefined });
  const seconds = (performance.now() - t0) / 1000;
  // CPU time (this process and its libuv decode threads): less at the mercy of other load than wall time.
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      mode: values.mode,
      images: report.total,
      groups: report.duplicates.length,
      seconds: Math.round(seconds * 10) / 10,
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
      peakRssMB: Math.round(peak / 2 ** 20),
    }),
  );
}
