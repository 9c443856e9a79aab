// The service's side of issue 16: the workspace kept per runs folder (and what a damaged or
// foreign one does), a run's history for rebuilding its charts, and run rows with their config.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/engine/index.js';
import { JobManager } from '../../src-main/jobs/index.js';
import { createHandlers, dispatch, WORKSPACE_FILE, type Handlers } from '../../src-main/service/index.js';
import { tempDir } from '../cli/helpers.js';

let cwd: string;
let handlers: Handlers;
const jobs = new JobManager();

beforeAll(() => {
  cwd = tempDir('anneal-service-');
  handlers = createHandlers({ mode: 'serve', version: 'test', cwd, jobs });
});
afterAll(() => jobs.dispose());

describe('workspace.get / workspace.set', () => {
  it('is empty at first, then what was saved, in <runs>/.anneal-workspace.json', async () => {
    expect(await handlers['workspace.get']({})).toEqual({});
    const workspace = {
      screen: 'train',
      dataPath: 'photos',
      imageSize: null,
      schedule: { mode: 'fineTune' as const, epochs: 3 },
    };
    const r = await handlers['workspace.set']({ workspace });
    expect(r.saved).toBe(join(cwd, 'runs', WORKSPACE_FILE));
    expect(JSON.parse(readFileSync(r.saved, 'utf8'))).toEqual(workspace);
    expect(await handlers['workspace.get']({})).toEqual(workspace);
  });

  it('refuses a workspace of the wrong shape with one line naming the field', async () => {
    const out = await dispatch(handlers, 'workspace.set', { workspace: { seed: -1 } });
    expect(out).toMatchObject({ ok: false, kind: 'usage' });
    expect((out as { error: string }).error).toMatch(/^workspace\.set: workspace\.seed: /);
  });

  it('reads a damaged file as no workspace, not as an error', async () => {
    writeFileSync(join(cwd, 'runs', WORKSPACE_FILE), '{"screen": ');
    expect(await handlers['workspace.get']({})).toEqual({});
  });
});

describe('runs.list and runs.history', () => {
  it('lists runs with their config (the workspace file is not a run) and returns every step', async () => {
    const data = join(cwd, 'photos');
    mkdirSync(data, { recursive: true });
    const store = RunStore.create(join(cwd, 'runs'), {
      arch: 'resnet_micro',
      config: { recipe: { type: 'fineTune', epochs: 1 }, batchSize: 8 },
      seed: 0,
      versions: { anneal: 't', node: 't', tfjs: 't', backend: 'cpu' },
      backend: { name: 'cpu', device: null },
      dataset: { root: data, manifestHash: '0'.repeat(64), classes: ['a', 'b'], train: 4, val: 2 },
    });
    store.appendEvent('start', {});
    for (let s = 0; s < 3; s++)
      store.appendStep({ step: s, epoch: 0, stage: 0, lr: [1e-3], loss: 1, stepLoss: 1 - s / 10 });
    store.appendEpoch({
      epoch: 0,
      stage: 0,
      loss: 0.9,
      accuracy: 0.5,
      val_loss: 0.8,
      val_accuracy: 0.5,
      lr: [1e-3],
      seconds: 1,
    });
    store.appendEvent('done', {});
    const rows = await handlers['runs.list']({});
    expect(rows.map((r) => r.id)).toEqual([store.id]);
    expect(rows[0]!.config).toEqual({ recipe: { type: 'fineTune', epochs: 1 }, batchSize: 8 });
    const h = await handlers['runs.history']({ runDir: store.dir });
    expect(h.steps.map((s) => s.stepLoss)).toEqual([1, 0.9, 0.8]);
    expect(h.epochs).toHaveLength(1);
    expect(h.summary.status).toBe('done');
  });

  it('refuses to resume a folder that is not a run, in one line', async () => {
    const out = await dispatch(handlers, 'runs.resume', { runDir: 'photos' });
    expect(out).toMatchObject({ ok: false, kind: 'usage' });
    expect((out as { error: string }).error).toMatch(/not an Anneal run folder/);
  });
});
