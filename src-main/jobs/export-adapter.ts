// The Export screen's one way to the exporter (engine/export): like every TF.js job it runs in a
// child process, here the `anneal export` command itself, so the screen and the CLI export the
// same way (and refuse the same bad input with the same one-line message).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExportResult, ParsedRequestOf } from '../contract/index.js';
import { JobInputError } from './manager.js';

const BIN = fileURLToPath(new URL('../../bin/anneal.js', import.meta.url));
const EXIT_USAGE = 2;

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  if (statSync(root).isFile()) return [root];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

export function runExport(request: ParsedRequestOf<'export.run'>): Promise<ExportResult> {
  const args = [BIN, 'export', request.target, '--format', request.format, '--out', request.out];
  if (request.rawInput) args.push('--raw-input');
  args.push('--checkpoint', request.checkpoint);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      const message = stderr
        .split('\n')
        .filter((l) => l.startsWith('anneal:'))
        .map((l) => l.replace(/^anneal: /, ''))
        .join('; ');
      if (code === EXIT_USAGE) return reject(new JobInputError(message || 'export refused the request'));
      if (code !== 0)
        return reject(new Error(message || stderr.trim().split('\n').at(-1) || `export failed (${code})`));
      const files = listFiles(request.out);
      const cardFile = files.find((f) => f.endsWith('.html'));
      const base = statSync(request.out).isFile() ? dirname(request.out) : request.out;
      resolve({
        out: request.out,
        files: files.map((f) => relative(base, f)),
        card: cardFile ? readFileSync(cardFile, 'utf8') : null,
        log: (stdout + stderr).trim(),
      });
    });
  });
}
