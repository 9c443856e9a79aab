// `anneal serve`: the desktop app's screens in a browser, for a machine without a display (a GPU
// box over SSH) and for the end-to-end tests. Loopback only by default; every socket needs the
// token in the address printed here, on loopback too (other local accounts reach 127.0.0.1;
// docs/security.md). --token or ANNEAL_TOKEN fixes it across restarts (a flag shows in `ps`).
import type { Command } from 'commander';
import { closeOnSignal, ensureRendererBuilt, isLoopback, newToken, startServer } from '../../server/index.js';
import { UsageError } from '../errors.js';
import type { Io } from '../options.js';

interface ServeFlags {
  port: number;
  host: string;
  token?: string;
  runs: string;
  trainingJobs: number;
  lightJobs: number;
  thumbnailMaxPixels: number;
}

const pixels = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 2 ** 32)
    throw new UsageError('--thumbnail-max-pixels takes a whole number from 1');
  return n;
};

const slots = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 64) throw new UsageError('--training-jobs and --light-jobs take 1 to 64');
  return n;
};

const port = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError('--port must be a whole number from 0 to 65535');
  return n;
};

export function registerServe(program: Command, io: Io, version: string): void {
  program
    .command('serve')
    .description('serve the app to a browser: the screens over HTTP, the engine over a WebSocket')
    .option('--port <n>', 'port (0: any free port)', port, 7860)
    .option('--host <address>', 'address to bind; anything but loopback requires the token', '127.0.0.1')
    .option('--token <secret>', 'token a browser must present (default: $ANNEAL_TOKEN, else a random one)')
    .option('--runs <dir>', 'folder that holds the runs', 'runs')
    .option('--training-jobs <n>', 'training jobs (train, LR finder) run at once; more wait in a queue', slots, 1)
    .option('--light-jobs <n>', 'evaluate, predict, import and export jobs run at once', slots, 2)
    .option('--thumbnail-max-pixels <n>', 'images over this many pixels get no thumbnail', pixels, 100_000_000)
    .action(async (flags: ServeFlags) => {
      const given = flags.token ?? (process.env.ANNEAL_TOKEN || undefined);
      const from = flags.token !== undefined ? '--token' : 'ANNEAL_TOKEN';
      if (given !== undefined && given.length < 16) throw new UsageError(`${from} must be at least 16 characters`);
      const token = given ?? newToken();
      const rendererDir = await ensureRendererBuilt((l) => io.stderr(`anneal: ${l}\n`));
      let server;
      try {
        server = await startServer({
          host: flags.host,
          port: flags.port,
          token,
          cwd: process.cwd(),
          runsDir: flags.runs,
          rendererDir,
          version,
          jobs: { limits: { training: flags.trainingJobs, light: flags.lightJobs } },
          thumbnailMaxPixels: flags.thumbnailMaxPixels,
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UsageError(`port ${flags.port} is in use (give --port, or 0 for any)`);
        if (code === 'EADDRNOTAVAIL') throw new UsageError(`cannot bind ${flags.host}: no such local address`);
        throw e;
      }
      io.stdout(`Anneal is at ${server.url}\n`);
      io.stderr(
        isLoopback(flags.host)
          ? 'anneal: open that address (its token keeps other accounts on this machine out)\n'
          : `anneal: bound to ${flags.host}: the token in that address is required; keep it secret\n`,
      );
      io.stderr('anneal: Ctrl+C stops the server and any job it runs (runs stay resumable)\n');
      await closeOnSignal(server, { log: (l) => io.stderr(`${l}\n`) });
    });
}
