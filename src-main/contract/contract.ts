// The one contract between the renderer and main: every channel the renderer may call, with a zod
// schema for its request, and every event main pushes. The Electron shell (IPC) and `anneal serve`
// (WebSocket) both validate each incoming message against it (electron/fiddle's ipc-events.ts
// allow-list, made stricter with runtime schemas), and the renderer's client is typed by it.
//
// Requests are validated at runtime because they cross a trust boundary (a page, a socket).
// Replies come from this program's own engine; their types are the engine's own, named here with
// z.custom so that the renderer and both adapters agree on one shape without copying it.
// This file must stay importable by the renderer: zod and type-only imports, nothing from Node.
import { z } from 'zod';
import {
  Alpha,
  ControlCommand,
  InputError,
  LabelIssuesSettings,
  NearDuplicates,
  RecipeFields,
  TtaConfig,
} from '../engine/browser.js';
import type {
  EvalResult,
  InspectReport,
  LabelIssuesReport,
  LrFindResult,
  ModelRow,
  MoveRecord,
  Prediction,
  Progress,
  RunDetail,
  RunSeries,
  RunSummary,
  StepRecord,
  StoreEntry,
  SweepListRow,
  SweepResults,
} from '../engine/index.js';

const path = z.string().trim().min(1, 'is required').max(4096);
const reply = <T>() => z.custom<T>(() => true);
const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** The biggest image file the Predict screen may send (docs/security.md). */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;
/** Its length in base64, as it travels. */
const MAX_UPLOAD_BASE64 = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4;
/** The biggest WebSocket message `anneal serve` reads: one upload and its envelope. */
export const MAX_FRAME_BYTES = MAX_UPLOAD_BASE64 + 64 * 1024;
/** Free-form JSON in a request (a run config, augmentation settings): nesting and size bounds. */
export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_BYTES = 256 * 1024;

/**
 * Nesting depth and serialized size of a JSON value, stopping as soon as either bound is passed.
 * Iterative (an explicit stack), so a value nested 100k deep cannot overflow the call stack here;
 * past this check the engine, JSON.stringify and a job's IPC channel all recurse safely.
 */
export function jsonBounds(value: unknown): { depth: number; bytes: number } {
  let depth = 0;
  let bytes = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    depth = Math.max(depth, d);
    if (depth > MAX_JSON_DEPTH || bytes > MAX_JSON_BYTES) break;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (v === null || typeof v !== 'object') bytes += String(v).length;
    else {
      const entries = Array.isArray(v) ? v.map((x) => ['', x] as const) : Object.entries(v);
      bytes += 2;
      for (const [k, x] of entries) {
        bytes += k ? k.length + 4 : 1;
        stack.push([x, d + 1]);
      }
    }
  }
  return { depth, bytes };
}

/** A JSON value with bounded nesting and size (the engine validates what it means). */
const boundedJson = <T extends z.ZodType>(schema: T) =>
  schema.superRefine((value, ctx) => {
    const { depth, bytes } = jsonBounds(value);
    if (depth > MAX_JSON_DEPTH)
      ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    else if (bytes > MAX_JSON_BYTES)
      ctx.addIssue({ code: 'custom', message: `larger than ${MAX_JSON_BYTES / 1024} KiB of JSON` });
  });

/** A run config (docs/training.md); the engine's parseRunConfig names any wrong field. */
const runConfig = boundedJson(z.record(z.string(), z.unknown()));

/** `anneal control`'s commands (engine/train/control-command.ts), as the contract takes them. */
export const ControlRequest = ControlCommand;

