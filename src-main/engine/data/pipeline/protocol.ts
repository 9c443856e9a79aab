// Messages between the loader and its worker threads.
import type { Preprocessing } from '../../models/catalog.js';
import type { AugmentConfig } from '../augment/config.js';

export interface WorkerTask {
  id: number;
  path: string;
  /** Presized square side (decode → resize shorter side → centre crop). */
  side: number;
  /** Output size of the model input. */
  size: number;
  interpolation: 'bilinear' | 'bicubic';
  preprocessing: Preprocessing;
  /** Training augmentation config, parsed by the loader, or null for the eval transform. */
  augment: AugmentConfig | null;
  /** Seed of this sample's random draws (deterministic whatever worker runs it). */
  seed: number;
  /** Presized pixels from the cache: a view of shared memory, which crosses threads uncopied. */
  cached: Uint8Array | null;
  cachedFile: string | null;
  spillTo: string | null;
}

export type WorkerResult =
  /** `pixels`: freshly presized, in a SharedArrayBuffer, for the cache (null when cached or spilled). */
  | { id: number; ok: true; x: Float32Array; pixels: Uint8Array | null; spilled: boolean }
  | { id: number; ok: false; reason: string };
