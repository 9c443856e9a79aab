// A real `anneal serve` process without the renderer build: the server module over a stub page,
// so that tests can crash it, signal it and watch it from outside. Prints the same "Anneal is at"
// line as the CLI. ANNEAL_FIXTURE_SLOW adds a channel-free slow in-process request for the
// SIGTERM test (see shutdown.test.ts).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src-main/server/index.js';

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
});
process.stdout.write(`Anneal is at ${server.url}\n`);
