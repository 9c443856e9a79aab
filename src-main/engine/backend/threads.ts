// How many threads the CPU backends use, and why: `--threads`, a config's "threads", the
// ANNEAL_THREADS environment variable, or the machine's physical cores, in that order.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * tfjs-backend-wasm's threaded build pre-creates 8 pthread workers and caps its XNNPACK pool there
 * (tfjs-backend-wasm/src/cc/backend.cc, max_num_threads = 8; PTHREAD_POOL_SIZE=8 in its BUILD).
 */
export const MAX_WASM_THREADS = 8;

export type ThreadSource = 'flag' | 'config' | 'env' | 'default';

export interface ThreadPlan {
  /** Threads the CPU kernels run on (XNNPACK's pool, the calling thread included). */
  count: number;
  source: ThreadSource;
  /** One line: where the count comes from, and any cap applied. */
  why: string;
}

export class ThreadsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThreadsError';
  }
}

/** Counts distinct (physical id, core id) pairs; null where /proc/cpuinfo does not say (ARM, containers that hide it). */
export function physicalCoresFromCpuinfo(text: string): number | null {
  const cores = new Set<string>();
  let pkg = '0';
  for (const line of text.split('\n')) {
    const [key, value] = line.split(':').map((s) => s.trim());
    if (key === 'physical id') pkg = value ?? '0';
    else if (key === 'core id') cores.add(`${pkg}/${value}`);
  }
  return cores.size > 0 ? cores.size : null;
}

/**
 * Physical cores this process may use. Hyper-threads share one core's FMA units, so a second
 * thread per core adds little to GEMM throughput and contends for cache (the reason PyTorch's
 * default is physical cores too: at::get_num_threads → OMP/MKL physical-core default).
 * Capped by availableParallelism(), which honours CPU affinity (taskset, cgroup cpusets).
 */
export function physicalCores(): number {
  const usable = availableParallelism();
  let physical: number | null = null;
  try {
    if (process.platform === 'linux') physical = physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    else if (process.platform === 'darwin')
      physical = Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8' }).trim()) || null;
  } catch {
    physical = null;
  }
  return Math.max(1, Math.min(physical ?? usable, usable));
}

/** Parses a thread count from a flag, a config or the environment: a whole number >= 1. */
export function parseThreads(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new ThreadsError(`${what} must be a whole number >= 1 (got ${JSON.stringify(value)})`);
  }
  return n;
}

/** The plan from what the user asked for (the first one given wins) and the machine. */
export function resolveThreads(
  request: { flag?: number; config?: number; env?: string | undefined } = {},
  cores: number = physicalCores(),
): ThreadPlan {
  let asked: { n: number; source: ThreadSource; label: string } | null = null;
  if (request.flag !== undefined)
    asked = { n: parseThreads(request.flag, '--threads'), source: 'flag', label: '--threads' };
  else if (request.config !== undefined)
    asked = { n: parseThreads(request.config, 'config "threads"'), source: 'config', label: 'the config\'s "threads"' };
  else if (request.env !== undefined && request.env.trim() !== '')
    asked = { n: parseThreads(request.env, 'ANNEAL_THREADS'), source: 'env', label: 'ANNEAL_THREADS' };
  const wanted = asked?.n ?? cores;
  const count = Math.min(wanted, MAX_WASM_THREADS);
  const capped =
    count < wanted ? `; capped at ${MAX_WASM_THREADS}, the most tfjs-backend-wasm's threaded build runs` : '';
  const why = asked
    ? `${asked.n} from ${asked.label} (${cores} physical core${cores === 1 ? '' : 's'} here)${capped}`
    : `this machine's physical cores${capped}; --threads, a config's "threads" or ANNEAL_THREADS change it`;
  return { count, source: asked?.source ?? 'default', why };
}

let requested: { flag?: number; config?: number } = {};

/**
 * Records what this process was asked for, before the wasm backend starts (it starts once per
 * process; the count is fixed from then on). `anneal train --threads 4` and a config's "threads" call this.
 */
export function requestThreads(r: { flag?: number; config?: number }): void {
  requested = { ...requested, ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) };
}

/** The plan for this process: the recorded request, ANNEAL_THREADS, the machine. */
export function threadPlan(): ThreadPlan {
  return resolveThreads({ ...requested, env: process.env.ANNEAL_THREADS });
}
