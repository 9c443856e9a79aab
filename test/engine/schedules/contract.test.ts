// Statements of shared/docs/schedules.md checked directly: its worked example, the forms that no
// outside library has (polynomial "restart", fastai fine_tune as stages), and every refusal.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  compilePlan,
  fineTuneStages,
  FineTuneRecipe,
  parseScheduleFile,
  previewSchedule,
  previewToCsv,
  resolveRate,
} from '../../../src-main/engine/index.js';

const preview = (config: unknown, epochs: number, stepsPerEpoch: number, groups = 1, batchSize?: number) =>
  previewSchedule(parseScheduleFile(config), { epochs, stepsPerEpoch, groups, batchSize });

const refusal = (config: unknown): ConfigError => {
  try {
    previewSchedule(parseScheduleFile(config), { epochs: 2, stepsPerEpoch: 3, groups: 4 });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(config)}`);
};

describe('rates per layer group', () => {
  it('gives the spec example: slice(3e-6, 3e-3) over 4 groups', () => {
    const lr = resolveRate({ slice: [3e-6, 3e-3] }, 4, 1, 'lr');
    [3e-6, 3e-5, 3e-4, 3e-3].forEach((v, i) => expect(lr[i]).toBeCloseTo(v, 15));
  });
  it('slice(hi) gives hi/10 to every group but the last (fastai set_hyper)', () => {
    expect(resolveRate({ slice: [1e-3] }, 3, 1, 'lr')).toEqual([1e-4, 1e-4, 1e-3]);
  });
  it('a one-group slice is hi', () => {
    expect(resolveRate({ slice: [1e-5, 1e-3] }, 1, 1, 'lr')).toEqual([1e-3]);
  });
  it('scales the slice bounds before spreading them (k applies first)', () => {
    const lr = resolveRate({ slice: [1e-4, 1e-2] }, 3, 4, 'lr');
    expect(lr[0]).toBeCloseTo(4e-4, 15);
    expect(lr[2]).toBeCloseTo(4e-2, 15);
  });
});

describe('batch-size scaling', () => {
  const cfg = (rule: string) => ({ schedule: { type: 'constant', lr: 0.1 }, lrScaling: { rule, baseBatch: 256 } });
  it('linear: k = B / baseBatch', () => expect(preview(cfg('linear'), 1, 1, 1, 1024).lr[0]![0]).toBeCloseTo(0.4, 15));
  it('sqrt: k = sqrt(B / baseBatch)', () => expect(preview(cfg('sqrt'), 1, 1, 1, 1024).lr[0]![0]).toBeCloseTo(0.2, 15));
  it('none leaves the rate alone', () => expect(preview(cfg('none'), 1, 1, 1, 1024).lr[0]![0]).toBe(0.1));
  it('reads batchSize from the config when no batch size is given', () => {
    expect(preview({ ...cfg('linear'), batchSize: 512 }, 1, 1).lr[0]![0]).toBeCloseTo(0.2, 15);
  });
  it('refuses a scaling rule without a batch size, naming lrScaling', () => {
    expect(() => preview(cfg('linear'), 1, 1)).toThrow(/^lrScaling: .*batch size/);
  });
  it('warm-up starts from the unscaled rate: startFactor defaults to 1/k (Goyal et al.)', () => {
    const p = preview(
      { schedule: { type: 'warmup', steps: 4, inner: { type: 'constant', lr: 0.1 } }, lrScaling: { rule: 'linear' } },
      1,
      8,
      1,
      2048,
    );
    expect(p.lr[0]![0]).toBeCloseTo(0.1, 15); // 0.8 * 1/8
    expect(p.lr[4]![0]).toBeCloseTo(0.8, 15);
  });
  it('warm-up startFactor defaults to 0.1 without scaling', () => {
    const p = preview({ schedule: { type: 'warmup', steps: 5, inner: { type: 'constant', lr: 1 } } }, 1, 6);
    expect(p.lr.map((r) => r[0])).toEqual([0.1, 0.28, 0.46, 0.64, 0.82, 1].map((v, i) => (i < 5 ? 0.1 + 0.18 * i : v)));
  });
});

describe('time', () => {
  it('unit "epoch" holds the rate for a whole epoch and counts every field in epochs', () => {
    const p = preview({ schedule: { type: 'step', unit: 'epoch', lr: 1, factor: 0.5, every: 2 } }, 5, 3);
    expect(p.lr.map((r) => r[0])).toEqual([1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
  });
  it('offset evaluates the formula at t + offset (Keras floor((1 + epoch) / D) style)', () => {
    const p = preview({ schedule: { type: 'step', unit: 'epoch', offset: 1, lr: 1, factor: 0.5, every: 2 } }, 4, 1);
    expect(p.lr.map((r) => r[0])).toEqual([1, 0.5, 0.5, 0.25]);
  });
  it('sequential hands each part its own time from 0; the last part runs on', () => {
    const p = preview(
      {
        schedule: {
          type: 'sequential',
          parts: [
            { schedule: { type: 'constant', lr: 0.5 }, length: 2 },
            { schedule: { type: 'step', lr: 1, factor: 0.1, every: 1 }, length: 1 },
          ],
        },
      },
      1,
      5,
    );
    expect(p.lr.map((r) => r[0])).toEqual([0.5, 0.5, 1, 0.1, 0.1 * 0.1]);
  });
});

describe('polynomial cycle "restart" (the seeds\' sawtooth)', () => {
  it('jumps back to lr0 every decaySteps', () => {
    const p = preview({ schedule: { type: 'polynomial', lr: 1, endLr: 0, decaySteps: 4, cycle: 'restart' } }, 1, 9);
    expect(p.lr.map((r) => r[0])).toEqual([1, 0.75, 0.5, 0.25, 1, 0.75, 0.5, 0.25, 1]);
  });
  it('with power 2 follows (lr0 - end) (1 - s/D)^2 + end', () => {
    const p = preview(
      { schedule: { type: 'polynomial', lr: 0.1, endLr: 0.01, decaySteps: 5, power: 2, cycle: 'restart' } },
      1,
      7,
    );
    const expected = [0, 1, 2, 3, 4, 0, 1].map((s) => 0.09 * (1 - s / 5) ** 2 + 0.01);
    p.lr.forEach((r, i) => expect(r[0]).toBeCloseTo(expected[i]!, 15));
  });
});

describe('momentum in the preview', () => {
  it('is null when nothing cycles momentum', () => {
    expect(preview({ schedule: { type: 'constant', lr: 1 } }, 1, 2).momentum).toBeNull();
    expect(
      preview({ schedule: { type: 'oneCycle', maxLr: 1, totalSteps: 4, cycleMomentum: false } }, 1, 4).momentum,
    ).toBeNull();
  });
  it('is null at steps of a sequential part that sets none', () => {
    const p = preview(
      {
        schedule: {
          type: 'sequential',
          parts: [
            { schedule: { type: 'constant', lr: 0.01 }, length: 2 },
            { schedule: { type: 'oneCycle', maxLr: 1, totalSteps: 2 }, length: 2 },
          ],
        },
      },
      1,
      4,
    );
    expect(p.momentum).toEqual([null, null, 0.95, expect.any(Number)]);
  });
  it("during a warm-up is the inner schedule's momentum at its time 0", () => {
    const p = preview(
      { schedule: { type: 'warmup', steps: 3, inner: { type: 'oneCycle', maxLr: 1, totalSteps: 10 } } },
      1,
      5,
    );
    expect(p.momentum!.slice(0, 4)).toEqual([0.95, 0.95, 0.95, 0.95]);
  });
});

describe('fastai fine_tune as two one-cycle stages', () => {
  const stages = fineTuneStages(FineTuneRecipe.parse({ type: 'fineTune', epochs: 3 }));
  it('freezes the backbone for freezeEpochs with slice(baseLr) and pct_start 0.99', () => {
    expect(stages[0]).toMatchObject({
      epochs: 1,
      freeze: 'backbone',
      schedule: { type: 'oneCycle', maxLr: { slice: [2e-3] }, pctStart: 0.99, divFactor: 25 },
    });
  });
  it('then unfreezes with slice(baseLr/2/lrMult, baseLr/2), the given pctStart and div', () => {
    expect(stages[1]).toMatchObject({
      epochs: 3,
      freeze: 'none',
      schedule: { type: 'oneCycle', maxLr: { slice: [1e-5, 1e-3] }, pctStart: 0.3, divFactor: 5 },
    });
  });
  it('each stage is its own fit: its one-cycle spans exactly its epochs', () => {
    const plan = parseScheduleFile({ recipe: { type: 'fineTune', epochs: 2, freezeEpochs: 1 } });
    const p = previewSchedule(plan, { stepsPerEpoch: 10, groups: 3 });
    expect(p.lr).toHaveLength(30);
    // Stage 2 starts from its own step 0 at initial = maxLr / div for the head.
    expect(p.lr[10]![2]).toBeCloseTo(1e-3 / 5, 15);
    const compiled = compilePlan(plan, { stepsPerEpoch: 10, groups: 3 });
    expect(compiled.map((s) => [s.name, s.startEpoch, s.epochs, s.freeze])).toEqual([
      ['frozen', 0, 1, 'backbone'],
      ['unfrozen', 1, 2, 'none'],
    ]);
  });
  it("the design brief's form: head first, then slice(3e-6, 3e-3) one-cycle, as explicit stages", () => {
    const plan = parseScheduleFile({
      stages: [
        { name: 'head', epochs: 2, freeze: 'backbone', schedule: { type: 'oneCycle', maxLr: 1e-2 } },
        { name: 'all', epochs: 3, schedule: { type: 'oneCycle', maxLr: { slice: [3e-6, 3e-3] }, pctStart: 0.25 } },
      ],
    });
    const p = previewSchedule(plan, { stepsPerEpoch: 4, groups: 4 });
    expect(p.lr).toHaveLength(20);
    const peak = Math.max(...p.lr.slice(8).map((r) => r[3]!));
    expect(peak).toBeCloseTo(3e-3, 15); // pos = 3/12 = pctStart lands on a step
  });
});

describe('plateau', () => {
  const cfg = { schedule: { type: 'plateau', lr: [0.1, 1], patience: 1, factor: 0.5, minLr: 0.06 } };
  it('applies a reduction from the epoch after the metric stops improving', () => {
    const p = previewSchedule(parseScheduleFile(cfg), {
      epochs: 6,
      stepsPerEpoch: 2,
      groups: 2,
      metrics: [1, 1, 1, 1, 1, 1],
    });
    // bad epochs: e1 -> 1, e2 -> 2 > patience: reduce for epoch 3; minLr clamps group 0.
    expect(p.lr.filter((_, i) => i % 2 === 0)).toEqual([
      [0.1, 1],
      [0.1, 1],
      [0.1, 1],
      [0.06, 0.5],
      [0.06, 0.5],
      [0.06, 0.25],
    ]);
  });
  it('holds the rate when the metric history is shorter than the preview', () => {
    const p = previewSchedule(parseScheduleFile(cfg), { epochs: 4, stepsPerEpoch: 1, groups: 2, metrics: [1] });
    expect(p.lr).toEqual([
      [0.1, 1],
      [0.1, 1],
      [0.1, 1],
      [0.1, 1],
    ]);
  });
});

describe('CSV output', () => {
  it('has the header step,epoch,lr_0..lr_{N-1}[,momentum] and one row per step', () => {
    const csv = previewToCsv(preview({ schedule: { type: 'oneCycle', maxLr: 1, totalSteps: 4 } }, 2, 2, 2));
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('step,epoch,lr_0,lr_1,momentum');
    expect(lines).toHaveLength(5);
    expect(lines[3]!.split(',').slice(0, 2)).toEqual(['2', '1']);
  });
  it('has no momentum column when nothing cycles it', () => {
    expect(previewToCsv(preview({ schedule: { type: 'constant', lr: 1 } }, 1, 1)).split('\n')[0]).toBe(
      'step,epoch,lr_0',
    );
  });
});

describe('refusals name the field', () => {
  it.each([
    ['unknown type', { schedule: { type: 'cosineAnnealing', lr: 1 } }, 'schedule.type', /unknown schedule type/],
    ['missing field', { schedule: { type: 'step', lr: 1, every: 2 } }, 'schedule.factor', /required/],
    ['missing lr', { schedule: { type: 'exponential', decayRate: 0.5, decaySteps: 2 } }, 'schedule.lr', /required/],
    ['negative rate', { schedule: { type: 'constant', lr: -0.1 } }, 'schedule.lr', /negative/],
    ['negative rate in an array', { schedule: { type: 'constant', lr: [1, 1, -1, 1] } }, 'schedule.lr[2]', /negative/],
    [
      'slice out of order',
      { schedule: { type: 'oneCycle', maxLr: { slice: [3e-3, 3e-6] }, totalSteps: 6 } },
      'schedule.maxLr.slice',
      /out of order/,
    ],
    [
      'piecewise values not one more than boundaries',
      { schedule: { type: 'piecewise', boundaries: [2, 4], values: [1, 0.5] } },
      'schedule.values',
      /one more value/,
    ],
    [
      'nested missing field',
      { schedule: { type: 'warmup', steps: 2, inner: { type: 'cosine', lr: 1 } } },
      'schedule.inner.decaySteps',
      /required/,
    ],
    ['unknown field', { schedule: { type: 'constant', lr: 1, decay: 2 } }, 'schedule', /unknown field "decay"/],
    [
      'per-group array of the wrong length',
      { schedule: { type: 'constant', lr: [1, 2] } },
      'schedule.lr',
      /2 per-group values but the model has 4/,
    ],
    [
      'oneCycle without totalSteps outside a stage',
      { schedule: { type: 'oneCycle', maxLr: 1 } },
      'schedule.totalSteps',
      /required/,
    ],
    [
      'plateau below the top level',
      { schedule: { type: 'warmup', steps: 1, inner: { type: 'plateau', lr: 1 } } },
      'schedule.inner.type',
      /top level/,
    ],
    ['no schedule', { lrScaling: { rule: 'none' } }, 'schedule', /required/],
    [
      'wrong type of value',
      { schedule: { type: 'step', lr: 1, factor: '0.5', every: 1 } },
      'schedule.factor',
      /number/,
    ],
  ])('%s', (_name, config, field, reason) => {
    const e = refusal(config);
    expect(e.field).toBe(field);
    expect(e.reason).toMatch(reason);
  });
});
