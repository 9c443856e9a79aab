// The CLI's words for a run whose last epoch a stop cut short: `anneal train`'s headline, its
// --json summary, `anneal runs list` and `anneal runs show` say how far the epoch got, from a run
// folder written through the run store as a stopped run leaves it.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runHeadline } from '../../src-main/cli/commands/train.js';
import { formatRunDetail, formatRunList } from '../../src-main/cli/format/index.js';
import { describeRun } from '../../src-main/engine/evaluate/index.js';
import { listRuns, RunStore } from '../../src-main/engine/runs/index.js';
import type { RunResult } from '../../src-main/engine/train/index.js';
import { annealIn, tempDir } from './helpers.js';

let root: string;
let store: RunStore;
const meta = () => ({
  arch: 'resnet_micro',
  config: { model: 'resnet_micro', recipe: { type: 'fineTune', epochs: 2, freezeEpochs: 1 } },
  seed: 0,
  versions: { anneal: '0.1.0', node: process.version, tfjs: '4.22.0', backend: 'cpu' },
  backend: { name: 'cpu', device: null },
  dataset: { root: '/data/shapes', manifestHash: 'a'.repeat(64), classes: ['a', 'b'], train: 80, val: 20 },
});

beforeAll(() => {
  root = tempDir('anneal-partial-');
  store = RunStore.create(join(root, 'runs'), meta());
  store.appendEvent('start');
  const epoch = (e: number, val_accuracy: number, cut = {}) =>
    store.appendEpoch({
      epoch: e,
      stage: e,
      loss: 0.5,
      accuracy: 0.8,
      val_loss: 0.4,
      val_accuracy,
      lr: [1e-3],
      seconds: 2,
      ...cut,
    });
  epoch(0, 0.75);
  epoch(1, 0.9, { partial: true, epochStep: 4, stepsPerEpoch: 10 });
  store.appendEvent('stop', { reason: 'stopped from the app', epochs: 2 });
});

const result = (): RunResult =>
  ({
    runDir: store.dir,
    epochs: 2,
    final: { val_accuracy: 0.9, val_loss: 0.4, accuracy: 0.8, loss: 0.5, partial: { epochStep: 4, stepsPerEpoch: 10 } },
    best: { metric: 'val_loss', value: 0.4, epoch: 0 },
    skipped: [],
    stopped: 'stopped from the app',
    stopKind: 'requested',
    backend: { name: 'cpu', device: null },
    duplicates: { groups: 0, images: 0, labelConflicts: 0 },
  }) as unknown as RunResult;

describe('a run stopped mid-epoch, in the CLI', () => {
  it('anneal train’s headline labels the final numbers with where the stop came', () => {
    const text = runHeadline(result(), 3);
    expect(text).toMatch(
      /^ {2}final \(stopped at epoch 2, step 4\/10 \(partial epoch\)\): val_accuracy 0\.9 {2}val_loss 0\.4$/m,
    );
    expect(text).toMatch(/^ {2}best {2}\(epoch \d\)/m);
    expect(text).toMatch(/^run \S+: 2 epochs \(the last one partial\) on cpu/m);
    expect(text).toMatch(/^next:\n {2}anneal resume \S+\n {2}anneal eval/m);
  });

  it('runs list marks the epochs, runs show the epoch row and a final line', async () => {
    const list = formatRunList(listRuns(join(root, 'runs')));
    expect(list).toMatch(/stopped +2 \(partial\)/);
    expect(list).toContain('(partial): a stop cut the last epoch short');
    const detail = formatRunDetail(describeRun(store.dir));
    expect(detail).toMatch(/^final +epoch 1, step 4\/10 \(partial epoch\): a stop cut it short$/m);
    expect(detail).toMatch(/^ *1 \(partial, step 4\/10\) +unfrozen/m);
    // --json: exact, with the cut as data.
    const r = await annealIn(['runs', 'list', '--out', join(root, 'runs'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const [run] = JSON.parse(r.stdout) as { final: { partial?: unknown } }[];
    expect(run!.final.partial).toEqual({ epochStep: 4, stepsPerEpoch: 10 });
  });

  it('a run whose last epoch is whole says nothing of the kind', () => {
    const other = RunStore.create(join(root, 'whole'), meta());
    other.appendEpoch({
      epoch: 0,
      stage: 0,
      loss: 0.5,
      accuracy: 0.8,
      val_loss: 0.4,
      val_accuracy: 0.8,
      lr: [1e-3],
      seconds: 2,
    });
    const list = formatRunList(listRuns(join(root, 'whole')));
    expect(list).not.toContain('partial');
  });
});
