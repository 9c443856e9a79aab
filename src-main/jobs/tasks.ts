// What a job process does: each task calls the same engine function as its CLI command
// (train → startRun, lr-find → runLrFind, eval → evaluate, predict → classifyImages, import →
// importWeights, export → exportModel, dataIssues → findDataIssues), so the app and the command
// line cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enableProdMode } from '@tensorflow/tfjs-core';
import {
  evaluate,
  explainImages,
  overlayPng,
  ttaRun,
  exportModel,
  exportSummary,
  findDataIssues,
  findModel,
  importWeights,
  isInputError,
  classifyImages,
  loadModelSource,
  MODEL_CARD_FILE,
  openClassifier,
  classifyFolder,
  detectBackends,
  selectBackend,
  predictionsCsv,
  resolveEvalTarget,
  resumeRun,
  runLrFind,
  startRun,
  useBackend,
  wasmThreads,
  type RunOptions,
  plannedTrainEngine,
} from '../engine/index.js';
import type { ExplainResult, JobKind } from '../contract/index.js';
import { holdForTest, testStepPacing, testStepPause } from './hold.js';
import type { JobMessage, Task, TaskResults } from './protocol.js';

type Send = (m: JobMessage) => void;

/** A job's answer, typed by its kind: what JobManager.run hands on as TaskResults[kind]. */
function done<K extends JobKind>(_kind: K, result: TaskResults[K], stopped?: string | null): JobMessage {
  return { type: 'done', result, ...(stopped !== undefined ? { stopped } : {}) };
}

/** The engine's input errors: the user's to fix, shown as one line (the CLI exits 2 on these). */
export const isUsageError = isInputError;

/** The wasm backend's thread count, for the Train screen (other backends manage their own). */
function threadsOf(backend: string): number | null {
  return backend === 'wasm' ? (wasmThreads()?.count ?? null) : null;
}

/** The inference backend of a forward-only job, announced as the job's start. */
async function startInference(send: Send, runDir: string | null = null): Promise<void> {
  const backend = await useBackend('inference');
  send({ type: 'started', runDir, backend: backend.name, device: backend.device });
}

/** A training run's progress and its start (run folder, device, threads), as job messages. */
function following(send: Send): Pick<RunOptions, 'onProgress' | 'onTrainer' | 'callbacks'> {
  return {
    callbacks: testStepPacing(),
    onProgress: (progress) => send({ type: 'progress', progress }),
    onTrainer: (_t, store) =>
      send({
        type: 'started',
        runDir: store.dir,
        backend: store.meta.backend.name,
        device: store.meta.backend.device,
        threads: threadsOf(store.meta.backend.name),
      }),
  };
}

