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
      tag?: string;
    }
  | { kind: 'resume'; runDir: string }
  | { kind: 'doctor' }
  | { kind: 'eval'; target: string; data?: string; topK: number; topLosses: number; perImage?: boolean; tag?: string }
  | { kind: 'predict'; model: string; image: string; top: number }
  | { kind: 'predictFolder'; model: string; dir: string; top: number; tag?: string }
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
  | { type: 'started'; runDir: string | null; backend: string; device: string | null }
  | { type: 'progress'; progress: Progress }
  /** Progress of a job that is not training (`done` of `total` `unit`; the LR finder's point). */
  | { type: 'count'; done: number; total: number; unit: string; point?: { x: number; y: number } }
  | { type: 'done'; result: unknown; stopped?: string | null }
  /** `usage`: the input was wrong (a bad config, a missing folder): one line for the user. */
  | { type: 'error'; message: string; usage: boolean };
