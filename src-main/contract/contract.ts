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
import type { InspectReport } from '../engine/data/sources/index.js';
import type { EvalResult, RunDetail, RunSeries } from '../engine/evaluate/index.js';
import type { Prediction } from '../engine/predict/index.js';
import type { RunSummary } from '../engine/runs/index.js';
import type { StoreEntry } from '../engine/store/index.js';
import type { LrFindResult, Progress } from '../engine/train/index.js';

const path = z.string().trim().min(1, 'is required').max(4096);
const reply = <T>() => z.custom<T>(() => true);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
/** A run config (docs/training.md); the engine's parseRunConfig names any wrong field. */
const runConfig = z.record(z.string(), z.unknown());

/** `anneal control`'s commands (engine/train/control.ts), as a contract schema. */
export const ControlRequest = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('pause') }),
  z.strictObject({ action: z.literal('resume') }),
  z.strictObject({ action: z.literal('stop'), reason: z.string().max(500).optional() }),
  z.strictObject({ action: z.literal('lr'), scale: z.number().positive().max(1e3) }),
]);

export const JOB_KINDS = ['train', 'lrFind', 'eval', 'predict', 'import', 'export'] as const;
export const JOB_STATES = ['starting', 'running', 'paused', 'done', 'stopped', 'failed'] as const;

export interface JobInfo {
  id: string;
  kind: (typeof JOB_KINDS)[number];
  state: (typeof JOB_STATES)[number];
  /** The run folder, once the job has one (train). */
  runDir: string | null;
  backend: string | null;
  device: string | null;
  /** CPU threads the backend runs on (wasm), shown beside the device. */
  threads?: number | null;
  error: string | null;
  started: string;
}

export interface ModelRow {
  arch: string;
  title: string;
  inputSize: number;
  /** Layer groups (stem … head): one learning rate each in a discriminative schedule. */
  groups: number;
  /** models/<arch>/ when Anneal ships pretrained weights for it (resnet_micro). */
  bundled: string | null;
  weights: { id: string; description: string; url: string | null; installed: string | null }[];
  custom: string[];
}

export interface ExportResult {
  out: string;
  files: string[];
  /** The model card (HTML) the export wrote, if any. */
  card: string | null;
  log: string;
}

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
  'data.inspect': { request: z.strictObject({ path }), reply: reply<InspectReport>() },
  'data.thumbnails': {
    request: z.strictObject({ path, perClass: int(1, 24).default(6), size: int(16, 256).default(72) }),
    reply: reply<{ classes: { name: string; images: { path: string; src: string }[] }[] }>(),
  },
  'data.augmentPreview': {
    request: z.strictObject({
      path,
      augment: z.unknown().optional(),
      seed: int(0, 2 ** 31).default(0),
      rows: int(1, 12).default(4),
      cols: int(1, 12).default(5),
      size: int(16, 512).default(96),
    }),
    reply: reply<{ src: string; rows: number; skipped: number }>(),
  },
  'data.makeSample': {
    request: z.strictObject({ dir: path, imagesPerClass: int(2, 500).default(20) }),
    reply: reply<{ path: string; classes: string[] }>(),
  },
  'models.list': { request: z.strictObject({}), reply: reply<ModelRow[]>() },
  'models.import': {
    request: z.strictObject({ file: path, arch: z.string().min(1).max(100), out: path }),
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
    }),
    reply: reply<Pick<LrFindResult, 'lrs' | 'losses' | 'suggestions' | 'diverged'> & { backend: string }>(),
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
  'runs.list': { request: z.strictObject({ out: path.optional() }), reply: reply<RunSummary[]>() },
  'runs.show': { request: z.strictObject({ runDir: path }), reply: reply<RunDetail>() },
  'runs.compare': {
    request: z.strictObject({
      runDirs: z.array(path).min(1).max(20),
      metric: z.enum(['val_accuracy', 'val_loss', 'accuracy', 'loss']).default('val_accuracy'),
    }),
    reply: reply<RunSeries[]>(),
  },
  'eval.run': {
    request: z.strictObject({
      target: path,
      data: path.optional(),
      topK: int(1, 100).default(5),
      topLosses: int(0, 64).default(12),
    }),
    reply: reply<EvalResult & { thumbnails: Record<string, string> }>(),
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
          .max(40 * 1024 * 1024),
      }),
      top: int(1, 100).default(5),
    }),
    reply: reply<Prediction>(),
  },
  'export.run': {
    request: z.strictObject({
      target: path,
      format: z.enum(['tfjs', 'onnx', 'savedmodel']),
      out: path,
      rawInput: z.boolean().default(false),
      checkpoint: z.enum(['best', 'last']).default('best'),
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
} as const;

export type EventName = keyof typeof events;
export type EventOf<E extends EventName> = z.infer<(typeof events)[E]>;

/** One line naming what is wrong with a message, like the CLI's usage errors. */
export class ContractError extends Error {
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
