// Every test file gets its own temporary root, removed when the file is done: os.tmpdir() (and so
// every mkdtemp under it, here and in the `anneal` processes the tests start, which inherit
// TMPDIR) points into it. No test leaves folders behind in /tmp, whatever it forgets to remove.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const outer = tmpdir();
const root = mkdtempSync(join(outer, 'anneal-vitest-'));
process.env.TMPDIR = root;

afterAll(() => {
  process.env.TMPDIR = outer;
  // Retries: a child process the file stopped may still be closing files inside.
  rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});
