import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src-main/cli/program.js';

export const BIN = fileURLToPath(new URL('../../bin/anneal.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `anneal` executable, as a user would (the timeout only catches a hang). */
export function anneal(args: readonly string[], cwd?: string, timeoutMs = 900_000): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI in this process, through cli/program.ts's run(argv, io), as bin/anneal.js does, and
 * collects what it prints. For commands that need no process of their own (nothing killed, no exit
 * status from a signal): saves the ~2-3 s a fresh tsx + TF.js process costs on every call.
 */
export async function annealIn(args: readonly string[], cwd?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const before = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const status = await run(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { status, stdout, stderr };
  } finally {
    process.chdir(before);
  }
}

export function tempDir(prefix = 'anneal-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** The records of a JSON-lines file (metrics.jsonl, events.jsonl), in order. */
export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
}
