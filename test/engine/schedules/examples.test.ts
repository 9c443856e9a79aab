// The example configs in docs/examples stay valid and preview without error.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScheduleFile, previewSchedule } from '../../../src-main/engine/index.js';

const dir = new URL('../../../docs/examples/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('docs/examples', () => {
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(5));
  it.each(files)('%s previews', (file) => {
    const plan = parseScheduleFile(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
    const p = previewSchedule(plan, { epochs: 12, stepsPerEpoch: 20, groups: 4, metrics: [3, 2, 2, 2, 2, 2] });
    expect(p.lr).toHaveLength(240);
    expect(p.lr.flat().every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
});
