// `--threads <n>` on every command that runs a model (those with --backend, and doctor, demo, serve):
// the CPU backends' thread count, ahead of a config's "threads" and ANNEAL_THREADS
// (engine/backend/threads.ts). Added in one place so each command's file stays as it is.
import type { Command } from 'commander';
import { requestThreads, threadPlan, ThreadsError } from '../engine/index.js';
import { UsageError } from './errors.js';
import { positiveInt } from './options.js';

const ALSO = new Set(['doctor', 'demo', 'serve', 'resume']);

function takesThreads(cmd: Command): boolean {
  return ALSO.has(cmd.name()) || cmd.options.some((o) => o.long === '--backend');
}

export function addThreadsOption(program: Command): void {
  const visit = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      if (takesThreads(sub))
        sub.option(
          '--threads <n>',
          'CPU threads for the wasm backend (default: ANNEAL_THREADS, else the physical cores)',
          positiveInt('--threads'),
        );
      visit(sub);
    }
  };
  visit(program);
  program.hook('preAction', (_root, action) => {
    if (!takesThreads(action)) return;
    const threads = action.opts().threads as number | undefined;
    if (threads !== undefined) {
      requestThreads({ flag: threads });
      // Jobs (serve, the desktop app) run in child processes, which read the environment.
      process.env.ANNEAL_THREADS = String(threads);
    }
    try {
      threadPlan(); // a bad ANNEAL_THREADS is a usage error here, not a backend that fails later
    } catch (e) {
      if (e instanceof ThreadsError) throw new UsageError(e.message);
      throw e;
    }
  });
}
