// Shared fixtures for the run-store tests: temp roots, a run's metadata, a small checkpoint.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CheckpointInput, NewRunMeta, WeightSpec } from '../../../src-main/engine/runs/index.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'anneal-runs-'));
  roots.push(root);
  return root;
}

export function newMeta(over: Partial<NewRunMeta> = {}): NewRunMeta {
  return {
    arch: 'resnet_micro',
    config: { model: 'resnet_micro', epochs: 5, schedule: { type: 'oneCycle', maxLr: { slice: [1e-5, 1e-3] } } },
    seed: 42,
    versions: { anneal: '0.1.0', node: process.version, tfjs: '4.22.0', backend: '4.22.0' },
    backend: { name: 'cpu', device: null },
    dataset: {
      root: '/data/pets',
      manifestHash: 'a'.repeat(64),
      classes: ['cat', 'dog'],
      train: 80,
      val: 20,
    },
    ...over,
  };
}

export const SPECS: WeightSpec[] = [
  { name: 'dense/kernel', shape: [3, 4], dtype: 'float32' },
  { name: 'dense/bias', shape: [4], dtype: 'float32' },
];

/** A checkpoint closing `epoch` (10 steps an epoch), its weights all `epoch + 0.5`. */
export function checkpoint(epoch: number, over: Partial<CheckpointInput['state']> = {}): CheckpointInput {
  return {
    weights: { specs: SPECS, data: new Float32Array(16).fill(epoch + 0.5).buffer },
    optimizer: { json: { name: 'adam', iterations: (epoch + 1) * 10 } },
    state: {
      epoch,
      stage: 0,
      stageEpoch: epoch,
      step: (epoch + 1) * 10 - 1,
      scheduleState: { lr: [1e-4, 1e-3], best: Infinity, bad: 0, cooldownLeft: 0 },
      rng: { seed: 42, calls: epoch },
      best: null,
      ...over,
    },
  };
}

/** The pid of a process that has exited. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

export const step = (s: number, epoch: number) => ({ step: s, epoch, stage: 0, lr: [1e-4, 1e-3], loss: 1 / (s + 1) });

export const epochRecord = (epoch: number, val_loss = 1 / (epoch + 1)) => ({
  epoch,
  stage: 0,
  loss: 0.5,
  accuracy: 0.8,
  val_loss,
  val_accuracy: 0.7 + epoch / 100,
  lr: [1e-4, 1e-3],
  seconds: 2,
});
