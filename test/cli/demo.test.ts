// `anneal demo` runs offline from a fresh checkout: two runs, and their comparison.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anneal, tempDir } from './helpers.js';

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
      expect(result[k].val_accuracy).toBeGreaterThanOrEqual(0);
      expect(existsSync(join(result[k].runDir, 'model', 'anneal.json'))).toBe(true);
    }
  }, 900_000);
});
