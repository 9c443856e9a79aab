// The loop of a prepared run: the callbacks assembled in their order, the trainer, and what happens
// after it stops (best weights restored, the model saved as a model dir inside the run, the last
// event written, everything closed).
import { join } from 'node:path';
import { NoSpaceError } from '../fs/index.js';
import type { BackendInfo } from '../backend/index.js';
import { classCounts, classWeights } from '../data/balance/index.js';
import { saveModelDir } from '../model-dir/index.js';
import { cutSteps, type EpochCutSteps, type RunStore } from '../runs/index.js';
import type { Callback, StopKind, StopReason } from './callbacks.js';
import type { RunConfig } from './config.js';
import { RunControl } from './control.js';
import { closePrepared, type Prepared } from './prepare.js';
import { ProgressiveResize } from './progressive.js';
import { LearningRateScheduler } from './schedule-callback.js';
import { DivergenceGuard, EarlyStopping } from './stopping.js';
import { MedianStoppingCallback } from './median-stopping.js';
import { Checkpointer, MetricsLogger, type Progress } from './store-callbacks.js';
import { Trainer, type ResumePoint } from './trainer.js';
import { EMA_MODEL_DIR, setEmaWeights } from './ema.js';
import { setModelWeights } from './weights.js';

export interface RunOptions {
  /** Where runs/<id>/ goes. */
  out: string;
  onProgress?: (p: Progress) => void;
  /** Something the user should know before the run goes on (label conflicts), said once. */
  onNotice?: (message: string) => void;
  /** Called once the trainer exists, so that a caller can pause, stop or change the rate. */
  onTrainer?: (t: Trainer, store: RunStore) => void;
  /** More callbacks, after the run's own (the job process's test pacing: jobs/hold.ts). */
  callbacks?: Callback[];
}

export interface RunResult {
  runDir: string;
  epochs: number;
  /** The last epoch's numbers; `partial` when a stop cut that epoch short (runs/partial.ts words it). */
  final: {
    val_accuracy: number | null;
    val_loss: number | null;
    accuracy: number;
    loss: number;
    partial?: EpochCutSteps;
  };
  best: { metric: string; value: number; epoch: number } | null;
  skipped: { path: string; reason: string }[];
  /** Why training stopped before its last epoch, in words; null when it ran to the end. */
  stopped: string | null;
  stopKind: StopKind | null;
  backend: BackendInfo;
  /** What computed the training steps ("onnxruntime 1.30.0 (cpu, 2 threads)", "TF.js (wasm)"). */
  trainEngine: string;
  /** Duplicate groups the split kept together (files in them), and how many span classes. */
  duplicates: { groups: number; images: number; labelConflicts: number };
}

/**
 * Whether the weights of the best checkpoint replace the last ones: after a divergence always (the
 * last weights are the diverged ones), after early stopping when asked (Keras's restore_best_weights).
 */
export function shouldRestoreBest(
  stopped: StopReason | null,
  earlyStopping: Pick<Exclude<RunConfig['earlyStopping'], false>, 'restoreBest'> | false | undefined,
): boolean {
  if (stopped?.kind === 'divergence') return true;
  return stopped?.kind === 'early-stopping' && !!earlyStopping && earlyStopping.restoreBest === true;
}

/** Files the loaders could not use, each once (the loaders of every image size see the same files). */
function uniqueSkipped(p: Prepared): { path: string; reason: string }[] {
  const seen = new Map<string, string>();
  for (const d of p.data)
    for (const f of [...d.train.skipped, ...d.val.skipped]) if (!seen.has(f.path)) seen.set(f.path, f.reason);
  return [...seen].map(([path, reason]) => ({ path, reason }));
}

/**
 * The callbacks of a run, in the order they must run: the schedule sets the step's rates before
 * control may rescale them; logging sees the step's final rates; the checkpointer writes after the
 * epoch is logged; early stopping decides last.
 */
function runCallbacks(p: Prepared, store: RunStore, o: RunOptions, checkpointer: Checkpointer): Callback[] {
  const { config, stages } = p;
  const totalEpochs = stages.reduce((n, s) => n + s.epochs, 0);
  const callbacks: Callback[] = [
    // First: the stage's loaders and image size are in place before anything logs the stage.
    new ProgressiveResize(p.data, p.stageSizes, store),
    new LearningRateScheduler(stages),
    new RunControl(store),
    new DivergenceGuard(config.divergenceFactor),
    new MetricsLogger(store, totalEpochs, o.onProgress),
    checkpointer,
  ];
  if (config.earlyStopping) callbacks.push(new EarlyStopping(config.earlyStopping));
  if (config.medianStopping) callbacks.push(new MedianStoppingCallback(store, config.medianStopping));
  callbacks.push(...(o.callbacks ?? []));
  return callbacks;
}

