// A stand-in for job-entry.mjs in the job manager's tests: the same messages, no TF.js. A train
// task's config (a valid run config) says what to do: `data` is the folder it uses as its run
// folder, `name: "ignore-stop"` makes it ignore stop commands; it reports "started" with that
// folder and stops, as the trainer does, when a stop command appears in its control.jsonl.
// A predict task whose model is "quick" ends at once; "hang" never ends on its own.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const send = (m) => new Promise((resolve) => process.send(m, undefined, undefined, () => resolve()));

process.once('message', async (task) => {
  if (task.kind === 'train') {
    const runDir = task.config.data;
    const ignoreStop = task.config.name === 'ignore-stop';
    appendFileSync(join(runDir, 'pids'), `${process.pid}\n`);
    await send({ type: 'started', runDir, backend: 'fake', device: null });
    setInterval(async () => {
      const file = join(runDir, 'control.jsonl');
      if (ignoreStop || !existsSync(file)) return;
      const stop = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((c) => c.action === 'stop');
      if (!stop) return;
      appendFileSync(join(runDir, 'events'), `stopped: ${stop.reason}\n`);
      await send({ type: 'done', result: { stopped: stop.reason }, stopped: stop.reason });
      process.exit(0);
    }, 30);
  } else if (task.kind === 'predict') {
    await send({ type: 'started', runDir: null, backend: 'fake', device: null });
    if (task.model === 'quick') {
      await send({ type: 'done', result: { label: 'quick' } });
      process.exit(0);
    }
    setInterval(() => undefined, 1000);
  }
});
