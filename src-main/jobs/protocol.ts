// Messages between the job manager and a job's child process (one process per job).
import type { JobKind, ReplyOf } from '../contract/index.js';
import type { Alpha, LabelIssuesReport, Progress, RunResult, TtaConfig } from '../engine/index.js';

/** What each kind of job takes; the kinds are the contract's JOB_KINDS, no more and no fewer. */
interface TaskInputs extends Record<JobKind, object> {
  train: { config: Record<string, unknown>; out: string };
  resume: { runDir: string };
  /** `anneal doctor`'s probe: it starts every backend, which the server must not. */
  doctor: object;
  lrFind: {
    config: Record<string, unknown>;
    startLr?: number;
    endLr?: number;
    numIt: number;
    all: boolean;
    /** The call's progressTag: its count messages become task.progress events. */
    tag?: string | undefined;
  };
  eval: {
    target: string;
    data?: string | undefined;
    topK: number;
    topLosses: number;
    perImage?: boolean | undefined;
    tta?: TtaConfig | undefined;
    tag?: string | undefined;
  };
  predict: { model: string; image: string; top: number; tta?: TtaConfig | undefined; explain?: boolean | undefined };
  predictFolder: { model: string; dir: string; top: number; tta?: TtaConfig | undefined; tag?: string | undefined };
  /** Grad-CAM overlays (`anneal explain`). */
  explain: { model: string; images: string[]; className?: string | undefined; classNames?: string[] | undefined };
  import: { file: string; arch: string; out: string; tag?: string | undefined };
  export: {
    target: string;
    format: 'tfjs' | 'onnx' | 'savedmodel';
    out: string;
    rawInput: boolean;
    checkpoint: string;
    ema?: boolean | undefined;
    tag?: string | undefined;
  };
  /** `anneal data issues`: the dataset folder and the settings (engine/label-issues/settings.ts). */
  dataIssues: { data: string; settings: Record<string, unknown>; tag?: string | undefined };
}

export type Task = { [K in JobKind]: { kind: K } & TaskInputs[K] }[JobKind];

type TrainResult = Omit<RunResult, 'backend'> & { backend: string; device: string | null };

/** What each kind of job answers (its `done` message's result), in the contract's reply types. */
export interface TaskResults extends Record<JobKind, unknown> {
  train: TrainResult;
  resume: TrainResult;
  doctor: ReplyOf<'app.backends'>;
  lrFind: ReplyOf<'lrFind.run'>;
  eval: Omit<ReplyOf<'eval.run'>, 'thumbnails'>;
  /** With what the screen needs to show the image as the model sees it. */
  predict: Omit<ReplyOf<'predict.run'>, 'view'> & {
    inputSize: number;
    interpolation: 'bilinear' | 'bicubic';
    alpha: Alpha | undefined;
  };
  predictFolder: ReplyOf<'predict.folder'>;
  import: ReplyOf<'models.import'>;
  export: ReplyOf<'export.run'>;
  explain: ReplyOf<'explain.images'>;
  dataIssues: LabelIssuesReport;
}

export type JobMessage =
  /** Sent once the job knows its run folder and device (train), or its backend (the rest). */
  | { type: 'started'; runDir: string | null; backend: string; device: string | null; threads?: number | null }
  | { type: 'progress'; progress: Progress }
  /** Progress of a job that is not training (`done` of `total` `unit`; the LR finder's point). */
  | { type: 'count'; done: number; total: number; unit: string; point?: { x: number; y: number } }
  | { type: 'done'; result: unknown; stopped?: string | null }
  /** `usage`: the input was wrong (a bad config, a missing folder): one line for the user. */
  | { type: 'error'; message: string; usage: boolean };
