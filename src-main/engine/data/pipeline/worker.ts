// One worker thread of the data pipeline: decode (once; later epochs get the presized pixels back
// from the cache), augment or eval-transform, normalise. Never throws: a bad file is a result.
import { readFileSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ImageError, decodeRgb, normalize, resizeAndCrop } from '../../predict/image.js';
import type * as AugmentModule from '../augment/index.js';
import type { RgbImage } from '../types.js';
import type { WorkerResult, WorkerTask } from './protocol.js';

type Augment = typeof AugmentModule;
let augmentModule: Augment | undefined;

/** The augmentation code, loaded on the first augmented image (evaluation never needs it). */
async function augmenter(): Promise<Augment> {
  augmentModule ??= await import('../augment/index.js');
  return augmentModule;
}

/**
 * The presized pixels, once, into shared memory: the loader's cache keeps this very buffer, and
 * later epochs hand it back to whichever worker runs the image without copying it either way.
 */
function shared(pixels: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(pixels.byteLength));
  out.set(pixels);
  return out;
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
    let out: RgbImage;
    if (t.augment) {
      const a = await augmenter();
      // Never writes into `square` (a new buffer always): the shared cached pixels stay as they are.
      out = a.augment(square, t.augment, t.size, a.mulberry32(t.seed));
    } else {
      out = await resizeAndCrop(square, t.size, t.interpolation);
    }
    const x = normalize(out, t.preprocessing);
    return { id: t.id, ok: true, x, pixels: fresh ? shared(fresh) : null, spilled };
  } catch (e) {
    const reason = e instanceof ImageError ? e.reason : (e as Error).message;
    return { id: t.id, ok: false, reason };
  }
}

parentPort!.on('message', (t: WorkerTask) => {
  void run(t).then((r) => {
    // The input tensor's buffer is moved, not copied; shared pixels are shared, not moved.
    const transfer = r.ok ? [r.x.buffer] : [];
    parentPort!.postMessage(r, transfer as ArrayBuffer[]);
  });
});
