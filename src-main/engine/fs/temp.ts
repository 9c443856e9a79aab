// Temporary siblings for writing a folder atomically (build `.<out>.<pid>-<hex>.tmp`, rename it to
// `<out>`), and their clean-up. A killed export or import leaves its temp folder behind (7 of 20
// kills did); the pid in the name tells the next writer whether its owner is gone, and it removes
// those that are, and says so.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temp folders this process is filling right now: never cleaned from under it. */
const inFlight = new Set<string>();

/** A folder without a pid in its name (written by Anneal 0.1) is stale once this old. */
const UNNAMED_STALE_MS = 60 * 60 * 1000;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `.<name>.<pid>-<hex>.tmp` beside `target`; forget it with doneWithTemp once renamed or removed. */
export function tempSibling(target: string): string {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  inFlight.add(tmp);
  return tmp;
}

export function doneWithTemp(tmp: string): void {
  inFlight.delete(tmp);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0: checks only
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp siblings of `target` left by writers that are gone: `.<name>.<pid>-<hex>.tmp`
 * whose process has ended, and pid-less `.<name>.<hex>.tmp` older than an hour. A `.tmp.old` (a
 * previous `target` moved aside, with the writer killed before the new one took its place) is put
 * back when `target` is missing. Returns the paths removed or restored.
 */
export function cleanStaleTemps(target: string): string[] {
  const parent = dirname(target);
  const name = basename(target);
  const pattern = new RegExp(`^\\.${escape(name)}\\.(?:(\\d+)-)?[0-9a-f]{12}\\.tmp(\\.old)?$`);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const cleaned: string[] = [];
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (!m) continue;
    const path = join(parent, entry);
    if (inFlight.has(path) || inFlight.has(path.replace(/\.old$/, ''))) continue;
    const pid = m[1] === undefined ? null : Number(m[1]);
    let stale: boolean;
    if (pid !== null) stale = pid !== process.pid && !alive(pid);
    else stale = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > UNNAMED_STALE_MS;
    if (!stale) continue;
    try {
      if (m[2] && !existsSync(target)) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
      cleaned.push(path);
    } catch {
      // Another process cleaned it first, or it cannot be removed: leave it.
    }
  }
  return cleaned;
}
