// A real `anneal serve` process without the renderer build: the server module over a stub page,
// shut down by the same code as the CLI's, so that tests can crash it, signal it and watch it
// from outside. Prints the same "Anneal is at" line as the CLI. Environment:
// ANNEAL_FIXTURE_FAKE_JOBS=1: jobs run test/jobs/fake-job.mjs (no TF.js);
// ANNEAL_FIXTURE_BUSY=1: an in-process request that never finishes holds the event loop open, as
// a long thumbnail decode or folder walk does.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeOnSignal, startServer } from '../../src-main/server/index.js';

const cwd = process.env.ANNEAL_FIXTURE_CWD ?? mkdtempSync(join(tmpdir(), 'anneal-fixture-'));
const renderer = join(cwd, 'renderer');
mkdirSync(renderer, { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Anneal</title>');

const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  token: process.env.ANNEAL_FIXTURE_TOKEN ?? null,
  cwd,
  rendererDir: renderer,
  version: 'fixture',
  jobs: process.env.ANNEAL_FIXTURE_FAKE_JOBS
    ? { entry: fileURLToPath(new URL('../jobs/fake-job.mjs', import.meta.url)), stopGraceMs: 3000 }
    : undefined,
});
if (process.env.ANNEAL_FIXTURE_BUSY) setInterval(() => undefined, 1000);
process.stdout.write(`Anneal is at ${server.url}\n`);
await closeOnSignal(server, { log: (l) => process.stderr.write(`${l}\n`) });
