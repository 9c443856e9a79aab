// The contract implemented over the engine and the job manager: one handler per channel, shared
// by the Electron shell (IPC) and `anneal serve` (WebSocket). Each calls the same engine function
// as the matching CLI command; TF.js work (training, LR finder, eval, predict, import) runs as a
// job in its own process.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import {
  Workspace,
  type Channel,
  type JobInfo,
  type ModelRow,
  type ParsedRequestOf,
  type ReplyOf,
} from '../contract/index.js';
import { DEFAULT_AUGMENT, parseAugmentConfig } from '../engine/data/augment/index.js';
import { renderDatasetPreview } from '../engine/data/augment/preview/index.js';
import { inspectDataset, readDataset } from '../engine/data/sources/index.js';
import {
  addWeights,
  bundledModelDir,
  compareRuns,
  describeRun,
  listRuns,
  loadCatalog,
  makeShapes,
  pullWeights,
  readRegistry,
  readRunMeta,
  RunStore,
  SHAPE_CLASSES,
  weightsDir,
  writeJsonAtomic,
} from '../engine/index.js';
import { JobInputError, type JobManager } from '../jobs/index.js';
import { modelView, pngDataUrl, thumbnail } from './media.js';

/** The screens' settings, per runs folder (a dot-file: listRuns passes it over). */
export const WORKSPACE_FILE = '.anneal-workspace.json';

/** At most ~8 progress events a second (as training's), and always the last. */
function throttled(send: (done: number, total: number) => void, intervalMs = 125) {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < intervalMs) return;
    last = now;
    send(done, total);
  };
}

export type Handlers = { [C in Channel]: (request: ParsedRequestOf<C>) => Promise<ReplyOf<C>> };

export interface ServiceOptions {
  mode: 'electron' | 'serve';
  version: string;
  /** Relative paths in requests are taken from here (serve: where it was started). */
  cwd: string;
  /** Where new runs go and where the Runs screen looks (default <cwd>/runs). */
  runsDir?: string;
  jobs: JobManager;
  /** A native dialog (Electron); without one, the renderer asks for a typed path. */
  pickPath?: (kind: 'folder' | 'file', title?: string) => Promise<string | null>;
}

