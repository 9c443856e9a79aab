// Every schedule against values produced outside this project: real torch.optim.lr_scheduler
// classes (torch 1.13), and transliterations of Keras's and fastai's published source, written by
// test/golden/generate_schedules.py (each case's "reference" names the class or function).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScheduleFile, previewSchedule } from '../../../src-main/engine/index.js';

interface GoldenCase {
  name: string;
  source: 'torch' | 'keras' | 'fastai';
  reference: string;
  config: unknown;
  groups: number;
  stepsPerEpoch: number;
  epochs: number;
  batchSize?: number;
  metrics?: number[];
  expected: { lr: number[][]; momentum: number[] | null };
}

const golden = JSON.parse(readFileSync(new URL('../../golden/schedules.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

/** The contract's tolerance: relative error <= 1e-9 (absolute near zero). */
function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-9 * Math.max(Math.abs(expected), 1e-12);
}

describe.each(['torch', 'keras', 'fastai'] as const)('golden values from %s', (source) => {
  const cases = golden.cases.filter((c) => c.source === source);
  it('has cases', () => expect(cases.length).toBeGreaterThan(4));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const preview = previewSchedule(parseScheduleFile(c.config), {
      epochs: c.epochs,
      stepsPerEpoch: c.stepsPerEpoch,
      groups: c.groups,
      batchSize: c.batchSize,
      metrics: c.metrics,
    });
    expect(preview.lr).toHaveLength(c.epochs * c.stepsPerEpoch);
    const bad: string[] = [];
    preview.lr.forEach((row, step) =>
      row.forEach((v, g) => {
        if (!close(v, c.expected.lr[step]![g]!))
          bad.push(`step ${step} group ${g}: ${v} != ${c.expected.lr[step]![g]}`);
      }),
    );
    if (c.expected.momentum === null) {
      expect(preview.momentum).toBeNull();
    } else {
      preview.momentum!.forEach((m, step) => {
        if (m === null || !close(m, c.expected.momentum![step]!)) {
          bad.push(`momentum step ${step}: ${m} != ${c.expected.momentum![step]}`);
        }
      });
    }
    expect(bad.slice(0, 5), c.reference).toEqual([]);
  });
});
