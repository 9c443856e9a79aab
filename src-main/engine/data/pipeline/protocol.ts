// Messages between the loader and its worker threads.
import type { Preprocessing } from '../../models/catalog.js';

export interface WorkerTask {
  id: number;
  path: string;
  /** Presized square side (decode → resize shorter side → centre crop). */
  side: number;
  /** Output size of the model input. */
  size: number;
  interpolation: 'bilinear' | 'bicubic';
  preprocessing: Preprocessing;
  /** Training augmentation config, or null for the eval transform. */
  augment: unknown;
  /** Seed of this sample's random draws (deterministic whatever worker runs it). */
  seed: number;
  cached: Uint8Array | null;
  cachedFile: string | null;
  spillTo: string | null;
}

export type WorkerResult =
  | { id: number; ok: true; x: Float32Array; pixels: Uint8Array | null; spilled: boolean }
  | { id: number; ok: false; reason: string };
