// Progressive resizing on the screens: the Schedule screen's "image size per stage" field (written
// into the config as stages[].imageSize), its preview's size markers, the Train screen's "What will
// run" sizes, and the live and restored training charts' markers where the size changes, the Runs table's sizes.
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { RunHistory } from '../../src-main/contract/index.js';
import {
  AppState,
  imageSizeOf,
  RunDetailState,
  ScheduleEditor,
  sizesInWords,
  stagesOf,
  TrainSession,
} from '../../src-renderer/lib/state/index.js';
import { fakeClient, fakeJob, fakeStep } from './fake-client.js';

/** Chart markers at x labelled with an image size: marks([0, 32], [10, 48]). */
const marks = (...at: [number, number][]) => at.map(([x, size]) => ({ x, label: `${size} px` }));

describe('the Schedule screen’s image size per stage', () => {
  it('writes the fine_tune recipe out as its stages with their sizes, and marks the preview where the size changes', () => {
    const app = new AppState();
    app.dataPath = '/d';
    app.schedule.stepsPerEpoch = 10;
    app.form.epochs = 2;
    app.form.freezeEpochs = 1;
    app.form.stageSizes = '32, 48';
    app.form.apply();
    flushSync();
    const config = JSON.parse(app.schedule.text) as { stages: { name: string; imageSize: number }[] };
    expect(config.stages.map((s) => [s.name, s.imageSize])).toEqual([
      ['frozen', 32],
      ['unfrozen', 48],
    ]);
    expect(app.schedule.error).toBeNull();
    expect(app.schedule.sizeMarkers()).toEqual(marks([0, 32], [10, 48]));
    const run = app.runConfig;
    expect(run.error).toBeNull();
    expect((run.config!.stages as { imageSize: number }[]).map((s) => s.imageSize)).toEqual([32, 48]);
    expect(app.toWorkspace().schedule?.stageSizes).toBe('32, 48');
  });

  it('names what is wrong and refuses to start with it; clearing the field goes back to the recipe', () => {
    const app = new AppState();
    app.dataPath = '/d';
    app.form.stageSizes = '32';
    app.form.apply();
    flushSync();
    expect(app.form.sizesError).toBe('gives 1 size for 2 stages: give one per stage');
    expect(app.runConfig.error).toMatch(/^the image sizes per stage are invalid: gives 1 size/);
    app.form.stageSizes = '32, big';
    expect(app.form.sizesError).toMatch(/size 2 \("big"\) is not a whole number/);
    app.form.stageSizes = '';
    app.form.apply();
    flushSync();
    expect(app.form.sizesError).toBeNull();
    expect(JSON.parse(app.schedule.text).recipe.type).toBe('fineTune');
    expect(app.schedule.sizeMarkers()).toEqual([]);
  });

  it('restores the field from a saved workspace', () => {
    const app = new AppState();
    app.applyWorkspace({ schedule: { mode: 'fineTune', stageSizes: '40,64' } });
    flushSync();
    expect(stagesOf(app.schedule.text)!.map((s) => s.imageSize)).toEqual([40, 64]);
  });

  it('marks a stage without a size with the run’s size, and shows nothing for one size', () => {
    const text = JSON.stringify({
      stages: [
        { epochs: 1, schedule: { type: 'constant', lr: 1e-3 } },
        { epochs: 2, schedule: { type: 'constant', lr: 1e-3 }, imageSize: 64 },
      ],
    });
    const editor = new ScheduleEditor({ text, stepsPerEpoch: 5, groups: 2, epochs: undefined });
    expect(editor.sizeMarkers()).toEqual([
      { x: 0, label: "run's size" },
      { x: 5, label: '64 px' },
    ]);
    expect(editor.sizeMarkers(32)).toEqual(marks([0, 32], [5, 64]));
    expect(editor.sizeMarkers(64)).toEqual([]);
  });
});

