// The state behind the lab user's day (issue 16): progress on every wait, the LR finder's curve
// live and readable, the Train screen rebuilt from a run's store after a reload and its headline,
// the workspace kept per runs folder, runs told apart and compared, evaluation's cells and
// baseline, folder prediction, and what a run will do before it starts.
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { JobInfo, RunHistory, Workspace } from '../../src-main/contract/index.js';
import type { Progress } from '../../src-main/engine/train/index.js';
import { smoothLosses } from '../../src-main/engine/train/index.js';
import {
  AppState,
  augmentOf,
  clipDivergentTail,
  configDiff,
  DatasetState,
  EvalState,
  LrFindState,
  PredictState,
  ProgressMeter,
  rateOf,
  recipeOf,
  RunDetailState,
  RunsTable,
  stagesOf,
  stepsPlan,
  TrainSession,
  trainImages,
  WorkspaceSync,
} from '../../src-renderer/lib/state/index.js';
import { fakeClient, fakeJob, fakeStep } from './fake-client.js';

const job = (state: JobInfo['state'], over: Partial<JobInfo> = {}): JobInfo =>
  fakeJob(state, { runDir: '/runs/r1', backend: 'cpu', ...over });

const step = (s: number, over: Partial<Progress> = {}): Progress =>
  fakeStep(s, { loss: 1, stepLoss: 1 / (s + 1), ...over });

const summary = {
  id: 'r1',
  dir: '/runs/r1',
  created: '2026',
  arch: 'resnet_micro',
  epochs: 2,
  best: { epoch: 0, val_accuracy: 0.9, val_loss: 0.3 },
  final: { epoch: 1, loss: 0.2, accuracy: 0.95, val_loss: 0.35, val_accuracy: 0.88 },
  seconds: 12,
  status: 'done' as const,
};

const history = (steps: number, over: Partial<RunHistory> = {}): RunHistory =>
  ({
    meta: { config: { recipe: { type: 'fineTune', epochs: 1 } } },
    summary,
    stages: ['frozen', 'unfrozen'],
    epochs: [
      {
        type: 'epoch',
        epoch: 0,
        stage: 0,
        loss: 0.5,
        accuracy: 0.8,
        val_loss: 0.3,
        val_accuracy: 0.9,
        lr: [0, 1e-3],
        seconds: 6,
      },
    ],
    events: [
      { time: '2026-01-01T00:00:01Z', type: 'pause', step: 3, epoch: 0 },
      { time: '2026-01-01T00:00:02Z', type: 'lr-change', step: 5, epoch: 0, scaleTo: 0.5 },
      { time: '2026-01-01T00:00:03Z', type: 'checkpoint', epoch: 0 },
    ],
    steps: Array.from({ length: steps }, (_, s) => ({
      type: 'step',
      step: s,
      epoch: 0,
      stage: 0,
      lr: [1e-4, 1e-3],
      loss: 1,
      stepLoss: 2 - s / 10,
      momentum: 0.9,
      ...(s % 5 === 0 ? { updateRatio: [0, 1e-3] } : {}),
    })),
    ...over,
  }) as RunHistory;

describe('ProgressMeter', () => {
  it('follows only its own call’s events, with an ETA at the pace since the first report', () => {
    let now = 0;
    const { client, emit } = fakeClient(() => null);
    const m = new ProgressMeter(client, () => now);
    const tag = m.begin();
    expect(m.active).toBe(true);
    expect(m.label).toBeNull();
    now = 5000; // the call queued and loaded for 5 s: not part of the pace
    emit('task.progress', { tag, done: 10, total: 110, unit: 'images' });
    emit('task.progress', { tag: 'someone-else', done: 99, total: 100, unit: 'images' });
    now = 7000;
    emit('task.progress', { tag, done: 30, total: 110, unit: 'images' });
    expect(m.label).toBe('30 / 110 images');
    expect(m.fraction).toBeCloseTo(30 / 110, 12);
    expect(m.etaSeconds).toBeCloseTo(8, 9); // 20 images in 2 s; 80 left
    m.end();
    expect(m.active).toBe(false);
    expect(m.etaSeconds).toBeNull();
    m.dispose();
  });
});

