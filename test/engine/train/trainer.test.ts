// The training loop on a tiny model and a generated task: it learns, the rates it used are the
// schedule's, a frozen stage leaves the backbone (and its BatchNorm statistics) untouched, and the
// tensor count does not grow across epochs, with the steps on TF.js and through onnxruntime.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, WorkerPool } from '../../../src-main/engine/data/pipeline/index.js';
import type { Sample } from '../../../src-main/engine/data/types.js';
import { useBackend } from '../../../src-main/engine/backend/index.js';
import { buildModel, getArch, IMAGENET_PREPROCESSING } from '../../../src-main/engine/models/index.js';
import { OptimizerConfig } from '../../../src-main/engine/optim/index.js';
import { compilePlan, parseScheduleFile, previewSchedule } from '../../../src-main/engine/schedules/index.js';
import {
  Callback,
  chooseStepEngine,
  LearningRateScheduler,
  Trainer,
  type TrainState,
} from '../../../src-main/engine/train/index.js';

let dir: string;
let pool: WorkerPool;
let train: Sample[];
let val: Sample[];
const SIZE = 16;

/** A 4-class task a small CNN learns in a few epochs: a bright square in one of four corners. */
async function makeTask(n: number, offset: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 4;
    const x = label % 2 ? 18 : 2;
    const y = label >= 2 ? 18 : 2;
    const path = join(dir, `s${offset + i}.png`);
    const noise = Buffer.alloc(32 * 32 * 3);
    for (let p = 0; p < noise.length; p++) noise[p] = ((p * 7 + i * 13) % 50) + 20;
    await sharp(noise, { raw: { width: 32, height: 32, channels: 3 } })
      .composite([
        {
          input: { create: { width: 12, height: 12, channels: 3, background: { r: 250, g: 240, b: 230 } } },
          left: x,
          top: y,
        },
      ])
      .png()
      .toFile(path);
    out.push({ path, label });
  }
  return out;
}

