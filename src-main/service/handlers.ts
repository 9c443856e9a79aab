// The contract implemented over the engine and the job manager: one handler per channel, shared
// by the Electron shell (IPC) and `anneal serve` (WebSocket). Each calls the same engine function
// as the matching CLI command; TF.js work (training, LR finder, eval, predict, import) runs as a
// job in its own process.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { Workspace, type Channel, type JobInfo, type ParsedRequestOf, type ReplyOf } from '../contract/index.js';
import {
  addWeights,
  type Alpha,
  compareRuns,
  DEFAULT_AUGMENT,
  describeRun,
  type InspectReport,
  type LabelIssuesReport,
  listModels,
  listRuns,
  listSweeps,
  makeShapes,
  mapPool,
  moveToClass,
  readIssuesReport,
  readMoveLog,
  undoMove,
  parseAugmentConfig,
  parseRunConfig,
  parseRunSettings,
  pullWeights,
  readDataset,
  readRunMeta,
  resolveSweepDir,
  RunStore,
  SHAPE_CLASSES,
  sweepResults,
  writeJsonAtomic,
} from '../engine/index.js';
import { JobInputError, type JobManager } from '../jobs/index.js';
import { DEFAULT_THUMBNAIL_MAX_PIXELS, MediaPool, pngDataUrl } from './media/index.js';

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
  /** The image workers (default: a pool of its own, started on first use). */
  media?: MediaPool;
  /** Thumbnails are skipped for images over this many pixels (default 100 million). */
  thumbnailMaxPixels?: number;
  /** A native dialog (Electron); without one, the renderer asks for a typed path. */
  pickPath?: (kind: 'folder' | 'file', title?: string) => Promise<string | null>;
}

/** Duplicate groups whose files the Dataset screen shows as thumbnails (the rest are counted). */
export const DUPLICATE_GROUPS_SHOWN = 30;

