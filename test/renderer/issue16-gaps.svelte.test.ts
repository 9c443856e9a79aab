// Issue 16's last gaps, in the renderer's state. A run stopped in the middle of an epoch: its last
// numbers are labelled as over part of that epoch (the same words everywhere: runs/partial.ts),
// and when the run is resumed the whole epoch's numbers replace the cut ones on the Train screen's
// charts instead of being dropped as "already drawn". Evaluate's baseline with classes of one size.
import { describe, expect, it } from 'vitest';
import type { JobInfo, RunHistory } from '../../src-main/contract/index.js';
import { cutLabel, partialLabel } from '../../src-main/engine/browser.js';
import { cutSteps } from '../../src-main/engine/runs/index.js';
import type { Progress } from '../../src-main/engine/train/index.js';
import {
  EvalState,
  FINAL_COLUMNS,
  PredictState,
  runPartial,
  TrainSession,
} from '../../src-renderer/lib/state/index.js';
import { fakeClient, fakeJob, fakeStep } from './fake-client.js';

const epochRecord = (epoch: number, accuracy: number, partial?: { epochStep: number; stepsPerEpoch: number }) => ({
  type: 'epoch' as const,
  epoch,
  stage: epoch,
  loss: 1 - accuracy,
  accuracy,
  val_loss: 1 - accuracy,
  val_accuracy: accuracy,
  lr: [1e-3],
  seconds: 3,
  ...(partial ? { partial: true, ...partial } : {}),
});

const cutFinal = { epoch: 1, loss: 0.6, accuracy: 0.4, val_loss: 0.6, val_accuracy: 0.4 };