export async function runTask(task: Task, send: Send): Promise<void> {
  enableProdMode();
  switch (task.kind) {
    case 'train': {
      const r = await startRun(task.config, { out: task.out, ...following(send) });
      const { backend, ...rest } = r;
      send(done('train', { ...rest, backend: backend.name, device: backend.device }, r.stopped));
      return;
    }
    case 'resume': {
      const r = await resumeRun(task.runDir, following(send));
      const { backend, ...rest } = r;
      send(done('resume', { ...rest, backend: backend.name, device: backend.device }, r.stopped));
      return;
    }
    case 'doctor': {
      // `anneal doctor`'s probe, in a job: it starts every backend, which the server must not.
      const backends = await detectBackends();
      const pick = (w: 'full' | 'frozen') => {
        try {
          return selectBackend(backends, w).name;
        } catch (e) {
          return `none (${(e as Error).message})`;
        }
      };
      send({ type: 'started', runDir: null, backend: pick('full'), device: null });
      send({
        type: 'done',
        result: {
          backends: backends.map(({ name, available, device, reason, threads }) => ({
            name,
            available,
            device,
            reason,
            threads: threads ?? null,
          })),
          selected: { full: pick('full'), frozen: pick('frozen') },
          trainEngine: plannedTrainEngine(undefined, pick('full'), false),
        },
      });
      return;
    }
    case 'lrFind': {
      const pause = testStepPause();
      const r = await runLrFind(task.config, {
        startLr: task.startLr,
        endLr: task.endLr,
        numIt: task.numIt,
        ...(task.all ? { freezeBackbone: false } : {}),
        // Each point as it is measured: the screen draws the curve live.
        onStep: async (p) => {
          send({ type: 'count', done: p.done, total: p.total, unit: 'steps', point: { x: p.lr, y: p.loss } });
          await pause?.();
        },
      });
      send({
        type: 'started',
        runDir: null,
        backend: r.backend.name,
        device: r.backend.device,
        threads: threadsOf(r.backend.name),
      });
      send(
        done('lrFind', {
          lrs: r.lrs,
          losses: r.losses,
          suggestions: r.suggestions,
          diverged: r.diverged,
          backend: r.backend.name,
          engine: r.engine.runtime,
        }),
      );
      return;
    }
    case 'eval': {
      const target = await resolveEvalTarget(task.target, { data: task.data });
      await startInference(send, target.run ? task.target : null);
      const { model } = await loadModelSource(target.model);
      try {
        const result = await evaluate(model, target.meta, target.samples, {
          topK: task.topK,
          topLosses: task.topLosses,
          perImage: task.perImage,
          ...(task.tta ? { tta: ttaRun(task.tta, target.run) } : {}),
          onProgress: (done, total) => send({ type: 'count', done, total, unit: task.tta ? 'image views' : 'images' }),
        });
        send(done('eval', { ...result, skipped: [...target.problems, ...result.skipped] }));
      } finally {
        model.dispose();
      }
      return;
    }
    case 'predict': {
      // The same models as `anneal predict`: a model dir, a run folder or checkpoint, an export.
      const { kind, source } = findModel(task.model);
      const backend = kind === 'onnx' ? null : await useBackend('inference');
      const tta = task.tta ? ttaRun(task.tta, source.run) : undefined;
      const classifier = await openClassifier(task.model);
      send({
        type: 'started',
        runDir: null,
        backend: backend?.name ?? classifier.runtime,
        device: backend?.device ?? null,
      });
      try {
        const [prediction] = await classifyImages(classifier, [task.image], { topK: task.top, tta });
        // What the screen shows as "the image as the model sees it" is cut the same way.
        const { inputSize, preprocessing } = classifier.meta;
        let explained: ExplainResult['images'][number] | null = null;
        let explainError: string | null = null;
        if (task.explain && (kind === 'onnx' || kind === 'tfjs'))
          explainError = "Grad-CAM needs the run's TF.js model, not an export";
        else if (task.explain)
          // The class shown first (with TTA, the combined prediction's) is the one explained.
          [explained = null] = (await explainTask(task.model, [task.image], prediction!.top[0]!.label)).images;
        send(
          done('predict', {
            ...prediction!,
            explained,
            explainError,
            inputSize,
            interpolation: preprocessing.interpolation,
            alpha: preprocessing.alpha,
          }),
        );
      } finally {
        await classifier.dispose();
      }
      return;
    }
    case 'predictFolder': {
      await startInference(send);
      const classifier = await openClassifier(task.model);
      try {
        const { source } = findModel(task.model);
        const r = await classifyFolder(classifier, task.dir, {
          topK: task.top,
          ...(task.tta ? { tta: ttaRun(task.tta, source.run) } : {}),
          onProgress: (done, total) => send({ type: 'count', done, total, unit: 'files' }),
        });
        send({ type: 'done', result: { ...r, csv: predictionsCsv(r, task.top) } });
      } finally {
        await classifier.dispose();
      }
      return;
    }
    case 'explain': {
      await startInference(send);
      send(done('explain', await explainTask(task.model, task.images, task.className, task.classNames)));
      return;
    }
    case 'import': {
      await startInference(send);
      await importWeights({
        file: task.file,
        arch: task.arch,
        out: task.out,
        onProgress: (done, total) => {
          send({ type: 'count', done, total, unit: 'steps' });
          return holdForTest('import');
        },
      });
      send(done('import', { modelDir: task.out }));
      return;
    }
    case 'dataIssues': {
      await startInference(send);
      const report = await findDataIssues(task.data, task.settings, {
        onProgress: (done, total, phase) =>
          send({ type: 'count', done, total, unit: phase === 'images' ? 'images read' : 'folds trained' }),
      });
      send(done('dataIssues', report));
      return;
    }
    case 'export': {
      await startInference(send);
      const r = await exportModel({
        source: task.target,
        format: task.format,
        out: task.out,
        rawInput: task.rawInput,
        checkpoint: task.checkpoint,
        ema: task.ema,
        // The model card's evaluation, image by image: the long part of an export.
        onProgress: (done, total) => {
          send({ type: 'count', done, total, unit: 'images evaluated' });
          return holdForTest('export');
        },
      });
      const skipped = r.skipped.map((s) => `skipped ${s.path}: ${s.reason}\n`).join('');
      send(
        done('export', {
          out: r.out,
          files: [...r.files].sort(),
          card: readFileSync(join(r.out, MODEL_CARD_FILE), 'utf8'),
          log: (exportSummary(r, task.out) + skipped).trim(),
        }),
      );
      return;
    }
  }
}

/** Grad-CAM overlays of image files (`anneal explain`'s engine calls), as PNG data URLs. */
async function explainTask(
  modelPath: string,
  images: string[],
  className?: string,
  classNames?: string[],
): Promise<ExplainResult> {
  const { source } = findModel(modelPath);
  const { model, meta } = await loadModelSource(source);
  try {
    const r = await explainImages(model, meta, images, { className, classNames });
    const out: ExplainResult = { images: [], skipped: r.skipped };
    for (const e of r.explanations) {
      const png = await overlayPng(e.view, e.heatmap);
      out.images.push({
        path: e.path,
        label: e.label,
        prob: e.prob,
        predicted: e.predicted,
        overlay: `data:image/png;base64,${png.toString('base64')}`,
      });
    }
    return out;
  } finally {
    model.dispose();
  }
}
