// Walking a class folder as torchvision's make_dataset does (os.walk(followlinks=True), each
// (dirpath, files) sorted, files sorted), with three differences: names starting with '.' are
// skipped (.DS_Store, .ipynb_checkpoints, editors' swap files); a symlink back to a folder already
// on the current path is reported instead of walked forever; and anything that is not a regular
// file or folder (a broken symlink, a FIFO) is reported, never silently dropped.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../types.js';
import { fsReason } from './errors.js';
import { compareCodePoints } from './order.js';

export type EntryKind = { kind: 'file' } | { kind: 'dir' } | { kind: 'bad'; reason: string };

export const isHidden = (name: string): boolean => name.startsWith('.');

/** What a directory entry is, following symlinks. */
export async function entryKind(ent: Dirent, path: string): Promise<EntryKind> {
  if (ent.isDirectory()) return { kind: 'dir' };
  if (ent.isFile()) return { kind: 'file' };
  if (!ent.isSymbolicLink()) return { kind: 'bad', reason: 'not a regular file' };
  return pathKind(path, true);
}

/** What a path is, following symlinks; `link` says it is known to be one (for the wording). */
export async function pathKind(path: string, link = false): Promise<EntryKind> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) return { kind: 'dir' };
    if (st.isFile()) return { kind: 'file' };
    return { kind: 'bad', reason: 'not a regular file' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (link && code === 'ENOENT') return { kind: 'bad', reason: 'broken symlink' };
    return { kind: 'bad', reason: fsReason(e) };
  }
}

export interface Walked {
  /** Regular files (or links to them), in torchvision's order. */
  files: string[];
  problems: Problem[];
}

/** Every non-hidden file under `dir`, recursively. */
export async function walkFiles(dir: string): Promise<Walked> {
  const found: { dir: string; files: string[] }[] = [];
  const problems: Problem[] = [];
  // Real paths of the folders on the current path from `dir`: a link to one of them is a loop.
  const chain: string[] = [];

  const visit = async (path: string, real: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (e) {
      problems.push({ path, reason: `unreadable folder (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
      return;
    }
    chain.push(real);
    const files: string[] = [];
    const subdirs: { path: string; real: string }[] = [];
    for (const ent of entries) {
      if (isHidden(ent.name)) continue;
      const p = join(path, ent.name);
      const k = await entryKind(ent, p);
      if (k.kind === 'file') files.push(ent.name);
      else if (k.kind === 'bad') problems.push({ path: p, reason: k.reason });
      else {
        const r = await realpath(p).catch(() => p);
        if (chain.includes(r)) problems.push({ path: p, reason: 'symlink loop (not followed)' });
        else subdirs.push({ path: p, real: r });
      }
    }
    found.push({ dir: path, files: files.sort(compareCodePoints) });
    for (const s of subdirs) await visit(s.path, s.real);
    chain.pop();
  };

  await visit(dir, await realpath(dir).catch(() => dir));
  // sorted(os.walk(...)) orders by the folder's path string, not depth-first.
  found.sort((a, b) => compareCodePoints(a.dir, b.dir));
  return { files: found.flatMap((d) => d.files.map((f) => join(d.dir, f))), problems };
}
