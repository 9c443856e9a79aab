// `anneal serve`: the desktop app's screens in a browser, for a machine without a display (a GPU
// box over SSH) and for the end-to-end tests. Loopback only by default; any other address needs
// the token printed here (or given with --token).
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { ensureRendererBuilt, isLoopback, startServer } from '../../server/index.js';
import { UsageError } from '../errors.js';
import type { Io } from '../options.js';

interface ServeFlags {
  port: number;
  host: string;
  token?: string;
  runs: string;
}

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
    .option('--token <secret>', 'token a browser must present (default: a random one when not loopback)')
    .option('--runs <dir>', 'folder that holds the runs', 'runs')
    .action(async (flags: ServeFlags) => {
      if (flags.token !== undefined && flags.token.length < 16)
        throw new UsageError('--token must be at least 16 characters');
      const token = flags.token ?? (isLoopback(flags.host) ? null : randomBytes(24).toString('base64url'));
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
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UsageError(`port ${flags.port} is in use (give --port, or 0 for any)`);
        if (code === 'EADDRNOTAVAIL') throw new UsageError(`cannot bind ${flags.host}: no such local address`);
        throw e;
      }
      io.stdout(`Anneal is at ${server.url}\n`);
      if (token) io.stderr(`anneal: bound to ${flags.host}: the token in that URL is required; keep it secret\n`);
      io.stderr('anneal: Ctrl+C stops the server and any job it runs (runs stay resumable)\n');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
