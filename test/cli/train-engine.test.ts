// `anneal train` on a CPU backend computes its training steps in onnxruntime (engine/ort-train):
// a whole run on the demo data through it, recorded in run.json and the start event; TF.js with
// ANNEAL_TRAIN_ENGINE=tfjs; any other value refused in one line, exit 2, no run folder left.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/index.js';
import { annealIn, readJsonl, tempDir } from './helpers.js';

let data: string;
let root: string;

beforeAll(async () => {
  root = tempDir('anneal-engine-');
  data = join(root, 'shapes');
  await makeShapes(data, 8);
}, 120_000);

afterEach(() => {
  delete process.env.ANNEAL_TRAIN_ENGINE;
});

const train = (out: string) =>
  annealIn(
    ['train', '--data', data, '--epochs', '2', '--freeze-epochs', '0', '--image-size', '32', '--out', out, '--json'],
    root,
  );

function runOf(out: string): { meta: Record<string, unknown>; dir: string } {
  const [id] = readdirSync(join(root, out));
  const dir = join(root, out, id!);
  return { meta: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>, dir };
}

describe('the training-step engine of anneal train', () => {
  it('is onnxruntime beside a CPU backend: a whole run learns through it, and run.json says so', async () => {
    const r = await train('runs-ort');
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const { meta, dir } = runOf('runs-ort');
    expect(meta.trainEngine).toMatchObject({ engine: 'onnxruntime', runtime: expect.stringMatching(/^onnxruntime /) });
    const start = readJsonl<{ type: string; trainEngine?: string }>(join(dir, 'events.jsonl')).find(
      (e) => e.type === 'start',
    );
    expect(start?.trainEngine).toMatch(/^onnxruntime .*\(cpu, \d+ threads?\)$/);
    const epochs = readJsonl<{ type: string; loss: number }>(join(dir, 'metrics.jsonl')).filter(
      (l) => l.type === 'epoch',
    );
    expect(epochs).toHaveLength(2);
    for (const e of epochs) expect(Number.isFinite(e.loss)).toBe(true);
    // Training through the graph's gradients lowers the training loss.
    expect(epochs[1]!.loss).toBeLessThan(epochs[0]!.loss);
  }, 300_000);

  it('stays on TF.js with ANNEAL_TRAIN_ENGINE=tfjs', async () => {
    process.env.ANNEAL_TRAIN_ENGINE = 'tfjs';
    const r = await train('runs-tfjs');
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(runOf('runs-tfjs').meta.trainEngine).toMatchObject({ engine: 'tfjs', why: 'ANNEAL_TRAIN_ENGINE=tfjs' });
  }, 300_000);

  it('refuses another ANNEAL_TRAIN_ENGINE in one line, exit 2, leaving no run', async () => {
    process.env.ANNEAL_TRAIN_ENGINE = 'fast';
    const r = await train('runs-bad');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('anneal: ANNEAL_TRAIN_ENGINE: must be one of auto, tfjs, onnxruntime (got "fast")');
    expect(existsSync(join(root, 'runs-bad')) && readdirSync(join(root, 'runs-bad')).length).toBeFalsy();
  }, 120_000);
});
