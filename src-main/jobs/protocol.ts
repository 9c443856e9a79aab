// Messages between the job manager and a job's child process (one process per job).
import type { JobKind, ReplyOf } from '../contract/index.js';
import type { Progress, RunResult } from '../engine/index.js';

/** What each kind of job takes; the kinds are the contract's JOB_KINDS, no more and no fewer. */
interface TaskInputs extends Record<JobKind, object> {
  train: { config: Record<string, unknown>; out: string };
  lrFind: { config: Record<string, unknown>; startLr?: number; endLr?: number; numIt: number; all: boolean };
  eval: { target: string; data?: string; topK: number; topLosses: number };
  predict: { model: string; image: string; top: number };
  import: { file: string; arch: string; out: string };
  export: {
    target: string;
    format: 'tfjs' | 'onnx' | 'savedmodel';
    out: string;
    rawInput: boolean;
    checkpoint: string;
  };
}

export type Task = { [K in JobKind]: { kind: K } & TaskInputs[K] }[JobKind];

/** What each kind of job answers (its `done` message's result), in the contract's reply types. */
export interface TaskResults extends Record<JobKind, unknown> {
  train: Omit<RunResult, 'backend'> & { backend: string; device: string | null };
  lrFind: ReplyOf<'lrFind.run'>;
  eval: Omit<ReplyOf<'eval.run'>, 'thumbnails'>;
  predict: ReplyOf<'predict.run'>;
  import: ReplyOf<'models.import'>;
  export: ReplyOf<'export.run'>;
}

export type JobMessage =
  /** Sent once the job knows its run folder and device (train), or its backend (the rest). */
  | { type: 'started'; runDir: string | null; backend: string; device: string | null }
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: unknown; stopped?: string | null }
  /** `usage`: the input was wrong (a bad config, a missing folder): one line for the user. */
  | { type: 'error'; message: string; usage: boolean };