describe('LrFindState: live, clipped, honest', () => {
  it('draws the points as they are measured, then the curve without its divergent tail', async () => {
    let finish!: (v: unknown) => void;
    const { client, calls, emit } = fakeClient(() => new Promise((r) => (finish = r)));
    const lr = new LrFindState(client);
    const running = lr.run({ data: '/d' });
    await Promise.resolve();
    const tag = (calls[0]!.payload as { progressTag: string }).progressTag;
    emit('task.progress', { tag, done: 1, total: 5, unit: 'steps', point: { x: 1e-6, y: 2 } });
    emit('task.progress', { tag, done: 2, total: 5, unit: 'steps', point: { x: 1e-5, y: 1.5 } });
    expect(lr.chartData).toEqual([
      [1e-6, 1e-5],
      [2, 1.5],
    ]);
    finish({
      lrs: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2],
      losses: [2, 1.5, 1, 2.5, 9],
      suggestions: { valley: 1e-5, steep: 1e-4, minimum: 1e-7 },
      diverged: true,
      backend: 'cpu',
    });
    await running;
    // Cut after the first point above the starting loss (2.5 > 2): 9 is not drawn.
    expect(lr.chartData).toEqual([
      [1e-6, 1e-5, 1e-4, 1e-3],
      [2, 1.5, 1, 2.5],
    ]);
    expect(lr.clipped).toBe(1);
    expect(lr.flat).toBe(false);
    // "minimum" (1e-7) is below the first rate measured: no button for it.
    expect(lr.suggestions.map((s) => s.name)).toEqual(['valley', 'steep']);
  });

  it('says a flat curve is flat instead of offering a valley', async () => {
    const { client } = fakeClient(() => ({
      lrs: [1e-6, 1e-5, 1e-4],
      losses: [1.0, 0.99, 0.98],
      suggestions: { valley: 1e-5, steep: 1e-5, minimum: 1e-5 },
      diverged: false,
      backend: 'cpu',
    }));
    const lr = new LrFindState(client);
    await lr.run({ data: '/d' });
    expect(lr.flat).toBe(true);
    expect(lr.suggestions).toEqual([]);
  });

  it('clipDivergentTail keeps short curves and curves that never come back up', () => {
    expect(clipDivergentTail([1, 2], [3, 4])).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(clipDivergentTail([1, 2, 3, 4], [3, 2, 1, 0.5])).toEqual([
      [1, 2, 3, 4],
      [3, 2, 1, 0.5],
    ]);
  });
});

