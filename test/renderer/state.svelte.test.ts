import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import {
  AppState,
  BatchScaling,
  DatasetState,
  LrFindState,
  RunsTable,
  Task,
  TrainSession,
} from '../../src-renderer/lib/state/index.js';
import { fakeClient, fakeJob, fakeStep } from './fake-client.js';

const job = fakeJob;

const step = fakeStep;

describe('AppState', () => {
  it('builds the run config from the dataset, model, augmentation and schedule', () => {
    const app = new AppState();
    expect(app.runConfig).toEqual({ config: null, error: 'choose a dataset on the Dataset screen' });
    app.dataPath = ' /data/shapes ';
    app.form.epochs = 2;
    app.form.baseLr = 0.01;
    app.form.apply();
    app.augment.hflip = 0;
    flushSync();
    const { config } = app.runConfig;
    expect(config).toMatchObject({
      data: '/data/shapes',
      model: 'resnet_micro',
      recipe: { type: 'fineTune', epochs: 2, freezeEpochs: 1, baseLr: 0.01 },
      augment: { hflip: false, vflip: false, colorJitter: { brightness: 0.2 } },
      updateRatioEvery: 10,
    });
    expect(config).not.toHaveProperty('imageSize');
    app.augment.enabled = false;
    expect(app.runConfig.config!.augment).toBe(false);
  });

  it('refuses to build a run from an invalid schedule, naming the field', () => {
    const app = new AppState();
    app.dataPath = '/d';
    app.form.mode = 'json';
    app.schedule.text = '{"recipe": {"type": "fineTune"}}';
    flushSync();
    expect(app.runConfig.error).toBe('the schedule is invalid: recipe.epochs: is required');
  });

  it('makes an LR-finder suggestion the schedule’s rate, keeping a one-cycle’s group ratio', () => {
    const app = new AppState();
    app.useLearningRate(4e-3);
    expect(JSON.parse(app.schedule.text).recipe.baseLr).toBe(4e-3);
    app.form.mode = 'oneCycle';
    app.form.maxLr = 1e-2;
    app.form.minGroupLr = 1e-4;
    app.useLearningRate(2e-3);
    const s = JSON.parse(app.schedule.text).stages[0].schedule;
    expect(s.maxLr.slice[1]).toBe(2e-3);
    expect(s.maxLr.slice[0]).toBeCloseTo(2e-5, 12);
    flushSync();
    // The engine previews the stage: 1 stage × the preview's 20 steps per epoch × 3 epochs.
    expect(app.schedule.error).toBeNull();
    expect(app.schedule.preview!.step).toHaveLength(60);
  });
});

describe('BatchScaling', () => {
  it('scales linearly or by the square root, as training does', () => {
    const c = new BatchScaling();
    expect(c.scaledLr).toBeCloseTo(0.4, 12); // 0.1 × 1024/256
    c.rule = 'sqrt';
    expect(c.scaledLr).toBeCloseTo(0.2, 12);
    c.batchSize = 0;
    expect(c.scaledLr).toBeNull();
  });
});

describe('Task', () => {
  it('keeps the result of the latest run and the error of a failed one', async () => {
    const t = new Task<number>();
    await t.run(async () => 1);
    expect(t.result).toBe(1);
    await t.run(async () => {
      throw new Error('no such folder');
    });
    expect([t.result, t.error, t.running]).toEqual([null, 'no such folder', false]);
  });
});

