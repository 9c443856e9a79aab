// Peak memory and event-loop lag of data.thumbnails on huge images (issue 15, item 5): the old
// path (every image decoded at full size at once, in this process) against the service's (a
// bounded pool of image workers, headers first, a pixel limit). One path per process, so that
// each peak (VmHWM, Linux) is its own:
//   node --import tsx bench/thumbnails.ts make /tmp/big16k         # three 16000² PNGs, ~0.75 MB each
//   node --import tsx bench/thumbnails.ts old /tmp/big16k
//   node --import tsx bench/thumbnails.ts new /tmp/big16k [maxPixels]
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, readDataset } from '../src-main/engine/data/sources/index.js';
import { resizeAndCrop } from '../src-main/engine/predict/index.js';
import { JobManager } from '../src-main/jobs/index.js';
import { createHandlers, dispatch, MediaPool } from '../src-main/service/index.js';

const [mode, dir, max] = process.argv.slice(2);
const peakMB = () => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);

/** Longest the event loop was kept from a 20 ms timer. */
function lagMeter(): () => number {
  let worst = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last - 20);
    last = now;
  }, 20);
  return () => (clearInterval(timer), worst);
}

async function oldThumbnail(path: string, size: number): Promise<boolean> {
  try {
    const square = await resizeAndCrop(await decodeImage(path), size, 'bilinear');
    await sharp(Buffer.from(square.data), { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer();
    return true;
  } catch {
    return false;
  }
}

if (mode === 'make') {
  const colours = ['#ff0000', '#00ff00', '#0000ff'];
  for (const [i, c] of ['a', 'b', 'c'].entries()) {
    mkdirSync(join(dir!, c), { recursive: true });
    await sharp({ create: { width: 16000, height: 16000, channels: 3, background: colours[i]! } })
      .png({ compressionLevel: 9 })
      .toFile(join(dir!, c, 'big.png'));
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
      .png()
      .toFile(join(dir!, c, 'small.png'));
  }
} else {
  const t = Date.now();
  const lag = lagMeter();
  let shown: number;
  if (mode === 'old') {
    const { dataset } = await readDataset(dir!);
    shown = (await Promise.all(dataset.samples.map((s) => oldThumbnail(s.path, 72)))).filter(Boolean).length;
  } else {
    const media = new MediaPool();
    const h = createHandlers({
      mode: 'serve',
      version: 'bench',
      cwd: '/',
      jobs: new JobManager(),
      media,
      thumbnailMaxPixels: max ? Number(max) : undefined,
    });
    const r = (await dispatch(h, 'data.thumbnails', { path: dir, perClass: 6, size: 72 })) as {
      result: { classes: { images: unknown[] }[] };
    };
    shown = r.result.classes.flatMap((c) => c.images).length;
    await media.close();
  }
  const worstLag = lag();
  console.log(
    JSON.stringify({
      mode,
      maxPixels: max ?? null,
      thumbnails: shown,
      peakRssMB: peakMB(),
      seconds: (Date.now() - t) / 1000,
      worstLagMs: worstLag,
    }),
  );
}
