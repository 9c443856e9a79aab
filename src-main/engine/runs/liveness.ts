import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Whether process `pid` of machine `host` is still running, as far as this machine can tell. A
 * pid names a process only on its own machine: for a run folder copied from (or shared with)
 * another machine the answer is false. A pid reused by an unrelated process reads as alive; the
 * run store accepts that rare false "running" rather than guess.
 */
export function isProcessAlive(pid: number, host?: string): boolean {
  if (host !== undefined && host !== hostname()) return false;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0: checks only
    return !isZombie(pid);
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A killed process whose parent died too stays a zombie until something reaps it (a container's
 * init may never): signal 0 still finds it, but it runs nothing. Linux says so in /proc/<pid>/stat
 * (state "Z", the field after the parenthesised command name); elsewhere, not a zombie.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
