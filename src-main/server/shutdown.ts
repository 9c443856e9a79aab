// Prompt shutdown of `anneal serve` on SIGINT or SIGTERM (issue 15, item 6: SIGTERM during a long
// in-process request closed the port but left the process alive ≥ 30 s, finishing work nobody
// would receive). The port closes, sockets end, jobs end cleanly (a training job stops at its next
// step, so its run records the stop and stays resumable; see JobManager.dispose), and then the
// process exits: whatever in-process request was still running is abandoned, not waited for.
import type { RunningServer } from './server.js';

export interface ShutdownOptions {
  log: (line: string) => void;
  /** Exit even if closing has not finished by then (a stuck job, a stuck socket); ms. */
  deadlineMs?: number;
  /** process.exit, replaceable in tests. */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/** Waits for a signal, closes `server`, and exits: 0 when everything closed, 1 past the deadline. */
export function closeOnSignal(server: RunningServer, o: ShutdownOptions): Promise<void> {
  const { deadlineMs = 10_000, exit = (code: number) => process.exit(code), signals = ['SIGINT', 'SIGTERM'] } = o;
  return new Promise<void>((resolve) => {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) {
        // A second Ctrl+C: the user does not want to wait for jobs to stop.
        o.log(`anneal: ${signal} again: exiting now`);
        exit(130);
        return;
      }
      closing = true;
      o.log(`anneal: ${signal}: stopping the server and its jobs (runs stay resumable)`);
      const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), deadlineMs).unref());
      void Promise.race([server.close().then(() => 'closed' as const), deadline]).then((how) => {
        for (const s of signals) process.off(s, onSignal);
        if (how === 'late') o.log(`anneal: not closed after ${deadlineMs / 1000} s: exiting anyway`);
        resolve();
        exit(how === 'closed' ? 0 : 1);
      });
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