describe('What will run', () => {
  it('lists the size of each stage and the size the model is saved at', () => {
    const stages = stagesOf(
      JSON.stringify({
        stages: [
          { name: 'frozen', epochs: 1, freeze: 'backbone', schedule: { type: 'constant', lr: 1e-3 }, imageSize: 32 },
          { name: 'unfrozen', epochs: 2, schedule: { type: 'constant', lr: 1e-3 } },
        ],
      }),
    );
    expect(stages!.map((s) => s.imageSize)).toEqual([32, null]);
    expect(sizesInWords(stages, 48)).toBe(
      '32 px (“frozen”), then 48 px (“unfrozen”): progressive resizing; the model is saved at 48 px',
    );
    expect(sizesInWords(stagesOf(JSON.stringify({ recipe: { type: 'fineTune', epochs: 1 } })), 48)).toBeNull();
  });
});

describe('the training charts', () => {
  it('mark where the image size changes, live and after a reload', async () => {
    const { client, emit } = fakeClient((channel) => (channel === 'train.start' ? fakeJob('starting') : null));
    const t = new TrainSession(client);
    await t.start({ data: '/d' });
    emit('job.update', fakeJob('running', { runDir: '/runs/r1' }));
    emit('job.progress', { jobId: 'j1', progress: fakeStep(0, { imageSize: 32 }) });
    emit('job.progress', { jobId: 'j1', progress: fakeStep(5, { imageSize: 32 }) });
    // One size so far: nothing to mark.
    expect(t.stepSizeMarkers).toEqual([]);
    emit('job.progress', { jobId: 'j1', progress: fakeStep(10, { imageSize: 48 }) });
    emit('job.progress', { jobId: 'j1', progress: fakeStep(12, { imageSize: 48 }) });
    expect(t.stepSizeMarkers).toEqual(marks([0, 32], [10, 48]));
    expect(t.epochSizeMarkers).toEqual(marks([1, 32], [2, 48]));
    t.dispose();

    const epoch = (e: number, imageSize: number) => ({
      type: 'epoch' as const,
      epoch: e,
      stage: e,
      loss: 1,
      accuracy: 0.5,
      val_loss: 1,
      val_accuracy: 0.5,
      lr: [1e-3],
      seconds: 1,
      imageSize,
    });
    const history = {
      meta: { config: {} },
      stages: [],
      events: [],
      epochs: [epoch(0, 32), epoch(1, 48), epoch(2, 48)],
      steps: Array.from({ length: 9 }, (_, s) => ({
        type: 'step' as const,
        step: s,
        epoch: Math.floor(s / 3),
        stage: 0,
        lr: [1e-3],
        loss: 1,
      })),
    } as unknown as RunHistory;
    const restored = fakeClient((channel) =>
      channel === 'jobs.list' ? [] : channel === 'runs.history' ? history : { summary: null },
    );
    const r = new TrainSession(restored.client);
    await r.restore('/runs/r1');
    expect(r.stepSizeMarkers).toEqual(marks([0, 32], [3, 48]));
    expect(r.epochSizeMarkers.map((m) => m.x)).toEqual([1, 2]);
    r.dispose();
  });
});

describe('a run’s detail page', () => {
  it('marks the image-size events on its curves', async () => {
    const history = {
      meta: { config: {} },
      stages: [],
      epochs: [],
      steps: [],
      events: [
        { time: 't', type: 'image-size', stage: 0, epoch: 0, step: 0, size: 32, from: null },
        { time: 't', type: 'image-size', stage: 1, epoch: 1, step: 12, size: 48, from: 32 },
      ],
    } as unknown as RunHistory;
    const { client } = fakeClient(() => history);
    const d = new RunDetailState(client);
    await d.open('/runs/r1');
    expect(d.stepMarkers).toEqual(marks([0, 32], [12, 48]));
    expect(d.epochMarkers).toEqual(marks([1, 32], [2, 48]));
  });
});

describe('the Runs table’s image size column', () => {
  it('gives each stage’s size with progressive resizing, else the run’s', () => {
    const stage = (imageSize?: number) => ({ epochs: 1, schedule: {}, ...(imageSize ? { imageSize } : {}) });
    expect(imageSizeOf({ stages: [stage(32), stage(48)] })).toBe('32 → 48');
    expect(imageSizeOf({ imageSize: 64, stages: [stage(32), stage()] })).toBe('32 → 64');
    expect(imageSizeOf({ stages: [stage(32), stage()] })).toBe("32 → model's");
    expect(imageSizeOf({ imageSize: 64, recipe: {} })).toBe(64);
    expect(imageSizeOf({ recipe: {} })).toBeNull();
  });
});
