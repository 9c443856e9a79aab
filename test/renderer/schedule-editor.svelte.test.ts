import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { ScheduleEditor } from '../../src-renderer/lib/state/index.js';

describe('ScheduleEditor', () => {
  it('previews the default one-cycle schedule over every group', () => {
    const editor = new ScheduleEditor({ epochs: 2, stepsPerEpoch: 5, groups: 4 });
    expect(editor.error).toBeNull();
    expect(editor.preview!.lr).toHaveLength(10);
    expect(editor.chartData).toHaveLength(1 + 4 + 1); // steps, 4 groups, momentum
  });

  it('recomputes when a field changes, and names the wrong field like the CLI', () => {
    const editor = new ScheduleEditor({ epochs: 1, stepsPerEpoch: 4, groups: 2 });
    editor.text = JSON.stringify({ schedule: { type: 'step', lr: 0.1, every: 2 } });
    flushSync();
    expect(editor.preview).toBeNull();
    expect(editor.error).toBe('schedule.factor: is required');
    expect(editor.chartData).toEqual([]);

    editor.text = JSON.stringify({ schedule: { type: 'step', lr: 0.1, every: 2, factor: 0.5 } });
    flushSync();
    expect(editor.error).toBeNull();
    expect(editor.chartData).toEqual([
      [0, 1, 2, 3],
      [0.1, 0.1, 0.05, 0.05],
      [0.1, 0.1, 0.05, 0.05],
    ]);

    editor.epochs = 2;
    editor.groups = 1;
    flushSync();
    expect(editor.chartData).toHaveLength(2);
    expect(editor.chartData[0]).toHaveLength(8);
  });

  it('reports text that is not JSON', () => {
    const editor = new ScheduleEditor({ text: '{"schedule": ' });
    expect(editor.error).toMatch(/^not valid JSON/);
  });

  it('applies batch-size scaling when the user sets the batch size', () => {
    const editor = new ScheduleEditor({
      text: JSON.stringify({ schedule: { type: 'constant', lr: 0.1 }, lrScaling: { rule: 'linear' } }),
      epochs: 1,
      stepsPerEpoch: 1,
      groups: 1,
    });
    expect(editor.error).toMatch(/^lrScaling: .*batch size/);
    editor.batchSize = 1024;
    flushSync();
    expect(editor.chartData[1]).toEqual([0.4]);
  });
});