export function createHandlers(o: ServiceOptions): Handlers {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(o.cwd, p));
  const runsDir = abs(o.runsDir ?? 'runs');
  const jobs = o.jobs;

  return {
    'app.info': async () => ({
      mode: o.mode,
      version: o.version,
      cwd: o.cwd,
      runsDir,
      canPickFolder: Boolean(o.pickPath),
    }),
    'app.pickPath': async (r) => {
      if (!o.pickPath) throw new JobInputError('no file dialog in serve mode: type the path');
      return { path: await o.pickPath(r.kind, r.title) };
    },
    'data.inspect': async (r) => {
      const tag = r.progressTag;
      return inspectDataset(abs(r.path), {
        onProgress: tag ? throttled((done, total) => jobs.notify({ tag, done, total, unit: 'images' })) : undefined,
      });
    },
    'data.thumbnails': async (r) => {
      const { dataset } = await readDataset(abs(r.path));
      const classes = await Promise.all(
        dataset.classes.map(async (name, label) => {
          const picked = dataset.samples.filter((s) => s.label === label).slice(0, r.perClass);
          const images = await Promise.all(
            picked.map(async (s) => ({ path: s.path, src: await thumbnail(s.path, r.size) })),
          );
          return { name, images: images.filter((i): i is { path: string; src: string } => i.src !== null) };
        }),
      );
      return { classes };
    },
    'data.augmentPreview': async (r) => {
      const config = r.augment === undefined ? DEFAULT_AUGMENT : parseAugmentConfig(r.augment, 'augment');
      const out = await renderDatasetPreview(abs(r.path), config, {
        seed: r.seed,
        rows: r.rows,
        cols: r.cols,
        size: r.size,
        configName: r.augment === undefined ? 'default config' : 'these settings',
      });
      return { src: pngDataUrl(out.png), rows: out.rows, skipped: out.skipped };
    },
    'data.makeSample': async (r) => {
      const dir = abs(r.dir);
      await makeShapes(dir, r.imagesPerClass);
      return { path: dir, classes: [...SHAPE_CLASSES] };
    },
    'models.list': async () => {
      const installed = readRegistry();
      return [...loadCatalog().values()].map((spec): ModelRow => ({
        arch: spec.id,
        title: spec.title,
        inputSize: spec.inputSize,
        groups: spec.groups.length,
        bundled: bundledModelDir(spec.id),
        weights: spec.weights.map((w) => {
          const entry = installed.find((e) => e.arch === spec.id && e.weights === w.id);
          return {
            id: w.id,
            description: w.description,
            url: w.url ?? null,
            installed: entry ? join(weightsDir(), entry.file) : null,
          };
        }),
        custom: installed
          .filter((e) => e.arch === spec.id && !spec.weights.some((w) => w.id === e.weights))
          .map((e) => e.file),
      }));
    },
    'app.backends': async () => (await jobs.run({ kind: 'doctor' })) as ReplyOf<'app.backends'>,
    'models.import': async (r) =>
      (await jobs.run({ kind: 'import', file: abs(r.file), arch: r.arch, out: abs(r.out) })) as { modelDir: string },
    'models.add': async (r) => addWeights(abs(r.file), r.arch ? { arch: r.arch } : {}),
    'models.pull': async (r) => pullWeights(r.ref),
    'lrFind.run': async (r) =>
      (await jobs.run({
        kind: 'lrFind',
        config: withAbsoluteData(r.config, abs),
        startLr: r.startLr,
        endLr: r.endLr,
        numIt: r.numIt,
        all: r.all,
        tag: r.progressTag,
      })) as ReplyOf<'lrFind.run'>,
    'train.start': async (r): Promise<JobInfo> =>
      jobs.start({ kind: 'train', config: withAbsoluteData(r.config, abs), out: r.out ? abs(r.out) : runsDir }),
    'train.control': async (r) => jobs.control(r.jobId, r.command),
    'jobs.list': async () => jobs.list(),
    'runs.list': async (r) => {
      const dir = r.out ? abs(r.out) : runsDir;
      try {
        return listRuns(dir).map((summary) => ({ ...summary, config: readRunMeta(summary.dir).config }));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
    'runs.show': async (r) => describeRun(abs(r.runDir)),
    'runs.history': async (r) => {
      const detail = describeRun(abs(r.runDir));
      return { ...detail, steps: RunStore.open(detail.summary.dir).readMetrics().steps };
    },
    'runs.resume': async (r): Promise<JobInfo> => {
      const runDir = abs(r.runDir);
      // One clear line now (not a failed job later) for a folder that is not a run.
      RunStore.open(runDir);
      const live = jobs.list().find((j) => j.runDir === runDir && ['starting', 'running', 'paused'].includes(j.state));
      if (live) throw new JobInputError(`run ${runDir} is already training (job ${live.id})`);
      return jobs.start({ kind: 'resume', runDir });
    },
    'workspace.get': async () => {
      const file = join(runsDir, WORKSPACE_FILE);
      if (!existsSync(file)) return {};
      try {
        // A damaged or older file loads what still reads; the rest is the screens' defaults.
        const parsed = Workspace.safeParse(JSON.parse(readFileSync(file, 'utf8')));
        return parsed.success ? parsed.data : {};
      } catch {
        return {};
      }
    },
    'workspace.set': async (r) => {
      const file = join(runsDir, WORKSPACE_FILE);
      writeJsonAtomic(file, r.workspace);
      return { saved: file };
    },
    'media.thumbnails': async (r) => {
      const out: Record<string, string> = {};
      await Promise.all(
        r.paths.map(async (p) => {
          const src = await thumbnail(abs(p), r.size);
          if (src) out[p] = src;
        }),
      );
      return out;
    },
    'runs.compare': async (r) => compareRuns(r.runDirs.map(abs), r.metric),
    'eval.run': async (r) => {
      const result = (await jobs.run({
        kind: 'eval',
        target: abs(r.target),
        data: r.data ? abs(r.data) : undefined,
        topK: r.topK,
        topLosses: r.topLosses,
        perImage: r.perImage,
        tag: r.progressTag,
      })) as Omit<ReplyOf<'eval.run'>, 'thumbnails'>;
      const thumbnails: Record<string, string> = {};
      await Promise.all(
        result.topLosses.map(async (t) => {
          const src = await thumbnail(t.path, 96);
          if (src) thumbnails[t.path] = src;
        }),
      );
      return { ...result, thumbnails };
    },
    'predict.run': async (r) => {
      // The engine predicts on files: the dropped image goes to a private temp folder first.
      const dir = mkdtempSync(join(tmpdir(), 'anneal-predict-'));
      try {
        const file = join(dir, `image${extname(basename(r.image.name)).toLowerCase().slice(0, 10)}`);
        writeFileSync(file, Buffer.from(r.image.base64, 'base64'));
        const { inputSize, interpolation, ...p } = (await jobs.run({
          kind: 'predict',
          model: abs(r.model),
          image: file,
          top: r.top,
        })) as Omit<ReplyOf<'predict.run'>, 'view'> & { inputSize: number; interpolation: 'bilinear' | 'bicubic' };
        const view = await modelView(file, inputSize, interpolation);
        return { ...p, image: r.image.name, view };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    'predict.folder': async (r) =>
      (await jobs.run({
        kind: 'predictFolder',
        model: abs(r.model),
        dir: abs(r.dir),
        top: r.top,
        tag: r.progressTag,
      })) as ReplyOf<'predict.folder'>,
    'export.run': async (r) =>
      (await jobs.run({ kind: 'export', ...r, target: abs(r.target), out: abs(r.out) })) as ReplyOf<'export.run'>,
  };
}

/** A dataset path typed relative to where the server runs means the same folder to the job. */
function withAbsoluteData(config: Record<string, unknown>, abs: (p: string) => string): Record<string, unknown> {
  const out = { ...config };
  if (typeof out.data === 'string' && out.data) out.data = abs(out.data);
  if (typeof out.model === 'string' && (out.model.startsWith('.') || out.model.includes('/')))
    out.model = abs(out.model);
  return out;
}