describe('TrainSession: rebuilt from the store, with a headline', () => {
  it('plots each step’s own loss and the engine’s smoothed one; no ETA once stopped', async () => {
    let now = 0;
    const { client, emit } = fakeClient((channel) =>
      channel === 'train.start' ? job('starting', { runDir: null }) : { summary: { ...summary, status: 'stopped' } },
    );
    const t = new TrainSession(client, () => now);
    const runs: string[] = [];
    t.onRun = (d) => runs.push(d);
    await t.start({ data: '/d' });
    emit('job.update', job('running'));
    expect(runs).toEqual(['/runs/r1']);
    for (let s = 0; s < 3; s++) {
      now = (s + 1) * 1000;
      emit('job.progress', { jobId: 'j1', progress: step(s, { smoothLoss: 0.9 - s / 10 }) });
    }
    expect(t.lossChart).toEqual([
      [0, 1, 2],
      [1, 1 / 2, 1 / 3],
      [0.9, 0.8, 0.7],
    ]);
    expect(t.etaSeconds).not.toBeNull();
    emit('job.update', job('stopped'));
    expect(t.etaSeconds).toBeNull();
    await new Promise((r) => setTimeout(r, 0)); // the headline loads from the run's store
    expect(t.summary?.status).toBe('stopped');
    t.dispose();
  });

  it('after a reload: charts from runs.history, the running job followed, events not counted twice', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { client, emit } = fakeClient(async (channel) => {
      if (channel === 'jobs.list') return [job('running', { id: 'old', runDir: '/runs/other' }), job('running')];
      if (channel === 'runs.history') {
        await gate;
        return history(8);
      }
      return { summary };
    });
    const t = new TrainSession(client);
    const restoring = t.restore('/runs/r1');
    await new Promise((r) => setTimeout(r, 0));
    expect(t.job?.id).toBe('j1');
    // While the history loads, events arrive: one the history also has (step 7), one it lacks.
    emit('job.progress', { jobId: 'j1', progress: step(7) });
    emit('job.progress', { jobId: 'j1', progress: step(8) });
    release();
    await restoring;
    const [x, loss, smooth] = t.lossChart;
    expect(x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(loss!.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, s) => 2 - s / 10));
    expect(smooth!.slice(0, 8)).toEqual(smoothLosses(Array.from({ length: 8 }, (_, s) => 2 - s / 10)));
    expect(t.ratioChart).toEqual([
      [0, 5],
      [null, null],
      [1e-3, 1e-3],
    ]);
    expect(t.accuracyChart).toEqual([[1], [0.8], [0.9]]);
    expect(t.active).toBe(true);
    expect(t.summary).toBeNull(); // still running: no headline yet
    t.dispose();
  });

  it('a finished run restored without its job shows its headline', async () => {
    const { client } = fakeClient((channel) =>
      channel === 'jobs.list' ? [] : channel === 'runs.history' ? history(3) : { summary },
    );
    const t = new TrainSession(client);
    await t.restore('/runs/r1');
    expect(t.job).toBeNull();
    expect(t.runDir).toBe('/runs/r1');
    expect(t.state).toBe('done');
    expect(t.summary?.best?.val_accuracy).toBe(0.9);
    expect(t.fraction).toBe(1);
    t.dispose();
  });
});

describe('WorkspaceSync', () => {
  it('restores the screens, then saves changes once after a quiet moment', async () => {
    const saved: Workspace[] = [];
    const stored: Workspace = {
      screen: 'schedule',
      dataPath: '/data/shapes',
      imageSize: 48,
      batchSize: null,
      augment: { hflip: 0 },
      schedule: { mode: 'fineTune', epochs: 7, baseLr: 0.01 },
      runColumns: ['id', 'lr', 'val_acc', 'from-a-later-version'],
      dataset: { path: '/data/shapes', total: 120, classes: [{ name: 'a', count: 120 }], split: null },
      trainRun: null,
    };
    const { client } = fakeClient((channel, payload) => {
      if (channel === 'workspace.get') return stored;
      saved.push((payload as { workspace: Workspace }).workspace);
      return { saved: '/runs/.anneal-workspace.json' };
    });
    const app = new AppState();
    const runs = new RunsTable(client);
    const data = new DatasetState(client);
    const sync = new WorkspaceSync(client, app, runs, new TrainSession(client), data, 5);
    await sync.load();
    expect(app.screen).toBe('schedule');
    expect(app.dataPath).toBe('/data/shapes');
    expect(app.imageSize).toBe(48);
    expect(app.augment.hflip).toBe(0);
    expect(app.form.epochs).toBe(7);
    expect(app.schedule.text).toContain('"epochs": 7');
    expect(runs.columns).toEqual(['id', 'lr', 'val_acc']);
    expect(data.brief?.total).toBe(120);
    sync.schedule(sync.snapshot()); // unchanged: nothing to write
    app.seed = 3;
    sync.schedule(sync.snapshot());
    app.seed = 4;
    sync.schedule(sync.snapshot());
    expect(sync.pending).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(saved).toHaveLength(1);
    expect(saved[0]!.seed).toBe(4);
    expect(saved[0]!.dataset?.total).toBe(120);
    expect(sync.pending).toBe(false);
  });
});