export async function execute(
  p: Prepared,
  store: RunStore,
  o: RunOptions,
  resume: ResumePoint | null,
  best: Checkpointer['best'],
): Promise<RunResult> {
  const { config, built, stages } = p;
  const counts = classCounts(
    p.split.train.map((s) => s.label),
    p.classes.length,
  );
  const checkpointer = new Checkpointer(
    store,
    built.model,
    'val_loss',
    config.keepCheckpoints === 'all' ? undefined : config.keepCheckpoints,
    best,
  );
  let trainer: Trainer | undefined;
  try {
    trainer = new Trainer({
      built,
      stages,
      optimizer: config.optimizer,
      train: p.train,
      val: p.val.o.samples.length ? p.val : null,
      callbacks: runCallbacks(p, store, o, checkpointer),
      classWeights: config.balance.classWeights === 'none' ? null : classWeights(counts, config.balance),
      gradClipNorm: config.gradClip,
      accumulate: config.accumulate,
      updateRatioEvery: config.updateRatioEvery,
      resume,
      featureCache: p.featureCache,
      recipe: {
        labelSmoothing: config.labelSmoothing,
        mix: { mixup: config.mixup, cutmix: config.cutmix, mixProb: config.mixProb, switchProb: config.switchProb },
        seed: config.seed,
      },
      ema: config.ema,
      stepEngine: p.stepEngine,
    });
    o.onTrainer?.(trainer, store);
    const result = await trainer.fit();
    const skipped = [...p.problems, ...uniqueSkipped(p)];
    if (skipped.length) store.appendEvent('skipped-files', { count: skipped.length, files: skipped });
    const stopped = result.stopped;
    let restored: Awaited<ReturnType<RunStore['bestCheckpoint']>> = null;
    if (stopped && shouldRestoreBest(stopped, config.earlyStopping)) {
      const bestCkpt = await store.bestCheckpoint();
      restored = bestCkpt;
      if (bestCkpt) setModelWeights(built.model, bestCkpt.weights as never);
      const type = stopped.kind === 'divergence' ? 'divergence' : 'early-stop';
      store.appendEvent(type, { reason: stopped.message, restored: bestCkpt?.state.epoch ?? null });
    }
    const meta = {
      format: 'anneal-model' as const,
      version: 1 as const,
      arch: built.spec.id,
      classes: p.classes.length,
      labels: p.classes,
      // The last stage's size (progressive resizing): the size the model was built at (prepare.ts).
      inputSize: p.stageSizes.at(-1)!,
      preprocessing: p.train.o.preprocessing,
      groups: built.groups.map((g) => g.name),
      source: null,
      created: new Date().toISOString(),
    } as const;
    await saveModelDir(join(store.dir, 'model'), built.model, meta, { replace: true });
    if (trainer.ema) await saveEmaModel(store, built.model, trainer, restored, meta);
    const epochs = store.readMetrics().epochs;
    const last = epochs.at(-1);
    store.appendEvent(stopped ? 'stop' : 'done', { reason: stopped?.message ?? null, epochs: epochs.length });
    return {
      runDir: store.dir,
      epochs: epochs.length,
      final: {
        val_accuracy: last?.val_accuracy ?? null,
        val_loss: last?.val_loss ?? null,
        accuracy: last?.accuracy ?? NaN,
        loss: last?.loss ?? NaN,
        ...(last ? cutSteps(last) : {}),
      },
      best: checkpointer.best,
      skipped,
      stopped: stopped?.message ?? null,
      stopKind: stopped?.kind ?? null,
      backend: p.backend,
      trainEngine: p.stepEngine.runtime,
      duplicates: {
        groups: p.duplicates.length,
        images: p.duplicates.reduce((n, g) => n + g.paths.length, 0),
        labelConflicts: p.duplicates.filter((g) => g.conflict).length,
      },
    };
  } catch (e) {
    if (e instanceof NoSpaceError) {
      // The events file may be on the same full disk: say what is intact rather than log it.
      const last = store.listCheckpoints().at(-1);
      throw e.restate(
        last
          ? `${e.intact}; the run ${store.dir} can resume from its last complete checkpoint (epoch ${last.epoch}) once there is space`
          : `${e.intact}; the run ${store.dir} has no complete checkpoint yet`,
      );
    }
    store.appendEvent('error', { message: (e as Error).message });
    throw e;
  } finally {
    trainer?.dispose();
    await closePrepared(p);
  }
}

/**
 * model-ema/: the weights' moving average as a model dir beside model/ (`anneal export --ema`),
 * from the best checkpoint where the live weights were restored from it.
 */
async function saveEmaModel(
  store: RunStore,
  model: Prepared['built']['model'],
  trainer: Trainer,
  restored: Awaited<ReturnType<RunStore['bestCheckpoint']>>,
  meta: Parameters<typeof saveModelDir>[2],
): Promise<void> {
  const dir = join(store.dir, EMA_MODEL_DIR);
  if (!restored) {
    await trainer.ema!.swapped(() => saveModelDir(dir, model, meta, { replace: true }));
    return;
  }
  if (!setEmaWeights(model, restored.optimizer.buffers)) return;
  try {
    await saveModelDir(dir, model, meta, { replace: true });
  } finally {
    setModelWeights(model, restored.weights as never);
  }
}