describe('DatasetState', () => {
  it('inspects, fetches thumbnails, charts counts and warns about imbalance', async () => {
    const { client, calls } = fakeClient((channel) => {
      if (channel === 'data.inspect')
        return {
          classes: [
            { name: 'cat', count: 40 },
            { name: 'dog', count: 10 },
          ],
          imbalance: { ratio: 4, largest: 'cat', smallest: 'dog' },
        };
      return { classes: [] };
    });
    const d = new DatasetState(client);
    expect(await d.load('/data')).toBe(true);
    expect(calls.map((c) => c.channel)).toEqual(['data.inspect', 'data.thumbnails']);
    expect(d.countsChart).toEqual([
      [0, 1],
      [40, 10],
    ]);
    expect(d.imbalanceWarning).toMatch(/^Imbalanced: cat has 4× the images of dog/);
  });

  it('lists duplicate groups with their thumbnails and says what transparency does, decoded as chosen', async () => {
    const { client, calls } = fakeClient((channel) => {
      if (channel === 'data.inspect')
        return {
          classes: [
            { name: 'cat', count: 3 },
            { name: 'dog', count: 2 },
          ],
          imbalance: null,
          duplicates: [
            {
              kind: 'exact',
              sha256: 'ab',
              paths: ['/d/cat/a.png', '/d/dog/a.png'],
              classes: ['cat', 'dog'],
              conflict: true,
            },
            {
              kind: 'near',
              sha256: null,
              paths: ['/d/cat/b.png', '/d/cat/b2.jpg'],
              classes: ['cat', 'cat'],
              conflict: false,
            },
          ],
          labelConflicts: 1,
          transparency: { alpha: 'black', images: 4, nearlyUniform: 3, uniformExamples: [] },
          thumbnails: { '/d/cat/a.png': 'data:image/png;base64,AA==' },
        };
      return { classes: [] };
    });
    const d = new DatasetState(client);
    expect(await d.load('/d', 'black')).toBe(true);
    expect(calls.map((c) => (c.payload as { alpha?: string }).alpha)).toEqual(['black', 'black']);
    expect(d.duplicateSummary).toBe(
      '2 duplicate groups, 4 files; 1 span two or more classes (label conflicts). The split keeps each group on one side.',
    );
    const [conflict, near] = d.duplicateGroups;
    expect(conflict!.title).toBe('Label conflict: byte-identical (2 files, classes cat, dog)');
    expect(conflict!.files).toEqual([
      { path: '/d/cat/a.png', className: 'cat', src: 'data:image/png;base64,AA==' },
      { path: '/d/dog/a.png', className: 'dog', src: null },
    ]);
    expect(near!.title).toBe('near-duplicate (2 files)');
    expect(d.transparencyNote).toMatch(/^4 images have transparent pixels, composited with "black"\. 3 of them/);
  });

  it('puts the transparency choice in the run config', () => {
    const app = new AppState();
    app.dataPath = '/d';
    app.alpha = 'drop';
    expect(app.runConfig.config).toMatchObject({ alpha: 'drop' });
  });

  it('shows the engine’s refusal of a folder it cannot read', async () => {
    const { client } = fakeClient(() => {
      throw new Error('/nope: no such folder');
    });
    const d = new DatasetState(client);
    expect(await d.load('/nope')).toBe(false);
    expect(d.inspect.error).toBe('/nope: no such folder');
  });
});

describe('TrainSession', () => {
  it('follows its job’s events into chart series, progress and ETA', async () => {
    let now = 0;
    const { client, emit, calls } = fakeClient((channel) =>
      channel === 'train.start' ? job('starting') : job('paused'),
    );
    const t = new TrainSession(client, () => now);
    await t.start({ data: '/d' });
    expect(t.active).toBe(true);
    emit('job.update', job('running', { runDir: '/runs/r1', backend: 'webgpu' }));
    emit('job.update', job('done', { id: 'someone-else' }));
    expect(t.job!.state).toBe('running');
    for (let s = 0; s < 5; s++) {
      now = (s + 1) * 1000;
      emit('job.progress', { jobId: 'j1', progress: step(s, s === 0 ? { updateRatio: [0, 2e-3] } : {}) });
    }
    emit('job.progress', { jobId: 'other', progress: step(99) });
    expect(t.updates).toBe(5);
    // Events without a per-step loss (older engines) plot the running one; no smoothed line then.
    expect(t.lossChart).toEqual([
      [0, 1, 2, 3, 4],
      [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5],
      [null, null, null, null, null],
    ]);
    expect(t.lrChart).toHaveLength(3); // steps + 2 groups
    expect(t.ratioChart).toEqual([[0], [null], [2e-3]]); // the frozen group's 0 is a gap
    expect(t.fraction).toBeCloseTo(5 / 20, 12);
    // 4 steps in the 4 s since the first event: 15 left at 1 step/s.
    expect(t.etaSeconds).toBeCloseTo(15, 6);
    emit('job.progress', {
      jobId: 'j1',
      progress: {
        ...step(9),
        kind: 'epoch',
        epochLogs: { loss: 0.5, accuracy: 0.7, val_loss: 0.6, val_accuracy: 0.65, seconds: 10 },
      },
    });
    expect(t.accuracyChart).toEqual([[1], [0.7], [0.65]]);
    await t.pause();
    expect(calls.at(-1)).toEqual({ channel: 'train.control', payload: { jobId: 'j1', command: { action: 'pause' } } });
    expect(t.job!.state).toBe('paused');
    await t.scaleLr(0.5);
    expect(calls.at(-1)!.payload).toEqual({ jobId: 'j1', command: { action: 'lr', scale: 0.5 } });
    t.dispose();
  });
});