describe('Runs: told apart, in detail', () => {
  const fineTune = { recipe: { type: 'fineTune', epochs: 3, freezeEpochs: 1, baseLr: 0.01 }, imageSize: 32 };
  const oneCycle = {
    stages: [{ name: 'fit', epochs: 4, schedule: { type: 'oneCycle', maxLr: { slice: [3e-6, 3e-3] } } }],
    augment: { randomResizedCrop: false, hflip: 0.5, vflip: false, rotate: false, colorJitter: { brightness: 0.2 } },
  };

  it('names the recipe, rate and augmentation of a config', () => {
    expect(recipeOf(fineTune)).toBe('fine_tune 1+3');
    expect(rateOf(fineTune)).toBe(0.01);
    expect(recipeOf(oneCycle)).toBe('fit: oneCycle');
    expect(rateOf(oneCycle)).toBe(3e-3);
    expect(augmentOf(oneCycle)).toBe('h-flip, jitter');
    expect(augmentOf({ augment: false })).toBe('off');
    expect(augmentOf({})).toBe('default');
  });

  it('lets the user choose columns (the run id always shows)', () => {
    const { client } = fakeClient(() => []);
    const r = new RunsTable(client);
    expect(r.columns).toContain('recipe');
    r.toggleColumn('recipe');
    r.toggleColumn('id');
    expect(r.columns).not.toContain('recipe');
    expect(r.visibleColumns[0]!.id).toBe('id');
    r.toggleColumn('recipe');
    // Back in its place in the table's order, not at the end.
    r.toggleColumn('arch');
    expect(r.columns.indexOf('recipe')).toBe(r.columns.indexOf('arch') + 1);
  });

  it('diffs two configs by setting, marks events on the curves, resumes a stopped run', async () => {
    expect(configDiff(fineTune, { ...fineTune, recipe: { ...fineTune.recipe, epochs: 1 }, seed: 2 })).toEqual([
      { key: 'recipe.epochs', a: '3', b: '1' },
      { key: 'seed', a: '–', b: '2' },
    ]);
    const { client, calls } = fakeClient((channel) =>
      channel === 'runs.resume' ? job('starting') : history(4, { summary: { ...summary, status: 'stopped' } }),
    );
    const d = new RunDetailState(client);
    await d.open('/runs/r1');
    expect(d.stepMarkers).toEqual([
      { x: 3, label: 'pause' },
      { x: 5, label: 'rate ×0.50' },
    ]);
    expect(d.epochMarkers).toEqual([
      { x: 1, label: 'pause' },
      { x: 1, label: 'rate ×' },
    ]);
    expect(d.lossChart[0]).toEqual([0, 1, 2, 3]);
    expect(d.resumable).toBe(true);
    expect((await d.resume())?.state).toBe('starting');
    expect(calls.at(-1)).toEqual({ channel: 'runs.resume', payload: { runDir: '/runs/r1' } });
  });
});

