// `anneal demo` runs offline from a fresh checkout: two runs, and their comparison.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anneal, readJsonl, tempDir } from './helpers.js';

describe('anneal demo', () => {
  it('fine-tunes the bundled pretrained resnet_micro, trains it from scratch, and compares', () => {
    const out = tempDir('anneal-demo-');
    // Small, to keep CI quick: the full demo (the default arguments) is the README's main command.
    const r = anneal(['demo', '--out', out, '--images', '12', '--epochs', '1', '--json'], undefined, 900_000);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<
      'pretrained' | 'scratch',
      { val_accuracy: number; runDir: string; seconds: number }
    >;
    for (const k of ['pretrained', 'scratch'] as const) {
      const run = result[k].runDir;
      expect(existsSync(join(run, 'model', 'anneal.json'))).toBe(true);
      // The accuracy is a count of the run's validation images, and the last epoch's.
      const val = (JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as { dataset: { val: number } }).dataset.val;
      expect(val).toBeGreaterThan(0);
      expect(Number.isInteger(Math.round(result[k].val_accuracy * val * 1e6) / 1e6)).toBe(true);
      expect(result[k].val_accuracy).toBeLessThanOrEqual(1);
      const epochs = readJsonl<{ type: string; val_accuracy: number }>(join(run, 'metrics.jsonl')).filter(
        (r) => r.type === 'epoch',
      );
      // One frozen epoch then one with every layer; from scratch, as many epochs in one stage.
      expect(epochs).toHaveLength(2);
      expect(epochs.at(-1)!.val_accuracy).toBe(result[k].val_accuracy);
    }
    const start = (run: string) =>
      readJsonl<{ type: string; weights?: string }>(join(run, 'events.jsonl')).find((e) => e.type === 'start')!;
    expect(start(result.pretrained.runDir).weights).toMatch(/^pretrained/);
    expect(start(result.scratch.runDir).weights).toMatch(/^random initialisation/);
  }, 900_000);
});