export function createHandlers(o: ServiceOptions): Handlers {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(o.cwd, p));
  const runsDir = abs(o.runsDir ?? 'runs');
  const jobs = o.jobs;
  const media = o.media ?? new MediaPool();
  const maxPixels = o.thumbnailMaxPixels ?? DEFAULT_THUMBNAIL_MAX_PIXELS;
  const thumbnail = async (path: string, size: number, alpha?: Alpha): Promise<string | null> => {
    const png = await media.run<Uint8Array | null>({ kind: 'thumbnail', path, size, maxPixels, alpha });
    return png && pngDataUrl(png);
  };

  /** Thumbnails of a label-issues report's first `count` issues (a file moved since has none). */
  const issueThumbnails = async (report: LabelIssuesReport, count: number): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    await mapPool(report.issues.slice(0, count), 8, async (i) => {
      const src = await thumbnail(i.path, 96).catch(() => null);
      if (src) out[i.path] = src;
    });
    return out;
  };

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
    // Everything that decodes the user's images runs in the image workers (issue 15, item 5).
    'data.inspect': async (r) => {
      const tag = r.progressTag;
      const report = await media.run<InspectReport>(
        { kind: 'inspect', path: abs(r.path), options: { alpha: r.alpha, nearDuplicates: r.nearDuplicates } },
        tag ? throttled((done, total) => jobs.notify({ tag, done, total, unit: 'images' })) : undefined,
      );
      // The Dataset screen shows the groups (label conflicts first) and the images left blank.
      const paths = [
        ...report.duplicates.slice(0, DUPLICATE_GROUPS_SHOWN).flatMap((g) => g.paths.slice(0, 8)),
        ...report.transparency.uniformExamples,
      ];
      const thumbnails: Record<string, string> = {};
      await mapPool(paths, 8, async (p) => {
        const src = await thumbnail(p, 64, r.alpha);
        if (src) thumbnails[p] = src;
      });
      return { ...report, thumbnails };
    },
    'data.thumbnails': async (r) => {
      const { dataset } = await readDataset(abs(r.path));
      const classes = await Promise.all(
        dataset.classes.map(async (name, label) => {
          const picked = dataset.samples.filter((s) => s.label === label).slice(0, r.perClass);
          const images = await Promise.all(
            picked.map(async (s) => ({ path: s.path, src: await thumbnail(s.path, r.size, r.alpha) })),
          );
          return { name, images: images.filter((i): i is { path: string; src: string } => i.src !== null) };
        }),
      );
      return { classes };
    },
    'data.augmentPreview': async (r) => {
      const config = r.augment === undefined ? DEFAULT_AUGMENT : parseAugmentConfig(r.augment, 'augment');
      const out = await media.run<{ png: Uint8Array; rows: number; skipped: number }>({
        kind: 'preview',
        path: abs(r.path),
        config,
        seed: r.seed,
        rows: r.rows,
        cols: r.cols,
        size: r.size,
        configName: r.augment === undefined ? 'default config' : 'these settings',
        alpha: r.alpha,
        mix: r.mix,
      });
      return { src: pngDataUrl(out.png), rows: out.rows, skipped: out.skipped };
    },
    'data.makeSample': async (r) => {
      const dir = abs(r.dir);
      await makeShapes(dir, r.imagesPerClass);
      return { path: dir, classes: [...SHAPE_CLASSES] };
    },
    'data.issues': async ({ path, thumbnails: shown, progressTag, ...settings }) => {
      const data = abs(path);
      const report = await jobs.run({
        kind: 'dataIssues',
        data,
        settings: { ...settings, ...(settings.model ? { model: absModel(settings.model, abs) } : {}) },
        tag: progressTag,
      });
      return { ...report, thumbnails: await issueThumbnails(report, shown), undoable: readMoveLog(data).undoable };
    },
    'data.labelMoves': async (r) => {
      const report = readIssuesReport(abs(r.path));
      return {
        report,
        thumbnails: report ? await issueThumbnails(report, r.thumbnails) : {},
        undoable: readMoveLog(abs(r.path)).undoable,
      };
    },
    'data.move': async (r) => {
      const record = moveToClass(abs(r.path), abs(r.file), r.to);
      return { record, undoable: readMoveLog(abs(r.path)).undoable };
    },
    'data.undoMove': async (r) => {
      const record = undoMove(abs(r.path), r.id);
      return { record, undoable: readMoveLog(abs(r.path)).undoable };
    },
    'models.list': async () => listModels(),
    'app.backends': async () => jobs.run({ kind: 'doctor' }),
    'models.import': async (r) =>
      jobs.run({ kind: 'import', file: abs(r.file), arch: r.arch, out: abs(r.out), tag: r.progressTag }),
    'models.add': async (r) => addWeights(abs(r.file), r.arch ? { arch: r.arch } : {}),
    'models.pull': async (r) => pullWeights(r.ref),
    'lrFind.run': async (r) =>
      jobs.run({
        kind: 'lrFind',
        // The range test is its own schedule: as runLrFind, check all but the schedule.
        config: validRunConfig(r.config, abs, parseRunSettings),
        startLr: r.startLr,
        endLr: r.endLr,
        numIt: r.numIt,
        all: r.all,
        tag: r.progressTag,
      }),
    'train.start': async (r): Promise<JobInfo> =>
      jobs.start({ kind: 'train', config: validRunConfig(r.config, abs), out: r.out ? abs(r.out) : runsDir }),
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
    'sweeps.list': async (r) => listSweeps(abs(r.out ?? 'sweeps')),
    'sweeps.show': async (r) => sweepResults(resolveSweepDir(abs(r.sweepDir))),
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
          const src = await thumbnail(abs(p), r.size, r.alpha);
          if (src) out[p] = src;
        }),
      );
      return out;
    },
    'runs.compare': async (r) => compareRuns(r.runDirs.map(abs), r.metric),
    'eval.run': async (r) => {
      const result = await jobs.run({
        kind: 'eval',
        target: abs(r.target),
        data: r.data ? abs(r.data) : undefined,
        topK: r.topK,
        topLosses: r.topLosses,
        perImage: r.perImage,
        tta: r.tta,
        tag: r.progressTag,
      });
      const thumbnails: Record<string, string> = {};
      await Promise.all(
        result.topLosses.map(async (t) => {
          const src = await thumbnail(t.path, 96);
          if (src) thumbnails[t.path] = src;
        }),
      );
      return { ...result, thumbnails };
    },
    'explain.images': async (r) =>
      jobs.run({
        kind: 'explain',
        model: abs(r.model),
        images: r.paths.map(abs),
        className: r.className,
        classNames: r.classNames,
      }),
    'predict.run': async (r) => {
      // The engine predicts on files: the dropped image goes to a private temp folder first.
      const dir = mkdtempSync(join(tmpdir(), 'anneal-predict-'));
      try {
        const file = join(dir, `image${extname(basename(r.image.name)).toLowerCase().slice(0, 10)}`);
        writeFileSync(file, Buffer.from(r.image.base64, 'base64'));
        const { inputSize, interpolation, alpha, ...p } = await jobs.run({
          kind: 'predict',
          model: abs(r.model),
          image: file,
          top: r.top,
          tta: r.tta,
          explain: r.explain,
        });
        const png = await media.run<Uint8Array | null>({
          kind: 'modelView',
          path: file,
          inputSize,
          interpolation,
          alpha,
        });
        const explained = p.explained && { ...p.explained, path: r.image.name };
        return { ...p, explained, image: r.image.name, view: png && pngDataUrl(png) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    'predict.folder': async (r) =>
      jobs.run({
        kind: 'predictFolder',
        model: abs(r.model),
        dir: abs(r.dir),
        top: r.top,
        tta: r.tta,
        tag: r.progressTag,
      }),
    'export.run': async ({ progressTag, ...r }) =>
      jobs.run({ kind: 'export', ...r, target: abs(r.target), out: abs(r.out), tag: progressTag }),
  };
}

/**
 * A run config checked here, by the engine's own parser, before a job process is forked for it
 * (issue 15, item 4): a wrong field is the request's one-line error, not a job that fails after
 * its process has loaded TF.js. The job parses it again; the contract has bounded its size.
 */
function validRunConfig(
  config: Record<string, unknown>,
  abs: (p: string) => string,
  parse: (c: unknown) => unknown = parseRunConfig,
): Record<string, unknown> {
  const out = withAbsoluteData(config, abs);
  parse(out);
  return out;
}

/** A model typed as a path (not a bare architecture id) relative to where the server runs. */
function absModel(model: string, abs: (p: string) => string): string {
  return model.startsWith('.') || model.includes('/') ? abs(model) : model;
}

/** A dataset path typed relative to where the server runs means the same folder to the job. */
function withAbsoluteData(config: Record<string, unknown>, abs: (p: string) => string): Record<string, unknown> {
  const out = { ...config };
  if (typeof out.data === 'string' && out.data) out.data = abs(out.data);
  if (typeof out.model === 'string') out.model = absModel(out.model, abs);
  return out;
}
