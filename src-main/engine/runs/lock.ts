// A run has one writer. Two processes appending to one run interleave epochs and overwrite each
// other's checkpoints (`anneal resume` on a run still training gave epochs [0,1,4,5,2,6,3,…]), so a
// writer holds runs/<id>/run.lock, created exclusively (O_EXCL), holding its pid, host and start
// time. A lock whose process is gone (killed, crashed, the machine rebooted) is stale and is taken
// over; a live one is refused with a message that names it.
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunStoreError } from './errors.js';
import { isProcessAlive } from './liveness.js';

export const RUN_LOCK = 'run.lock';

export interface LockHolder {
  pid: number;
  host: string;
  /** When the holder took the lock (ISO 8601). */
  started: string;
  /**
   * The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22) where the OS
   * has it: a pid reused by another process after a reboot or wrap-around has a different one.
   */
  procStart: number | null;
}

/** /proc/<pid>/stat's starttime (Linux; proc(5)); null elsewhere or when unreadable. */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** Whether the lock's holder is still running, as far as this machine can tell. */
export function holderAlive(h: LockHolder): boolean {
  // Another machine's pid means nothing here: assume it is alive rather than take its run.
  if (h.host !== hostname()) return true;
  if (!isProcessAlive(h.pid)) return false;
  const now = processStartTicks(h.pid);
  return h.procStart === null || now === null || now === h.procStart;
}

function readHolder(path: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.started === 'string') {
      return { pid: h.pid, host: h.host, started: h.started, procStart: h.procStart ?? null };
    }
  } catch {
    // Fall through: a lock being written this instant, or garbage.
  }
  return 'unreadable';
}

/** What a writer holds; release() gives the run back (only if the lock is still its own). */
export class RunLock {
  private released = false;

  constructor(
    readonly path: string,
    readonly holder: LockHolder,
    /** The stale holder taken over, if any (for the run's events). */
    readonly reclaimed: LockHolder | null,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    const now = readHolder(this.path);
    if (typeof now === 'object' && now.pid === this.holder.pid && now.started === this.holder.started) {
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone: nothing to give back.
      }
    }
  }
}

/** How old an unreadable lock must be before it counts as debris rather than a lock being written. */
const UNREADABLE_GRACE_MS = 10_000;

export function acquireRunLock(runDir: string): RunLock {
  const path = join(runDir, RUN_LOCK);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    procStart: processStartTicks(process.pid),
  };
  let reclaimed: LockHolder | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      return new RunLock(path, me, reclaimed);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new RunStoreError(`cannot lock the run: ${path}: ${code ?? String(e)}`);
    }
    const holder = readHolder(path);
    if (holder === 'missing') continue;
    if (holder === 'unreadable') {
      const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < UNREADABLE_GRACE_MS) throw busy(runDir, path, null);
    } else if (holderAlive(holder)) {
      throw busy(runDir, path, holder);
    }
    if (typeof holder === 'object') reclaimed = holder;
    takeOver(path, holder);
  }
  throw new RunStoreError(`cannot lock the run: ${path} keeps changing (another process is taking it)`, {
    kind: 'busy',
  });
}

/**
 * Moves a stale lock aside. Two processes may find the same stale lock: rename is atomic, so only
 * one moves it; and if what was moved is not what was read (another process took the lock in
 * between), it is put back untouched.
 */
function takeOver(path: string, stale: LockHolder | 'unreadable'): void {
  const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // Someone else moved it first.
  }
  const moved = readHolder(aside);
  const same =
    typeof stale === 'object'
      ? typeof moved === 'object' && moved.pid === stale.pid && moved.started === stale.started
      : moved === 'unreadable';
  if (!same) {
    try {
      linkSync(aside, path); // Fails if a newer lock is already in place: then that one stands.
    } catch {
      // A lock is in place; the moved one was not ours to keep.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Gone already.
  }
}

function busy(runDir: string, path: string, h: LockHolder | null): RunStoreError {
  const who = h ? `process ${h.pid} on ${h.host} (since ${h.started})` : 'another process (its lock is being written)';
  const remote =
    h && h.host !== hostname() ? `; if that process is gone, delete ${path}` : '; stop it first, or wait for it to end';
  return new RunStoreError(`${runDir} is being written by ${who}${remote}`, { kind: 'busy' });
}
