// A run stopped in the middle of an epoch and resumed finishes that epoch: the resumed process
// trains on the batches of the same (seeded) order that the stop left, so across stop + resume
// every image of the epoch is seen once, in the order an uninterrupted run sees them, and the
// epoch's numbers are over all of it. (The weights are not compared with the uninterrupted run's:
// the head's dropout masks are not seeded, so two runs differ from their first step.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeShapes } from '../../../src-main/engine/demo/shapes.js';
import { DataLoader } from '../../../src-main/engine/data/pipeline/index.js';
import { resumePoint, resumeRun, startRun } from '../../../src-main/engine/train/index.js';
import { RunStore, summarizeRun } from '../../../src-main/engine/runs/index.js';
import { tempDir } from '../../cli/helpers.js';

let data: string;
const config = () => ({
  data,
  model: 'resnet_micro',
  imageSize: 16,
  batchSize: 4,
  seed: 3,
  // One frozen epoch, then one with every layer: the stop lands in the second.
  recipe: { type: 'fineTune', epochs: 1, freezeEpochs: 1, baseLr: 0.01 },
});

/**
 * The paths of each training batch, per epoch, as the loaders hand them out (in this process);
 * `onBatch` hears of each training batch (its epoch and how many of that epoch so far).
 */
function watchTrainingBatches(onBatch?: (epoch: number, batches: number) => void): Map<number, string[]> {
  const seen = new Map<number, string[]>();
  const counts = new Map<number, number>();
  const original = DataLoader.prototype.epoch;
  vi.spyOn(DataLoader.prototype, 'epoch').mockImplementation(async function* (
    this: DataLoader,
    epoch: number,
    from?: number,
  ) {
    for await (const b of original.call(this, epoch, from)) {
      // The training loader shuffles; validation keeps file order.
      if (this.o.shuffle) {
        seen.set(epoch, [...(seen.get(epoch) ?? []), ...b.paths]);
        counts.set(epoch, (counts.get(epoch) ?? 0) + 1);
        onBatch?.(epoch, counts.get(epoch)!);
      }
      yield b;
    }
  });
  return seen;
}

interface Line {
  type: string;
  step?: number;
  epoch: number;
  loss: number | null;
  stepLoss?: number;
  partial?: boolean;
  epochStep?: number;
  stepsPerEpoch?: number;
}
const metrics = (run: string): Line[] =>
  readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  data = join(tempDir('anneal-mid-epoch-'), 'shapes');
  await makeShapes(data, 10);
}, 120_000);
afterEach(() => vi.restoreAllMocks());

describe('resume after a stop in the middle of an epoch', () => {
  it('finishes the cut epoch: every image once, in the uninterrupted order; the epoch’s numbers over all of it', async () => {
    const whole = watchTrainingBatches();
    const reference = await startRun(config(), { out: tempDir('anneal-mid-ref-') });
    vi.restoreAllMocks();
    expect(reference.stopped).toBeNull();

    // The same run, stopped three steps into its second epoch.
    // Asked as the loader hands out the epoch's fourth batch, not from the progress events, which
    // are throttled (~8/s): a fast step engine would skip past step 3 between two of them.
    let stop: (() => void) | null = null;
    const before = watchTrainingBatches((epoch, batches) => {
      if (epoch === 1 && batches === 4) stop?.();
    });
    const out = tempDir('anneal-mid-cut-');
    const stopped = await startRun(config(), {
      out,
      onTrainer: (t) => (stop = () => t.requestStop('enough for now')),
    });
    vi.restoreAllMocks();
    expect(stopped.stopKind).toBe('requested');
    const cut = metrics(stopped.runDir).findLast((l) => l.type === 'epoch')!;
    // The precondition of everything below: the stop did cut the epoch.
    expect(cut).toMatchObject({ epoch: 1, partial: true });
    const steps = cut.stepsPerEpoch!;
    expect(cut.epochStep).toBeGreaterThanOrEqual(3);
    expect(cut.epochStep).toBeLessThan(steps);
    expect(summarizeRun(stopped.runDir).final?.partial).toEqual({ epochStep: cut.epochStep, stepsPerEpoch: steps });
    expect(stopped.final.partial).toEqual({ epochStep: cut.epochStep, stepsPerEpoch: steps });

    // The cut epoch's resume point carries the optimizer's slots (optimizer.bin, optim/…), as an
    // epoch-end one does: without them the resumed steps would start from empty moment buffers.
    const point = resumePoint((await RunStore.open(stopped.runDir).latestCheckpoint())!, [], steps);
    expect(point.within).toBeTruthy();
    expect(Object.keys(point.buffers ?? {}).some((k) => k.startsWith('optim/'))).toBe(true);

    const after = watchTrainingBatches();
    const resumed = await resumeRun(stopped.runDir, {});
    vi.restoreAllMocks();
    expect(resumed.stopped).toBeNull();
    expect(resumed.final.partial).toBeUndefined();

    // The resumed process starts in epoch 1, after the images the stopped one trained on.
    expect([...after.keys()]).toEqual([1]);
    const epoch1 = [...before.get(1)!, ...after.get(1)!];
    expect(epoch1).toEqual(whole.get(1));
    expect(new Set(epoch1).size).toBe(32); // the 32 training images, each once
    // Recorded as the trainer takes them (prefetched batches it never took are not): the stopped
    // process trained on exactly the steps its cut epoch record counts.
    expect(before.get(1)).toHaveLength(cut.epochStep! * 4);

    // Each epoch and each step recorded once; the cut epoch's record replaced by the whole one.
    const lines = metrics(stopped.runDir);
    const ref = metrics(reference.runDir);
    const epochs = lines.filter((l) => l.type === 'epoch');
    expect(epochs.map((l) => l.epoch)).toEqual([0, 1]);
    expect(epochs.some((l) => l.partial)).toBe(false);
    const stepIds = lines.filter((l) => l.type === 'step').map((l) => l.step);
    expect(stepIds).toEqual(ref.filter((l) => l.type === 'step').map((l) => l.step));
    // The whole epoch's training loss: its sums carried across the stop, so the mean over every
    // step of the epoch (batches of 4: 32 training images), not over the resumed steps alone.
    const own = lines.filter((l) => l.type === 'step' && l.epoch === 1).map((l) => l.stepLoss!);
    expect(own).toHaveLength(steps);
    expect(epochs[1]!.loss).toBeCloseTo(own.reduce((a, b) => a + b, 0) / own.length, 5);
  }, 600_000);
});