beforeAll(async () => {
  tf.enableProdMode();
  // The backend full training selects here (WebGPU on Mesa where installed: ~13x the cpu backend).
  await useBackend('full');
  dir = mkdtempSync(join(tmpdir(), 'anneal-train-'));
  train = await makeTask(64, 0);
  val = await makeTask(16, 1000);
  pool = new WorkerPool(2);
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A loader of 16-image batches at SIZE px on the shared pool. */
const loaderOf = (samples: Sample[], o: { shuffle?: boolean; seed?: number } = {}) =>
  new DataLoader({ samples, batchSize: 16, size: SIZE, preprocessing: IMAGENET_PREPROCESSING, workers: pool, ...o });

class Record extends Callback {
  lrs: number[][] = [];
  counts: number[] = [];
  override async onBatchEnd(s: TrainState) {
    this.lrs.push(s.lr);
  }
  override async onEpochEnd() {
    this.counts.push(tf.memory().numTensors);
  }
}

describe('Trainer', () => {
  // Image batches' steps on TF.js (the default) and through onnxruntime's training graph (engine/ort-train).
  for (const engine of ['tfjs', 'onnxruntime'] as const)
    it(`learns a generated task with the fine_tune recipe; rates = the preview; no tensor growth (steps: ${engine})`, async () => {
      const built = buildModel(getArch('resnet_micro'), { numClasses: 4, inputSize: SIZE });
      const stepEngine =
        engine === 'onnxruntime' ? await chooseStepEngine(built.model, { inputSize: SIZE, choice: engine }) : null;
      if (stepEngine) expect(stepEngine.engine).toBe('onnxruntime');
      const trainLoader = loaderOf(train, { shuffle: true, seed: 1 });
      const valLoader = loaderOf(val);
      const plan = parseScheduleFile({ recipe: { type: 'fineTune', epochs: 5, freezeEpochs: 1, baseLr: 2e-2 } });
      const stages = compilePlan(plan, { stepsPerEpoch: trainLoader.batchesPerEpoch(), groups: built.groups.length });
      const rec = new Record();
      const stemBefore = Array.from(await built.model.getLayer('bn1').getWeights()[2]!.data());
      const frozenCheck = new (class extends Callback {
        stem: number[] = [];
        override async onStageEnd(s: TrainState) {
          if (s.stage === 0) this.stem = Array.from(await built.model.getLayer('bn1').getWeights()[2]!.data());
        }
      })();
      const trainer = new Trainer({
        built,
        stages,
        optimizer: OptimizerConfig.parse({ type: 'adamw', weightDecay: 1e-4 }),
        train: trainLoader,
        val: valLoader,
        callbacks: [new LearningRateScheduler(stages), rec, frozenCheck],
        stepEngine,
      });
      const result = await trainer.fit();
      expect(result.epochs).toHaveLength(6);
      // Stage 1 froze the backbone: its BatchNorm statistics did not move.
      expect(frozenCheck.stem).toEqual(stemBefore);
      const last = result.epochs.at(-1)!;
      expect(last.val_accuracy).toBeGreaterThanOrEqual(0.75);
      expect(last.loss).toBeLessThan(result.epochs[0]!.loss);
      // The rates the optimizer got are, to the bit, what `anneal schedule` previews.
      const preview = previewSchedule(plan, {
        stepsPerEpoch: trainLoader.batchesPerEpoch(),
        groups: built.groups.length,
      });
      expect(rec.lrs).toEqual(preview.lr);
      // Tensor count flat across epochs (after the first, which creates optimizer slots).
      expect(new Set(rec.counts.slice(1)).size).toBe(1);
      trainer.dispose();
      await stepEngine?.dispose();
      built.model.dispose();
      await trainLoader.close();
      await valLoader.close();
    }, 600_000);

  it('validates through the forward eval and predict use (onnxruntime here), with TF.js’s numbers', async () => {
    const built = buildModel(getArch('resnet_micro'), { numClasses: 4, inputSize: SIZE });
    const valLoader = loaderOf(val);
    const plan = parseScheduleFile({ recipe: { type: 'fineTune', epochs: 1, freezeEpochs: 0 } });
    const trainer = new Trainer({
      built,
      stages: compilePlan(plan, { stepsPerEpoch: 1, groups: built.groups.length }),
      optimizer: OptimizerConfig.parse({ type: 'sgd' }),
      train: valLoader,
      val: valLoader,
      classWeights: [1, 2, 1, 0.5],
    });
    const tensors = tf.memory().numTensors;
    const auto = await trainer.evaluate(valLoader);
    const by = async (engine: string) => {
      process.env.ANNEAL_FORWARD = engine; // onnxruntime: that one or an error, no quiet fallback
      try {
        return await trainer.evaluate(valLoader);
      } finally {
        delete process.env.ANNEAL_FORWARD;
      }
    };
    const fast = await by('onnxruntime');
    const slow = await by('tfjs');
    expect(auto).toEqual(fast);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(fast.val_accuracy).toBe(slow.val_accuracy);
    expect(Math.abs(fast.val_loss - slow.val_loss) / slow.val_loss).toBeLessThan(1e-4);
    trainer.dispose();
    built.model.dispose();
    await valLoader.close();
  }, 600_000);

  it('a frozen stage on cached features trains the head exactly as on images, without re-running the backbone', async () => {
    const loader = () => loaderOf(train, { shuffle: true, seed: 3 });
    const plan = parseScheduleFile({
      stages: [{ epochs: 3, freeze: 'backbone', schedule: { type: 'constant', lr: 0.05 } }],
    });
    // No head dropout: its random masks would differ between the two runs.
    const opts = { numClasses: 4, inputSize: SIZE, dropout: 0 };
    const base = buildModel(getArch('resnet_micro'), opts);
    const runOnce = async (cached: boolean) => {
      const built = buildModel(getArch('resnet_micro'), opts);
      built.model.setWeights(base.model.getWeights());
      const l = loader();
      const stages = compilePlan(plan, { stepsPerEpoch: l.batchesPerEpoch(), groups: built.groups.length });
      const rec = new Record();
      const trainerRef = new Trainer({
        built,
        stages,
        optimizer: OptimizerConfig.parse({ type: 'sgd', momentum: 0.9 }),
        train: l,
        callbacks: [new LearningRateScheduler(stages), rec],
        featureCache: cached ? { views: 1, loader: l } : null,
      });
      const result = await trainerRef.fit();
      const bytes = trainerRef.featureCacheBytes;
      trainerRef.dispose();
      built.model.dispose();
      await l.close();
      return { losses: result.epochs.map((e) => e.loss), counts: rec.counts, bytes };
    };
    const plain = await runOnce(false);
    // Features from TF.js itself: the head then trains on exactly the numbers it sees uncached.
    process.env.ANNEAL_FORWARD = 'tfjs';
    let cached;
    try {
      cached = await runOnce(true);
    } finally {
      delete process.env.ANNEAL_FORWARD;
    }
    // Features from onnxruntime, as on a CPU-only machine (predict/forward.ts): equal to TF.js's
    // to float32 rounding, which three epochs of SGD with momentum amplify to ~3e-5 relative.
    const viaOnnx = await runOnce(true);
    const channels = (base.model.getLayer('avgpool').outputShape as number[])[1]!;
    base.model.dispose();
    expect(plain.bytes).toBe(0);
    // One pooled feature vector per image, computed in the first epoch and reused after.
    expect(cached.bytes).toBe(train.length * channels * 4);
    for (let e = 0; e < 3; e++) expect(cached.losses[e]!).toBeCloseTo(plain.losses[e]!, 4);
    for (let e = 0; e < 3; e++)
      expect(Math.abs(viaOnnx.losses[e]! - plain.losses[e]!) / plain.losses[e]!).toBeLessThan(2e-4);
    expect(viaOnnx.bytes).toBe(cached.bytes);
    expect(new Set(cached.counts.slice(1)).size).toBe(1);
  }, 600_000);
});

describe('Trainer: per-step loss and a stop mid-epoch', () => {
  it('reports each step its own loss (the epoch loss is their weighted mean) and marks a cut epoch partial', async () => {
    const built = buildModel(getArch('resnet_micro'), { numClasses: 4, inputSize: SIZE });
    const loader = new DataLoader({
      samples: train,
      batchSize: 16,
      size: SIZE,
      preprocessing: IMAGENET_PREPROCESSING,
      workers: pool,
    });
    const plan = parseScheduleFile({ schedule: { type: 'constant', lr: 1e-2 } });
    const stages = compilePlan(plan, {
      stepsPerEpoch: loader.batchesPerEpoch(),
      groups: built.groups.length,
      epochs: 2,
    });
    const seen = new (class extends Callback {
      steps: { epoch: number; loss: number; stepLoss: number; size: number }[] = [];
      epochs: { loss: number; partial: boolean | undefined }[] = [];
      override async onBatchEnd(s: TrainState, logs: { loss: number; stepLoss?: number; size: number }) {
        this.steps.push({ epoch: s.epoch, loss: logs.loss, stepLoss: logs.stepLoss!, size: logs.size });
        // Second epoch, second step: stop, as the app's Stop button does.
        if (s.epoch === 1 && this.steps.filter((x) => x.epoch === 1).length === 2) s.stopRequested = true;
      }
      override async onEpochEnd(s: TrainState, logs: { loss: number }) {
        this.epochs.push({ loss: logs.loss, partial: s.partialEpoch });
      }
    })();
    const trainer = new Trainer({
      built,
      stages,
      optimizer: OptimizerConfig.parse({ type: 'sgd' }),
      train: loader,
      callbacks: [new LearningRateScheduler(stages), seen],
    });
    await trainer.fit();
    const first = seen.steps.filter((s) => s.epoch === 0);
    expect(first).toHaveLength(loader.batchesPerEpoch());
    // Not a running mean: the per-step losses differ from the running one after the first step.
    expect(first.some((s, i) => i > 0 && Math.abs(s.stepLoss - s.loss) > 1e-7)).toBe(true);
    const weighted = first.reduce((a, s) => a + s.stepLoss * s.size, 0) / first.reduce((a, s) => a + s.size, 0);
    expect(seen.epochs[0]!.loss).toBeCloseTo(weighted, 5);
    expect(seen.epochs[0]!.partial).toBe(false);
    expect(seen.epochs).toHaveLength(2);
    expect(seen.epochs[1]!.partial).toBe(true);
    trainer.dispose();
    built.model.dispose();
    await loader.close();
  }, 600_000);
});
