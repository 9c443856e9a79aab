// Messages between the service and its image workers (pool.ts, worker.ts).
import type { Alpha, AugmentConfig, InspectOptions, MixSettings } from '../../engine/index.js';

export type MediaTask =
  /** A centre-cropped square PNG, or null for a file that does not decode or is over maxPixels. */
  | { kind: 'thumbnail'; path: string; size: number; maxPixels: number; alpha?: Alpha | undefined }
  /** The image as a model sees it: alpha, the shorter side resized, centre-cropped (predict's eval transform). */
  | {
      kind: 'modelView';
      path: string;
      inputSize: number;
      interpolation: 'bilinear' | 'bicubic';
      alpha?: Alpha | undefined;
    }
  /** inspectDataset's report. */
  | { kind: 'inspect'; path: string; options?: InspectOptions }
  /** renderDatasetPreview's grid. */
  | {
      kind: 'preview';
      path: string;
      config: AugmentConfig;
      seed: number;
      rows: number;
      cols: number;
      size: number;
      configName: string;
      alpha?: Alpha | undefined;
      mix?: MixSettings | undefined;
    };

export type MediaResult =
  /** Sent any number of times before the result (inspect: images read so far). */
  | { progress: { done: number; total: number } }
  | { ok: true; value: unknown }
  /** `usage`: the user's input was wrong (a missing folder, a bad setting): one line for them. */
  | { ok: false; message: string; usage: boolean };
