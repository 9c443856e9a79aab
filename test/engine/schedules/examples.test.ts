// The example configs in docs/examples stay valid: schedule configs preview without error, sweep
// configs (sweep-*.json, docs/sweeps.md) parse as sweeps.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScheduleFile, parseSweepConfig, previewSchedule } from '../../../src-main/engine/index.js';

const dir = new URL('../../../docs/examples/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const sweeps = files.filter((f) => f.startsWith('sweep-'));
const schedules = files.filter((f) => !sweeps.includes(f));
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));

describe('docs/examples', () => {
  it('exist', () => {
    expect(schedules.length).toBeGreaterThanOrEqual(5);
    expect(sweeps.length).toBeGreaterThanOrEqual(1);
  });
  it.each(schedules)('%s previews', (file) => {
    const plan = parseScheduleFile(read(file));
    const p = previewSchedule(plan, { epochs: 12, stepsPerEpoch: 20, groups: 4, metrics: [3, 2, 2, 2, 2, 2] });
    expect(p.lr).toHaveLength(240);
    expect(p.lr.flat().every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
  it.each(sweeps)('%s is a sweep config', (file) => {
    const config = parseSweepConfig(read(file));
    expect(Object.keys(config.parameters).length).toBeGreaterThan(0);
  });
});