describe('a cut epoch, labelled', () => {
  it('says where the stop came, counting epochs from 1', () => {
    expect(partialLabel({ ...cutFinal, partial: { epochStep: 12, stepsPerEpoch: 40 } })).toBe(
      'stopped at epoch 2, step 12/40 (partial epoch)',
    );
    expect(cutLabel({ epochStep: 3, stepsPerEpoch: 13 })).toBe('step 3/13 (partial epoch)');
    expect(partialLabel(cutFinal)).toBeNull();
    expect(partialLabel(null)).toBeNull();
    // A run recorded before the steps were: partial, extent unknown.
    expect(partialLabel({ ...cutFinal, ...cutSteps({ partial: true }) })).toBe('stopped at epoch 2, partial epoch');
    expect(cutSteps({ partial: false, epochStep: 3, stepsPerEpoch: 9 })).toEqual({});
  });

  it('marks the Runs table’s final numbers, not the others', () => {
    expect(runPartial({ final: { ...cutFinal, partial: { epochStep: 5, stepsPerEpoch: 13 } } })).toBe(
      'stopped at epoch 2, step 5/13 (partial epoch)',
    );
    expect(runPartial({ final: cutFinal })).toBeNull();
    expect([...FINAL_COLUMNS].sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
  });
});

describe('TrainSession: a resumed run finishes its cut epoch', () => {
  const job = (state: JobInfo['state']) => fakeJob(state, { runDir: '/runs/r1', backend: 'cpu' });
  const history = (): RunHistory =>
    ({
      meta: { config: {} },
      summary: { final: { ...cutFinal, partial: { epochStep: 4, stepsPerEpoch: 10 } } },
      stages: ['frozen', 'unfrozen'],
      epochs: [epochRecord(0, 0.5), epochRecord(1, 0.4, { epochStep: 4, stepsPerEpoch: 10 })],
      events: [],
      steps: Array.from({ length: 14 }, (_, s) => ({
        type: 'step',
        step: s,
        epoch: s < 10 ? 0 : 1,
        stage: 0,
        lr: [1e-3],
        loss: 1,
        stepLoss: 1,
      })),
    }) as unknown as RunHistory;
  const epochEvent = (epoch: number, accuracy: number, partial = false): Progress => ({
    ...fakeStep(epoch * 10 + 9, { kind: 'epoch', epoch }),
    epochLogs: { loss: 1 - accuracy, accuracy, val_loss: 1 - accuracy, val_accuracy: accuracy, seconds: 3 },
    ...(partial ? { partial: true } : {}),
  });

  it('replaces the cut epoch’s point with the whole epoch’s, once', async () => {
    const { client, emit } = fakeClient((channel) =>
      channel === 'jobs.list' ? [job('running')] : channel === 'runs.history' ? history() : {},
    );
    const t = new TrainSession(client);
    await t.restore('/runs/r1');
    expect(t.accuracyChart).toEqual([
      [1, 2],
      [0.5, 0.4],
      [0.5, 0.4],
    ]);
    expect(t.partialEpoch).toBe(2);
    // The resumed job goes on from step 14, then ends the epoch over all of its data.
    emit('job.progress', { jobId: 'j1', progress: fakeStep(14, { epoch: 1 }) });
    emit('job.progress', { jobId: 'j1', progress: epochEvent(1, 0.7) });
    expect(t.accuracyChart).toEqual([
      [1, 2],
      [0.5, 0.7],
      [0.5, 0.7],
    ]);
    expect(t.partialEpoch).toBeNull();
    expect(t.lossChart[0]).toEqual(Array.from({ length: 15 }, (_, s) => s));
    // A whole epoch already drawn stays as it is.
    emit('job.progress', { jobId: 'j1', progress: epochEvent(1, 0.1) });
    expect(t.accuracyChart[1]).toEqual([0.5, 0.7]);
    t.dispose();
  });

  it('keeps a whole epoch read from the store when its event comes late', async () => {
    const whole = { ...history(), epochs: [epochRecord(0, 0.5), epochRecord(1, 0.6)] } as RunHistory;
    const { client, emit } = fakeClient((channel) =>
      channel === 'jobs.list' ? [job('running')] : channel === 'runs.history' ? whole : {},
    );
    const t = new TrainSession(client);
    await t.restore('/runs/r1');
    emit('job.progress', { jobId: 'j1', progress: epochEvent(1, 0.9) });
    expect(t.accuracyChart[1]).toEqual([0.5, 0.6]);
    t.dispose();
  });
});

describe('EvalState: the baseline when classes are the same size', () => {
  const result = (confusion: number[][]) => ({
    classes: confusion.map((_, i) => `c${i}`),
    count: confusion.flat().reduce((a, b) => a + b, 0),
    accuracy: 0.5,
    topK: { k: 5, accuracy: 1 },
    loss: 1,
    perClass: [],
    confusion,
    topLosses: [],
    thumbnails: {},
    skipped: [],
    images: [],
  });
  it('counts the classes tied for largest, so the screen does not single one out', async () => {
    for (const [confusion, ties] of [
      [
        [
          [3, 0],
          [1, 2],
        ],
        2,
      ],
      [
        [
          [3, 0, 0],
          [0, 3, 0],
          [0, 0, 1],
        ],
        2,
      ],
      [
        [
          [4, 0],
          [1, 1],
        ],
        1,
      ],
    ] as const) {
      const { client } = fakeClient(() => result(confusion.map((r) => [...r])));
      const e = new EvalState(client);
      await e.run('/runs/r1');
      expect(e.baselineTies).toBe(ties);
    }
  });
});

describe('PredictState: a new image', () => {
  it('drops the last image’s result while the new one is predicted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const { client } = fakeClient(async () => {
      calls++;
      if (calls === 2) await gate;
      return { top: [{ label: calls === 1 ? 'circle' : 'square', p: 0.9 }], view: `view-${calls}` };
    });
    const p = new PredictState(client);
    await p.predictImage('/runs/r1', 'a.png', async () => 'AA');
    expect(p.single.result?.view).toBe('view-1');
    const second = p.predictImage('/runs/r1', 'b.png', async () => 'BB');
    expect(p.single.result).toBeNull(); // not the circle's view beside the square's file
    expect(p.single.running).toBe(true);
    release();
    await second;
    expect(p.single.result?.view).toBe('view-2');
  });
});
