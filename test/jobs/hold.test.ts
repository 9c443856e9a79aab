// The e2e test's hold on a job's first progress message (jobs/hold.ts): nothing without the
// variable or the file; with both, the job waits, says so, and goes on once the file is gone.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdForTest, TEST_HOLD_ENV, TEST_STEP_ENV, testStepPacing, testStepPause } from '../../src-main/jobs/hold.js';
import { tempDir } from '../cli/helpers.js';

describe('holdForTest', () => {
  it('waits only while the hold file for its kind exists', async () => {
    const dir = tempDir('anneal-hold-');
    const env = { [TEST_HOLD_ENV]: dir };
    await holdForTest('export', {}); // no variable: nothing to do
    await holdForTest('export', env); // no hold file: nothing to do
    expect(existsSync(join(dir, 'held-export'))).toBe(false);
    writeFileSync(join(dir, 'hold-export'), '');
    let released = false;
    const held = holdForTest('export', env).then(() => (released = true));
    await expect.poll(() => existsSync(join(dir, 'held-export'))).toBe(true);
    await holdForTest('import', env); // another kind is not held
    expect(released).toBe(false);
    rmSync(join(dir, 'hold-export'));
    await held;
    expect(existsSync(join(dir, 'held-export'))).toBe(false);
  });

  it('paces training steps only when ANNEAL_TEST_STEP_MS is set', async () => {
    expect(testStepPacing({})).toEqual([]);
    expect(testStepPacing({ [TEST_STEP_ENV]: 'soon' })).toEqual([]);
    const [pace, ...rest] = testStepPacing({ [TEST_STEP_ENV]: '5' });
    expect(rest).toEqual([]);
    await expect(pace!.onBatchEnd({} as never, {} as never)).resolves.toBeUndefined();
    // The LR range test's pause: none without the variable, a wait with it.
    expect(testStepPause({})).toBeNull();
    await expect(testStepPause({ [TEST_STEP_ENV]: '5' })!()).resolves.toBeUndefined();
  });
});
