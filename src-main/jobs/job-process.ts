// A job's own process: it waits for one task from the manager, runs it, reports, and exits. A
// crash in a native backend (Dawn, libtensorflow) ends this process, not the app or the server.
import type { JobMessage, Task } from './protocol.js';
import { isUsageError, runTask } from './tasks.js';

const send = (m: JobMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, undefined, () => resolve());
  });

process.once('message', (task: Task) => {
  const pending: Promise<void>[] = [];
  runTask(task, (m) => void pending.push(send(m)))
    .catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      pending.push(send({ type: 'error', message, usage: isUsageError(e) }));
    })
    .finally(async () => {
      await Promise.all(pending);
      process.disconnect?.();
      // Data-loader workers or a GPU device may hold the loop open; everything is written.
      process.exit(0);
    });
});
