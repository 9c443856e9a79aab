import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src-main/cli/program.js';
import { TEST_STEP_ENV } from '../../src-main/jobs/index.js';

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

/**
 * Starts `anneal ARGS` (which must write its run under `out`), SIGKILLs it once the run's first
 * epoch is checkpointed (the next is then in flight), and returns the run folder. Its steps are
 * paced to 100 ms (ANNEAL_TEST_STEP_MS) so that the kill lands inside the next epoch however fast
 * the step is and however loaded the machine.
 */
export async function trainUntilFirstCheckpoint(args: readonly string[], out: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [TEST_STEP_ENV]: '100' },
  });
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      const runs = existsSync(out) ? readdirSync(out) : [];
      const ck = runs[0] ? join(out, runs[0], 'checkpoints', 'epoch-0000', 'checkpoint.json') : '';
      if (ck && existsSync(ck)) {
        clearInterval(t);
        child.kill('SIGKILL');
        resolve();
      }
    }, 50);
    child.on('exit', () => {
      clearInterval(t);
      reject(new Error('training ended before it could be killed'));
    });
  });
  await new Promise((r) => child.on('exit', r));
  return join(out, readdirSync(out)[0]!);
}
