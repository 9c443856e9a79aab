// One worker thread of the data pipeline: decode (once; later epochs get the presized pixels back
// from the cache), augment or eval-transform, normalise. Never throws: a bad file is a result.
import { readFileSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ImageError, decodeRgb, normalize, resizeAndCrop } from '../../predict/image.js';
import type { RgbImage } from '../types.js';
import type { WorkerResult, WorkerTask } from './protocol.js';

type Augment = (img: RgbImage, config: unknown, size: number, seed: number) => Promise<RgbImage> | RgbImage;
let augmentFn: Augment | undefined;

async function augmenter(): Promise<Augment> {
  augmentFn ??= ((await import('../augment/index.js')) as unknown as { augmentWithSeed: Augment }).augmentWithSeed;
  return augmentFn;
}

async function run(t: WorkerTask): Promise<WorkerResult> {
  try {
    let square: RgbImage;
    let fresh: Uint8Array | null = null;
    let spilled = false;
    if (t.cached) {
      square = { width: t.side, height: t.side, data: t.cached };
    } else if (t.cachedFile) {
      square = { width: t.side, height: t.side, data: new Uint8Array(readFileSync(t.cachedFile)) };
    } else {
      square = await resizeAndCrop(await decodeRgb(t.path, t.preprocessing.alpha), t.side, t.interpolation);
      if (t.spillTo) {
        writeFileSync(t.spillTo, square.data);
        spilled = true;
      } else {
        fresh = square.data;
      }
    }
    const out = t.augment
      ? await (
          await augmenter()
        )(square, t.augment, t.size, t.seed)
      : await resizeAndCrop(square, t.size, t.interpolation);
    const x = normalize(out, t.preprocessing);
    return { id: t.id, ok: true, x, pixels: fresh ? fresh.slice() : null, spilled };
  } catch (e) {
    const reason = e instanceof ImageError ? e.reason : (e as Error).message;
    return { id: t.id, ok: false, reason };
  }
}

parentPort!.on('message', (t: WorkerTask) => {
  void run(t).then((r) => {
    const transfer = r.ok ? [r.x.buffer, ...(r.pixels ? [r.pixels.buffer] : [])] : [];
    parentPort!.postMessage(r, transfer as ArrayBuffer[]);
  });
});