export const JOB_KINDS = [
  'train',
  'resume',
  'lrFind',
  'eval',
  'predict',
  'predictFolder',
  'import',
  'export',
  'doctor',
  'explain',
  'dataIssues',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATES = ['queued', 'starting', 'running', 'paused', 'done', 'stopped', 'failed'] as const;

export interface JobInfo {
  id: string;
  kind: JobKind;
  state: (typeof JOB_STATES)[number];
  /** While queued: jobs that run or wait before this one for the same slots; else null. */
  ahead?: number | null;
  /** The run folder, once the job has one (train). */
  runDir: string | null;
  backend: string | null;
  device: string | null;
  /** Which program runs the job, and why: in the desktop app, the GPU path (src-main/jobs/runtime.ts). */
  runtime?: string | null;
  /** CPU threads the backend runs on (wasm), shown beside the device. */
  threads?: number | null;
  error: string | null;
  started: string;
}

/** A row of the model catalog (engine/store/models-list.ts). */
export type { ModelRow };

export interface BackendsReport {
  backends: {
    name: string;
    available: boolean;
    device: string | null;
    reason: string;
    /** CPU threads its kernels run on, and why that many (wasm; null elsewhere). */
    threads: { count: number; why: string } | null;
  }[];
  /** What training every layer, and training the head only (a frozen stage), would run on. */
  selected: { full: string; frozen: string };
  /** What computes training steps on images beside that backend (onnxruntime on a CPU one), and why. */
  trainEngine?: { engine: 'tfjs' | 'onnxruntime'; why: string };
}

export interface ExportResult {
  out: string;
  files: string[];
  /** The model card (HTML) the export wrote, if any. */
  card: string | null;
  log: string;
}

/**
 * A caller-chosen id that ties `task.progress` events to the call that asked for them (a
 * request is answered once; the events stream while it runs).
 */
const progressTag = z.string().min(1).max(100).optional();

/** A Grad-CAM overlay (`anneal explain`): the explained class and the PNG, as a data URL. */
export interface ExplainedImage {
  path: string;
  /** The explained class (the prediction unless one was asked for), its probability, the prediction. */
  label: string;
  prob: number;
  predicted: string;
  /** The heatmap over the image as the model sees it, a PNG data URL. */
  overlay: string;
}

export interface ExplainResult {
  images: ExplainedImage[];
  skipped: { path: string; reason: string }[];
}

/** One image's top-k as the Predict screen and `anneal predict --csv` show it. */
export interface FolderPrediction {
  image: string;
  top: { label: string; prob: number }[];
  probs: number[];
}

export interface FolderPredictResult {
  labels: string[];
  rows: FolderPrediction[];
  /** Files that could not be read: listed, not fatal. */
  skipped: { path: string; reason: string }[];
  /** The same CSV `anneal predict --csv` writes. */
  csv: string;
}

const num = z.number().finite();
const optionalSize = z.number().int().min(1).max(4096).nullable();

/**
 * What the screens were set to (dataset, model, sizes, split, augmentation, schedule, the runs in
 * view), kept server-side per runs folder so that a reload, or another window, finds it again.
 * Every field is optional: a workspace from an older version loads what it has.
 */
export const Workspace = z
  .object({
    screen: z.string().max(40),
    dataPath: z.string().max(4096),
    model: z.string().max(4096),
    /** The chosen model's layer groups, named as the engine names them (stem … head). */
    groupNames: z.array(z.string().max(64)).min(1).max(64),
    imageSize: optionalSize,
    batchSize: optionalSize,
    valSplit: num,
    seed: z.number().int().min(0),
    updateRatioEvery: z.number().int().min(0),
    augment: z
      .object({
        enabled: z.boolean(),
        cropMin: num,
        crop: z.boolean(),
        hflip: num,
        vflip: num,
        rotate: num,
        jitter: num,
      })
      .partial(),
    schedule: z
      .object({
        mode: z.enum(['fineTune', 'oneCycle', 'json']),
        text: z.string().max(200_000),
        epochs: num,
        freezeEpochs: num,
        baseLr: num,
        lrMult: num,
        pctStart: num,
        maxLr: num,
        minGroupLr: num,
        /** Progressive resizing: the image size of each stage, as typed ("32, 48"). */
        stageSizes: z.string().max(200),
      })
      .partial(),
    /** The Train screen's regularisation recipes (state/recipe-form.svelte.ts). */
    recipes: z
      .object({
        labelSmoothing: num,
        mixup: z.boolean(),
        mixupAlpha: num,
        cutmix: z.boolean(),
        cutmixAlpha: num,
        mixProb: num,
        switchProb: num,
        ema: z.boolean(),
        emaDecay: num,
        emaWarmup: z.boolean(),
      })
      .partial(),
    selectedRun: z.string().max(4096).nullable(),
    /** The run the Train screen shows (running or finished), rebuilt from its store on reload. */
    trainRun: z.string().max(4096).nullable(),
    runColumns: z.array(z.string().max(40)).max(40),
    /** The inspected dataset in brief, so that a reload need not decode every file again. */
    dataset: z.object({
      path: z.string().max(4096),
      total: z.number().int().min(0),
      classes: z.array(z.object({ name: z.string().max(500), count: z.number().int().min(0) })).max(10_000),
      split: z.object({ train: z.number().int().min(0), val: z.number().int().min(0) }).nullable(),
    }),
  })
  .partial();
export type DatasetBrief = NonNullable<z.infer<typeof Workspace>['dataset']>;
export type Workspace = z.infer<typeof Workspace>;

export type RunListRow = RunSummary & { config: Record<string, unknown> };

/** A run's step records and epoch records, to draw its charts again from its folder. */
export type RunHistory = RunDetail & { steps: StepRecord[] };

export const channels = {
  'app.info': {
    request: z.strictObject({}),
    reply: reply<{
      mode: 'electron' | 'serve';
      version: string;
      cwd: string;
      runsDir: string;
      /** A native folder dialog exists (Electron); serve mode takes typed paths. */
      canPickFolder: boolean;
    }>(),
  },
  'app.pickPath': {
    request: z.strictObject({ kind: z.enum(['folder', 'file']), title: z.string().max(200).optional() }),
    reply: reply<{ path: string | null }>(),
  },
  'data.inspect': {
    request: z.strictObject({
      path,
      alpha: Alpha.optional(),
      nearDuplicates: NearDuplicates.optional(),
      progressTag,
    }),
    /** With thumbnails of the files of the first duplicate groups and of the nearly uniform images. */
    reply: reply<InspectReport & { thumbnails: Record<string, string> }>(),
  },
  'data.thumbnails': {
    request: z.strictObject({
      path,
      perClass: int(1, 24).default(6),
      size: int(16, 256).default(72),
      alpha: Alpha.optional(),
    }),
    reply: reply<{ classes: { name: string; images: { path: string; src: string }[] }[] }>(),
  },
  'data.augmentPreview': {
    request: z.strictObject({
      path,
      augment: boundedJson(z.unknown()).optional(),
      seed: int(0, 2 ** 31).default(0),
      rows: int(1, 12).default(4),
      cols: int(1, 12).default(5),
      size: int(16, 512).default(96),
      alpha: Alpha.optional(),
      /** MixUp/CutMix rows, as the run config's fields would mix. */
      mix: z
        .strictObject({
          mixup: RecipeFields.mixup,
          cutmix: RecipeFields.cutmix,
          mixProb: RecipeFields.mixProb,
          switchProb: RecipeFields.switchProb,
        })
        .optional(),
    }),
    reply: reply<{ src: string; rows: number; skipped: number }>(),
  },
  'data.makeSample': {
    request: z.strictObject({ dir: path, imagesPerClass: int(2, 500).default(20) }),
    reply: reply<{ path: string; classes: string[] }>(),
  },
  /**
   * Likely mislabelled images (`anneal data issues`), as a job: the report, thumbnails of the first
   * `thumbnails` issues, and the moves that can be undone.
   */
  'data.issues': {
    request: LabelIssuesSettings.extend({ path, thumbnails: int(0, 200).default(60), progressTag }),
    reply: reply<LabelIssuesReport & { thumbnails: Record<string, string>; undoable: MoveRecord[] }>(),
  },
  /**
   * The last label-issues report kept in the folder (null if none) with thumbnails of its first
   * `thumbnails` issues still there, and the moves that can be undone: the panel after a reload.
   */
  'data.labelMoves': {
    request: z.strictObject({ path, thumbnails: int(0, 200).default(60) }),
    reply: reply<{ report: LabelIssuesReport | null; thumbnails: Record<string, string>; undoable: MoveRecord[] }>(),
  },
  /** Moves an image into another class folder (`anneal data move`), logged. */
  'data.move': {
    request: z.strictObject({ path, file: path, to: z.string().min(1).max(255) }),
    reply: reply<{ record: MoveRecord; undoable: MoveRecord[] }>(),
  },
  /** Takes back a move (`anneal data move --undo`): the newest, or the one with this id. */
  'data.undoMove': {
    request: z.strictObject({ path, id: z.string().min(1).max(64).optional() }),
    reply: reply<{ record: MoveRecord; undoable: MoveRecord[] }>(),
  },
  'models.list': { request: z.strictObject({}), reply: reply<ModelRow[]>() },
  /** `anneal doctor`, as a job: the backends here and which one each kind of training would use. */
  'app.backends': { request: z.strictObject({}), reply: reply<BackendsReport>() },
  'models.import': {
    request: z.strictObject({ file: path, arch: z.string().min(1).max(100), out: path, progressTag }),
    reply: reply<{ modelDir: string }>(),
  },
  'models.add': {
    request: z.strictObject({ file: path, arch: z.string().min(1).max(100).optional() }),
    reply: reply<StoreEntry>(),
  },
  'models.pull': { request: z.strictObject({ ref: z.string().min(1).max(200) }), reply: reply<StoreEntry>() },
  'lrFind.run': {
    request: z.strictObject({
      config: runConfig,
      startLr: z.number().positive().optional(),
      endLr: z.number().positive().optional(),
      numIt: int(5, 1000).default(100),
      all: z.boolean().default(false),
      progressTag,
    }),
    // engine: what computed the steps, "onnxruntime 1.x (cpu, 2 threads)" or "TF.js (wasm)".
    reply: reply<
      Pick<LrFindResult, 'lrs' | 'losses' | 'suggestions' | 'diverged'> & { backend: string; engine: string }
    >(),
  },
  'train.start': {
    request: z.strictObject({ config: runConfig, out: path.optional() }),
    reply: reply<JobInfo>(),
  },
  'train.control': {
    request: z.strictObject({ jobId: z.string().min(1).max(100), command: ControlRequest }),
    reply: reply<JobInfo>(),
  },
  'jobs.list': { request: z.strictObject({}), reply: reply<JobInfo[]>() },
  /** Each run's summary with its config (recipe, rates, sizes, augmentation tell runs apart). */
  'runs.list': { request: z.strictObject({ out: path.optional() }), reply: reply<RunListRow[]>() },
  'runs.show': { request: z.strictObject({ runDir: path }), reply: reply<RunDetail>() },
  /** runs.show with every step record: the Train screen's charts, rebuilt after a reload. */
  'runs.history': { request: z.strictObject({ runDir: path }), reply: reply<RunHistory>() },
  /** Continues a stopped or killed run from its last checkpoint (`anneal resume`), as a job. */
  'runs.resume': { request: z.strictObject({ runDir: path }), reply: reply<JobInfo>() },
  'workspace.get': { request: z.strictObject({}), reply: reply<Workspace>() },
  'workspace.set': { request: z.strictObject({ workspace: Workspace }), reply: reply<{ saved: string }>() },
  /** Thumbnails of given image files (the images behind a confusion-matrix cell). */
  'media.thumbnails': {
    request: z.strictObject({
      paths: z.array(path).min(1).max(200),
      size: int(16, 256).default(96),
      alpha: Alpha.optional(),
    }),
    reply: reply<Record<string, string>>(),
  },
  'runs.compare': {
    request: z.strictObject({
      runDirs: z.array(path).min(1).max(20),
      metric: z.enum(['val_accuracy', 'val_loss', 'accuracy', 'loss']).default('val_accuracy'),
    }),
    reply: reply<RunSeries[]>(),
  },
  /** The sweeps under sweeps/ (or `out`), newest first, each with its trials' runs (docs/sweeps.md). */
  'sweeps.list': { request: z.strictObject({ out: path.optional() }), reply: reply<SweepListRow[]>() },
  /** One sweep's trials ranked, their curves, and the best trial's run config. */
  'sweeps.show': { request: z.strictObject({ sweepDir: path }), reply: reply<SweepResults>() },
  'eval.run': {
    request: z.strictObject({
      target: path,
      data: path.optional(),
      topK: int(1, 100).default(5),
      topLosses: int(0, 64).default(12),
      /** Every image's prediction too, for the confusion matrix's cells. */
      perImage: z.boolean().default(false),
      /** Test-time augmentation (fastai's tta); absent: the plain view. */
      tta: TtaConfig.optional(),
      progressTag,
    }),
    reply: reply<EvalResult & { thumbnails: Record<string, string> }>(),
  },
  /** Grad-CAM overlays of image files (`anneal explain`), for the Evaluate screen's galleries. */
  'explain.images': {
    request: z
      .strictObject({
        model: path,
        paths: z.array(path).min(1).max(200),
        /** A class name to explain instead of each image's prediction. */
        className: z.string().min(1).max(500).optional(),
        /** Per path, the class to explain (e.g. what a TTA evaluation predicted); as many as paths. */
        classNames: z.array(z.string().min(1).max(500)).max(200).optional(),
      })
      .refine((r) => !r.classNames || r.classNames.length === r.paths.length, {
        message: 'must name one class per path',
        path: ['classNames'],
      }),
    reply: reply<ExplainResult>(),
  },
  'predict.run': {
    request: z.strictObject({
      model: path,
      image: z.strictObject({
        name: z.string().min(1).max(255),
        /** The file's bytes, base64 (a dropped file has no path in a browser). */
        base64: z
          .string()
          .min(1)
          .max(MAX_UPLOAD_BASE64, `the image is larger than ${MAX_UPLOAD_BYTES / 2 ** 20} MB, the upload limit`),
      }),
      top: int(1, 100).default(5),
      tta: TtaConfig.optional(),
      /** Also the Grad-CAM overlay of the top class. */
      explain: z.boolean().optional(),
    }),
    /**
     * `view`: the image as the model sees it (alpha handled, resized, centre-cropped), a PNG data
     * URL; `explained`: its Grad-CAM overlay when asked for (null with `explainError` for an export).
     */
    reply: reply<Prediction & { view: string | null; explained: ExplainedImage | null; explainError: string | null }>(),
  },
  'predict.folder': {
    request: z.strictObject({
      model: path,
      dir: path,
      top: int(1, 100).default(5),
      tta: TtaConfig.optional(),
      progressTag,
    }),
    reply: reply<FolderPredictResult>(),
  },
  'export.run': {
    request: z.strictObject({
      target: path,
      format: z.enum(['tfjs', 'onnx', 'savedmodel']),
      out: path,
      rawInput: z.boolean().default(false),
      checkpoint: z.enum(['best', 'last']).default('best'),
      /** The run's moving average of the weights (trained with ema), as `anneal export --ema`. */
      ema: z.boolean().default(false),
      progressTag,
    }),
    reply: reply<ExportResult>(),
  },
} as const;

export type Channel = keyof typeof channels;
export type RequestOf<C extends Channel> = z.input<(typeof channels)[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof channels)[C]['request']>;
export type ReplyOf<C extends Channel> = z.infer<(typeof channels)[C]['reply']>;

/** What main pushes to every window or socket. */
export const events = {
  /** A job changed state (started, got its run folder, paused, finished, failed). */
  'job.update': reply<JobInfo>(),
  /** Training progress, throttled by the engine to about 8 a second (MetricsLogger). */
  'job.progress': reply<{ jobId: string; progress: Progress }>(),
  /**
   * Progress of a call that asked for it with a progressTag (dataset inspection, the LR finder,
   * evaluation, folder prediction): `done` of `total` `unit`, and the LR finder's point.
   */
  'task.progress': reply<TaskProgress>(),
} as const;

export interface TaskProgress {
  tag: string;
  done: number;
  total: number;
  unit: string;
  /** The LR finder's newest point: x = rate, y = smoothed loss. */
  point?: { x: number; y: number };
}

export type EventName = keyof typeof events;
export type EventOf<E extends EventName> = z.infer<(typeof events)[E]>;

/** One line naming what is wrong with a message, like the CLI's usage errors. */
export class ContractError extends InputError {
  override readonly name = 'ContractError';
}

export const isChannel = (name: unknown): name is Channel =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);

/** Validates an incoming call: an unknown channel or a bad payload is a ContractError. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): ParsedRequestOf<C>;
export function parseRequest(channel: unknown, payload: unknown): unknown;
export function parseRequest(channel: unknown, payload: unknown): unknown {
  if (!isChannel(channel)) throw new ContractError(`unknown channel ${JSON.stringify(channel)}`);
  const parsed = channels[channel].request.safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'request';
    throw new ContractError(`${channel}: ${where}: ${issue.message}`);
  }
  return parsed.data;
}

/** WebSocket frames (serve mode). The IPC path carries the same request and reply objects. */
export const CallFrame = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  payload: z.unknown(),
});
export type CallFrame = z.infer<typeof CallFrame>;
export type ReplyFrame =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; kind: 'usage' | 'failure' };
export type EventFrame = { event: EventName; payload: unknown };