describe('RunsTable', () => {
  const run = (id: string, epochs: number, valAcc: number | null) => ({
    id,
    dir: `/runs/${id}`,
    created: id,
    arch: 'resnet_micro',
    epochs,
    best: null,
    final: valAcc === null ? null : { epoch: epochs - 1, loss: 1, accuracy: 0.5, val_loss: 1, val_accuracy: valAcc },
    seconds: epochs * 10,
    status: 'done',
  });

  it('sorts by any column (again: reversed; missing values last) and overlays selected runs', async () => {
    const { client, calls } = fakeClient((channel) =>
      channel === 'runs.list'
        ? [run('a', 3, 0.7), run('b', 1, null), run('c', 2, 0.9)]
        : [
            {
              label: 'a',
              points: [
                { epoch: 0, value: 0.5 },
                { epoch: 1, value: 0.6 },
                { epoch: 2, value: 0.7 },
              ],
            },
            {
              label: 'c',
              points: [
                { epoch: 0, value: 0.8 },
                { epoch: 1, value: 0.9 },
              ],
            },
          ],
    );
    const r = new RunsTable(client);
    await r.refresh();
    r.sort('val_acc');
    expect(r.rows.map((x) => x.id)).toEqual(['a', 'c', 'b']);
    r.sort('val_acc');
    expect(r.rows.map((x) => x.id)).toEqual(['c', 'a', 'b']);
    r.sort('epochs');
    expect(r.rows.map((x) => x.id)).toEqual(['b', 'c', 'a']);
    r.toggle('/runs/a');
    r.toggle('/runs/c');
    r.toggle('/runs/b');
    r.toggle('/runs/b');
    await r.compare();
    expect(calls.at(-1)!.payload).toEqual({ runDirs: ['/runs/a', '/runs/c'], metric: 'val_accuracy' });
    expect(r.chartData).toEqual([
      [1, 2, 3],
      [0.5, 0.6, 0.7],
      [0.8, 0.9, null],
    ]);
    expect(r.chartLabels).toEqual(['a', 'c']);
  });
});

describe('LrFindState', () => {
  it('charts the range test and lists fastai’s suggestions', async () => {
    const { client, calls } = fakeClient(() => ({
      lrs: [1e-5, 1e-3, 1e-1],
      losses: [2, 1, 3],
      suggestions: { valley: 1e-3, steep: 1e-4, minimum: 1e-2 },
      diverged: false,
      backend: 'cpu',
    }));
    const lr = new LrFindState(client);
    lr.numIt = 30;
    await lr.run({ data: '/d' });
    expect(calls[0]).toEqual({
      channel: 'lrFind.run',
      payload: { config: { data: '/d' }, numIt: 30, progressTag: expect.any(String) },
    });
    expect(lr.chartData).toEqual([
      [1e-5, 1e-3, 1e-1],
      [2, 1, 3],
    ]);
    expect(lr.suggestions.map((s) => s.name)).toEqual(['valley', 'steep', 'minimum']);
  });
});
