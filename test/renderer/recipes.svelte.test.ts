// The Train screen's regularisation recipes (RecipeForm): the run config's fields from the form,
// refused by field name, in words, kept in the workspace, sent to the augmentation preview; and
// the EMA's validation as a third line on the Train screen's epoch charts.
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { AppState, DatasetState, RecipeForm, TrainSession } from '../../src-renderer/lib/state/index.js';
import { fakeClient, fakeJob, fakeStep } from './fake-client.js';

describe('RecipeForm', () => {
  it('is off by default: the run config gets the engine defaults, "none" in words', () => {
    const f = new RecipeForm();
    expect(f.config).toEqual({
      labelSmoothing: 0,
      mixup: false,
      cutmix: false,
      mixProb: 1,
      switchProb: 0.5,
      ema: false,
    });
    expect(f.error).toBeNull();
    expect(f.summary).toBe('none');
    expect(f.mix).toBeUndefined();
  });

  it('turns the fields on, says them as the model card does, and gives the preview its mixing', () => {
    const f = new RecipeForm();
    f.labelSmoothing = 0.1;
    f.mixup = true;
    f.cutmix = true;
    f.switchProb = 0.3;
    f.ema = true;
    f.emaDecay = 0.99;
    expect(f.config).toMatchObject({
      labelSmoothing: 0.1,
      mixup: { alpha: 0.4 },
      cutmix: { alpha: 1 },
      ema: { decay: 0.99, warmup: true },
    });
    expect(f.summary).toBe(
      'label smoothing ε 0.1; MixUp α 0.4; CutMix α 1; batches mixed with probability 1, CutMix for 0.3 of them; ' +
        'EMA of the weights, decay 0.99 (with warmup)',
    );
    expect(f.mix).toEqual({ mixup: { alpha: 0.4 }, cutmix: { alpha: 1 }, mixProb: 1, switchProb: 0.3 });
  });

  it('refuses bad values naming the field, and the app builds no run config then', () => {
    const app = new AppState();
    app.dataPath = '/d';
    app.recipes.mixup = true;
    app.recipes.mixupAlpha = -0.2;
    flushSync();
    expect(app.recipes.error).toBe('mixup.alpha: must be > 0 (false turns it off)');
    expect(app.recipes.mix).toBeUndefined();
    expect(app.runConfig).toEqual({
      config: null,
      error: 'regularisation: mixup.alpha: must be > 0 (false turns it off)',
    });
    app.recipes.mixupAlpha = 0.2;
    app.recipes.ema = true;
    app.recipes.emaDecay = 1;
    expect(app.recipes.error).toBe('ema.decay: must be < 1');
    app.recipes.emaDecay = 0.999;
    app.recipes.labelSmoothing = 1;
    expect(app.recipes.error).toBe('labelSmoothing: must be < 1');
    app.recipes.labelSmoothing = 0.1;
    app.recipes.mixProb = 1.5;
    expect(app.recipes.error).toBe('mixProb: must be between 0 and 1');
    app.recipes.mixProb = 1;
    expect(app.runConfig.config).toMatchObject({ labelSmoothing: 0.1, mixup: { alpha: 0.2 }, ema: { decay: 0.999 } });
  });

  it('is kept in the workspace and restored from it', () => {
    const a = new AppState();
    a.recipes.cutmix = true;
    a.recipes.cutmixAlpha = 0.8;
    a.recipes.ema = true;
    a.recipes.emaWarmup = false;
    const saved = JSON.parse(JSON.stringify(a.toWorkspace()));
    const b = new AppState();
    b.applyWorkspace(saved);
    expect(b.recipes.config).toEqual(a.recipes.config);
  });
});

describe('the preview and the charts', () => {
  it('the augmentation preview asks for the mixed rows', async () => {
    const { client, calls } = fakeClient(() => ({ src: 'data:', rows: 4, skipped: 0 }));
    const d = new DatasetState(client);
    const mix = { mixup: { alpha: 0.4 }, cutmix: false as const, mixProb: 1, switchProb: 0.5 };
    await d.previewAugment('/d', false, 1, 'white', mix);
    expect(calls.at(-1)!.payload).toMatchObject({ path: '/d', seed: 1, mix });
    await d.previewAugment('/d', false, 1);
    expect(calls.at(-1)!.payload).not.toHaveProperty('mix');
  });

  it('the EMA validation is a third line on the epoch charts, only when the run has it', async () => {
    const { client, emit } = fakeClient((channel) => (channel === 'train.start' ? fakeJob('queued') : {}));
    const t = new TrainSession(client);
    await t.start({ data: '/d' });
    const epoch = (e: number, logs: Record<string, number>) => ({
      jobId: 'j1',
      progress: { ...fakeStep(e * 10 + 9), kind: 'epoch', epochLogs: { seconds: 10, ...logs } },
    });
    emit('job.progress', epoch(0, { loss: 0.5, accuracy: 0.7, val_loss: 0.6, val_accuracy: 0.65 }));
    expect(t.hasEma).toBe(false);
    expect(t.accuracyChart).toEqual([[1], [0.7], [0.65]]);
    const logs = {
      loss: 0.4,
      accuracy: 0.75,
      val_loss: 0.5,
      val_accuracy: 0.7,
      ema_val_accuracy: 0.8,
      ema_val_loss: 0.4,
    };
    emit('job.progress', epoch(1, logs));
    expect(t.hasEma).toBe(true);
    expect(t.accuracyChart).toEqual([
      [1, 2],
      [0.7, 0.75],
      [0.65, 0.7],
      [null, 0.8],
    ]);
    expect(t.epochLossChart).toEqual([
      [1, 2],
      [0.5, 0.4],
      [0.6, 0.5],
      [null, 0.4],
    ]);
    expect(t.lastEma).toEqual({ accuracy: 0.8, loss: 0.4 });
    t.dispose();
  });
});
