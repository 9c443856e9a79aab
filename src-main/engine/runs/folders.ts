// Folder-level atomicity for checkpoints: build in a hidden temporary sibling, rename into place.
// A folder with its final name is therefore always complete; anything half-written has a
// `.tmp-…` name that readers skip and later clean up.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from './liveness.js';

const TEMP = /^\.tmp-(.+)-(\d+)-[0-9a-f]{12}$/;
const OLD = 'old-';

/** Temp folders this process is filling right now: never cleaned from under it. */
const inFlight = new Set<string>();

/** `.tmp-<label>-<pid>-<random>`: the pid says whether its writer may still be at work. */
function tempPath(parent: string, label: string): string {
  return join(parent, `.tmp-${label}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

export function isTempName(name: string): boolean {
  return TEMP.test(name);
}

/** Makes a temp folder in `parent`, lets `fill` write it, and removes it if `fill` fails. */
export async function withTempDir<T>(parent: string, label: string, fill: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = tempPath(parent, label);
  inFlight.add(tmp);
  try {
    mkdirSync(tmp, { recursive: true });
    return await fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    inFlight.delete(tmp);
  }
}

/**
 * Renames `tmp` to `final`. An existing `final` (the same epoch written again, or the previous
 * best) is first moved aside to a temp name, because a folder cannot be renamed over a non-empty
 * one; should we die between the two renames, cleanTemps() puts it back.
 */
export function swapIntoPlace(tmp: string, final: string): void {
  if (!existsSync(final)) {
    renameSync(tmp, final);
    return;
  }
  const old = tempPath(dirname(final), `${OLD}${basename(final)}`);
  renameSync(final, old);
  try {
    renameSync(tmp, final);
  } catch (e) {
    renameSync(old, final);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

/**
 * Removes a folder without ever leaving half of it under its own name: it is renamed to a temp
 * name first, so an interrupted removal leaves only a temp folder for cleanTemps().
 */
export function discardDir(dir: string): void {
  if (!existsSync(dir)) return;
  const gone = tempPath(dirname(dir), `gone-${basename(dir)}`);
  renameSync(dir, gone);
  rmSync(gone, { recursive: true, force: true });
}

/** Removes the temp folders in `parent` whose writers are gone; restores a folder moved aside. */
export function cleanTemps(parent: string): void {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    const m = TEMP.exec(name);
    if (!m) continue;
    const path = join(parent, name);
    const pid = Number(m[2]);
    const stale = pid === process.pid ? !inFlight.has(path) : !isProcessAlive(pid);
    if (!stale) continue;
    const label = m[1]!;
    const original = label.startsWith(OLD) ? join(parent, label.slice(OLD.length)) : null;
    if (original && !existsSync(original)) renameSync(path, original);
    else rmSync(path, { recursive: true, force: true });
  }
}

/** Hard-links every file of `src` into the empty folder `dst`, copying where links are refused. */
export function linkFiles(src: string, dst: string): void {
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const from = join(src, entry.name);
    const to = join(dst, entry.name);
    try {
      linkSync(from, to);
    } catch {
      // EXDEV, EPERM, filesystems without hard links (FAT on a USB stick): a copy will do.
      copyFileSync(from, to);
    }
  }
}

/** Writes `chunks` to a new file and flushes it to disk, so that a rename after it is durable. */
export async function writeDurable(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    for (const chunk of chunks) await fh.writeFile(chunk);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Flushes a folder's entries (the renames in it). Not possible on Windows, where it is skipped. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  }
}
