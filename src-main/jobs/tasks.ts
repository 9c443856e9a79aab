// What a job process does: each task calls the same engine function as its CLI command
// (train → startRun, lr-find → runLrFind, eval → evaluate, predict → predictImages, import →
// importWeights, export → exportModel), so the app and the command line cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enableProdMode } from '@tensorflow/tfjs-core';
import {
  evaluate,
  exportModel,
  exportSummary,
  importWeights,
  isInputError,
  loadModelDir,
  MODEL_CARD_FILE,
  predictImages,
  resolveEvalTarget,
  runLrFind,
  startRun,
  useBackend,
  wasmThreads,
} from '../engine/index.js';
import type { JobMessage, Task } from './protocol.js';

type Send = (m: JobMessage) => void;

/** The engine's input errors: the user's to fix, shown as one line (the CLI exits 2 on these). */
export const isUsageError = isInputError;

/** The wasm backend's thread count, for the Train screen (other backends manage their own). */
function threadsOf(backend: string): number | null {
  return backend === 'wasm' ? (wasmThreads()?.count ?? null) : null;
}

export async function runTask(task: Task, send: Send): Promise<void> {
  enableProdMode();
  switch (task.kind) {
    case 'train': {
      const r = await startRun(task.config, {
        out: task.out,
        onProgress: (progress) => send({ type: 'progress', progress }),
        onTrainer: (_t, store) =>
          send({
            type: 'started',
            runDir: store.dir,
            backend: store.meta.backend.name,
            device: store.meta.backend.device,
            threads: threadsOf(store.meta.backend.name),
          }),
      });
      const { backend, ...rest } = r;
      send({ type: 'done', result: { ...rest, backend: backend.name, device: backend.device }, stopped: r.stopped });
      return;
    }
    case 'lrFind': {
      const r = await runLrFind(task.config, {
        startLr: task.startLr,
        endLr: task.endLr,
        numIt: task.numIt,
        ...(task.all ? { freezeBackbone: false } : {}),
      });
      send({
        type: 'started',
        runDir: null,
        backend: r.backend.name,
        device: r.backend.device,
        threads: threadsOf(r.backend.name),
      });
      send({
        type: 'done',
        result: {
          lrs: r.lrs,
          losses: r.losses,
          suggestions: r.suggestions,
          diverged: r.diverged,
          backend: r.backend.name,
        },
      });
      return;
    }
    case 'eval': {
      const target = await resolveEvalTarget(task.target, { data: task.data });
      const backend = await useBackend('inference');
      send({ type: 'started', runDir: target.run ? task.target : null, backend: backend.name, device: backend.device });
      const { model } = await loadModelDir(target.modelDir);
      try {
        const result = await evaluate(model, target.meta, target.samples, {
          topK: task.topK,
          topLosses: task.topLosses,
        });
        send({ type: 'done', result: { ...result, skipped: [...target.problems, ...result.skipped] } });
      } finally {
        model.dispose();
      }
      return;
    }
    case 'predict': {
      const backend = await useBackend('inference');
      send({ type: 'started', runDir: null, backend: backend.name, device: backend.device });
      const { model, meta } = await loadModelDir(task.model);
      try {
        const [prediction] = await predictImages(model, meta, [task.image], { topK: task.top });
        send({ type: 'done', result: prediction });
      } finally {
        model.dispose();
      }
      return;
    }
    case 'import': {
      const backend = await useBackend('inference');
      send({ type: 'started', runDir: null, backend: backend.name, device: backend.device });
      await importWeights({ file: task.file, arch: task.arch, out: task.out });
      send({ type: 'done', result: { modelDir: task.out } });
      return;
    }
    case 'export': {
      const backend = await useBackend('inference');
      send({ type: 'started', runDir: null, backend: backend.name, device: backend.device });
      const r = await exportModel({
        source: task.target,
        format: task.format,
        out: task.out,
        rawInput: task.rawInput,
        checkpoint: task.checkpoint,
      });
      const skipped = r.skipped.map((s) => `skipped ${s.path}: ${s.reason}\n`).join('');
      send({
        type: 'done',
        result: {
          out: r.out,
          files: [...r.files].sort(),
          card: readFileSync(join(r.out, MODEL_CARD_FILE), 'utf8'),
          log: (exportSummary(r, task.out) + skipped).trim(),
        },
      });
      return;
    }
  }
}
