// A pause for the end-to-end test's screenshots of progress: an export or an import takes about a
// second, too quick to photograph. With ANNEAL_TEST_HOLD naming a folder that holds a file named
// `hold-<kind>` (hold-export, hold-import), a job of that kind waits after its first progress
// message, which the screen shows, writes `held-<kind>` there, and goes on once the test removes
// `hold-<kind>`. The progress on screen is the job's own; without the variable nothing changes.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Callback } from '../engine/index.js';

export const TEST_HOLD_ENV = 'ANNEAL_TEST_HOLD';

export async function holdForTest(kind: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = env[TEST_HOLD_ENV];
  if (!dir) return;
  const hold = join(dir, `hold-${kind}`);
  if (!existsSync(hold)) return;
  const held = join(dir, `held-${kind}`);
  writeFileSync(held, '');
  while (existsSync(hold)) await new Promise((r) => setTimeout(r, 100));
  rmSync(held, { force: true });
}

export const TEST_STEP_ENV = 'ANNEAL_TEST_STEP_MS';

/**
 * Test pacing for tests that stop or kill a run part-way: with ANNEAL_TEST_STEP_MS set, every
 * training step takes at least that long, so that a person-like click on Stop "a few steps into an
 * epoch" (the end-to-end test) or a SIGKILL after the first epoch (the CLI's kill-and-resume tests,
 * `anneal train`/`resume`/a sweep's trials) lands inside the run: the onnxruntime step trains the
 * tests' tiny models through a whole epoch in well under a second. Without the variable there is
 * no such callback.
 */
export function testStepPacing(env: NodeJS.ProcessEnv = process.env): Callback[] {
  const pause = testStepPause(env);
  if (!pause) return [];
  return [
    new (class extends Callback {
      override async onBatchEnd(): Promise<void> {
        await pause();
      }
    })(),
  ];
}

/** The same pacing as a pause to await after each step of a loop that is not a training run (the LR range test); null without the variable. */
export function testStepPause(env: NodeJS.ProcessEnv = process.env): (() => Promise<void>) | null {
  const ms = Number(env[TEST_STEP_ENV] ?? 0);
  return ms > 0 ? () => new Promise((r) => setTimeout(r, ms)) : null;
}