describe('EvalState', () => {
  const result = {
    classes: ['a', 'b', 'c'],
    count: 10,
    accuracy: 0.6,
    topK: { k: 3, accuracy: 1 },
    loss: 0.9,
    perClass: [],
    confusion: [
      [5, 1, 0],
      [2, 1, 0],
      [1, 1, 0],
    ],
    topLosses: [],
    thumbnails: {},
    skipped: [],
    images: [
      { path: '/d/a1.png', label: 0, predicted: 1, probs: [0.3, 0.6, 0.1] },
      { path: '/d/a2.png', label: 0, predicted: 0, probs: [0.9, 0.05, 0.05] },
      { path: '/d/b1.png', label: 1, predicted: 0, probs: [0.5, 0.4, 0.1] },
    ],
  };

  it('gives accuracy a scale, flags classes never predicted, opens a cell’s images', async () => {
    const { client, calls } = fakeClient((channel) =>
      channel === 'eval.run' ? result : { '/d/a1.png': 'data:image/png;base64,AA' },
    );
    const e = new EvalState(client);
    await e.run('/runs/r1');
    expect(calls[0]!.payload).toMatchObject({ target: '/runs/r1', perImage: true, progressTag: expect.any(String) });
    expect(e.baseline).toEqual({ accuracy: 0.6, className: 'a' }); // 6 of 10 are "a"
    expect(e.neverPredicted).toEqual(['c']);
    expect(e.showTopK).toBe(false); // k = 3 = classes
    await e.openCell(0, 1);
    expect(e.cellImages.map((i) => i.path)).toEqual(['/d/a1.png']);
    expect(calls.at(-1)).toEqual({ channel: 'media.thumbnails', payload: { paths: ['/d/a1.png'], size: 96 } });
    expect(e.cellThumbs.result).toEqual({ '/d/a1.png': 'data:image/png;base64,AA' });
  });
});

describe('PredictState', () => {
  it('sorts a folder’s predictions and offers the CSV', async () => {
    const csv = 'image,error\n/x/a.png,\n';
    const { client } = fakeClient(() => ({
      labels: ['cat', 'dog'],
      rows: [
        { image: '/x/b.png', top: [{ label: 'dog', prob: 0.6 }], probs: [0.4, 0.6] },
        { image: '/x/a.png', top: [{ label: 'cat', prob: 0.9 }], probs: [0.9, 0.1] },
      ],
      skipped: [{ path: '/x/notes.txt', reason: 'not an image' }],
      csv,
    }));
    const p = new PredictState(client);
    p.dir = ' /x ';
    await p.predictFolder('/runs/r1/model');
    expect(p.rows.map((r) => r.image)).toEqual(['/x/a.png', '/x/b.png']);
    p.sort('p1');
    expect(p.rows.map((r) => r.top[0]!.prob)).toEqual([0.9, 0.6]);
    p.sort('top1');
    expect(p.rows.map((r) => r.top[0]!.label)).toEqual(['cat', 'dog']);
    expect(decodeURIComponent(p.csvHref!.split(',').slice(1).join(','))).toBe(csv);
  });
});

describe('What will run', () => {
  it('lists the stages with their meaning, and steps per epoch from the data and batch size', () => {
    const app = new AppState();
    flushSync();
    const stages = stagesOf(app.schedule.text)!;
    expect(stages.map((s) => [s.name, s.epochs, s.frozen])).toEqual([
      ['frozen', 1, true],
      ['unfrozen', 3, false],
    ]);
    expect(stages[0]!.help).toMatch(/only the new head trains/);
    const images = trainImages({ total: 120, split: null }, 0.2);
    expect(images).toBe(96);
    expect(stepsPlan(images, undefined)).toEqual({ batch: 8, auto: true, stepsPerEpoch: 12 });
    expect(stepsPlan(images, 32)).toEqual({ batch: 32, auto: false, stepsPerEpoch: 3 });
    expect(trainImages({ total: 120, split: { train: 100, val: 20 } }, 0.2)).toBe(100);
    expect(stepsPlan(null, undefined)).toBeNull();
  });
});

describe('TrainSession: an event for a step already read from the store', () => {
  it('is not drawn twice (the history reply can overtake the progress event)', async () => {
    const { client, emit } = fakeClient((channel) =>
      channel === 'jobs.list' ? [job('running')] : channel === 'runs.history' ? history(4) : { summary },
    );
    const t = new TrainSession(client);
    await t.restore('/runs/r1');
    emit('job.progress', { jobId: 'j1', progress: step(3) }); // the store had it already
    emit('job.progress', { jobId: 'j1', progress: step(4) });
    expect(t.lossChart[0]).toEqual([0, 1, 2, 3, 4]);
    t.dispose();
  });
});
