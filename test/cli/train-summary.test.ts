// `anneal train` ends with its headline for people (rounded numbers with their epochs, the wall
// time) and the commands to evaluate, export and predict with this very run; --json stays exact.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/index.js';
import { anneal, readJsonl, tempDir } from './helpers.js';

let data: string;
let root: string;

beforeAll(async () => {
  root = tempDir('anneal-summary-');
  data = join(root, 'shapes');
  await makeShapes(data, 8);
}, 120_000);

describe('the end of anneal train', () => {
  it('says how the run went, rounded, and what to run next for it', () => {
    const r = anneal(
      ['train', '--data', data, '--epochs', '1', '--freeze-epochs', '0', '--image-size', '32', '--out', 'runs'],
      root,
    );
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const text = r.stdout;
    const run = /^run (\S+): 1 epoch on \w+ in [\d.]+s$/m.exec(text);
    expect(run, text).not.toBeNull();
    const line = /final \(epoch 1\): val_accuracy (\S+) {2}val_loss (\S+)/.exec(text)!;
    expect(line, text).not.toBeNull();
    // Rounded for people: at most 3 decimals.
    for (const v of [line[1]!, line[2]!]) expect(v).toMatch(/^\d+(\.\d{1,3})?$/);
    const epochs = readJsonl<{ type: string; val_loss?: number }>(join(root, run![1]!, 'metrics.jsonl')).filter(
      (l) => l.type === 'epoch',
    );
    expect(Number(line[2])).toBeCloseTo(epochs[0]!.val_loss!, 3);
    expect(text).toMatch(/best {2}\(epoch 1\): val_accuracy/);
    expect(text).toContain(`anneal eval ${run![1]}`);
    expect(text).toContain(`anneal export ${run![1]} --format onnx`);
    expect(text).toContain(`anneal predict --model ${run![1]}/model`);
  });
});
