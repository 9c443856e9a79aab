// Messages between the job manager and a job's child process (one process per job).
import type { Progress } from '../engine/train/index.js';

export type Task =
  | { kind: 'train'; config: Record<string, unknown>; out: string }
  | {
      kind: 'lrFind';
      config: Record<string, unknown>;
      startLr?: number;
      endLr?: number;
      numIt: number;
      all: boolean;
    }
  | { kind: 'eval'; target: string; data?: string; topK: number; topLosses: number }
  | { kind: 'predict'; model: string; image: string; top: number }
  | { kind: 'import'; file: string; arch: string; out: string }
  | {
      kind: 'export';
      target: string;
      format: 'tfjs' | 'onnx' | 'savedmodel';
      out: string;
      rawInput: boolean;
      checkpoint: string;
    };

export type JobMessage =
  /** Sent once the job knows its run folder and device (train), or its backend (the rest). */
  | { type: 'started'; runDir: string | null; backend: string; device: string | null; threads?: number | null }
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: unknown; stopped?: string | null }
  /** `usage`: the input was wrong (a bad config, a missing folder): one line for the user. */
  | { type: 'error'; message: string; usage: boolean };
