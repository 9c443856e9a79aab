// Relabelling a file of a folder dataset by moving it to another class folder, recorded in
// <data>/.anneal/label-moves.jsonl (a hidden folder: datasets never read it as a class) so that any
// move can be undone, from the CLI or the Dataset screen alike. Nothing is ever deleted or
// overwritten: a name already taken in the destination gets "-1", "-2", … before its extension.
// The log line is written after the file is moved; where the line cannot be written the file goes
// back, so the folder and the log never disagree.
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isHidden } from '../data/sources/walk.js';
import { splitFolderNames } from '../data/sources/dataset.js';
import { InputError } from '../errors.js';
/** Where a folder dataset keeps its label-issues report and its move log. */
export const ANNEAL_DATA_DIR = '.anneal';
export const LABEL_MOVES_FILE = 'label-moves.jsonl';

export interface MoveRecord {
  /** This record's id; an undo names the move it undoes in `undoes`. */
  id: string;
  op: 'move' | 'undo';
  undoes?: string;
  at: string;
  /** Paths relative to the dataset folder, with forward slashes. */
  from: string;
  to: string;
  fromClass: string;
  toClass: string;
}

export interface MoveLog {
  records: MoveRecord[];
  /** Moves not undone, newest first: what Undo can take back. */
  undoable: MoveRecord[];
}

const logPath = (root: string) => join(root, ANNEAL_DATA_DIR, LABEL_MOVES_FILE);
const slash = (p: string) => p.split(sep).join('/');

/** The moves recorded for the dataset folder `root`, and which can still be undone. */
export function readMoveLog(root: string): MoveLog {
  const file = logPath(resolve(root));
  const records: MoveRecord[] = [];
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line) as MoveRecord);
      } catch {
        // A line cut short by a crash mid-append: the file it names was moved back (see top).
      }
    }
  }
  const undone = new Set(records.flatMap((r) => (r.undoes ? [r.undoes] : [])));
  const undoable = records.filter((r) => r.op === 'move' && !undone.has(r.id)).reverse();
  return { records, undoable };
}

/**
 * Where class folders sit in `root`: the root itself (an image folder) or each of train/ and val/
 * (pre-split); a file's class is the first folder under that level.
 */
function classLevel(root: string, file: string): { base: string; className: string } {
  let dirs: string[];
  try {
    dirs = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !isHidden(e.name))
      .map((e) => e.name);
  } catch {
    throw new InputError(`${root}: no such folder`, { field: 'data', kind: 'not-found' });
  }
  const parts = slash(relative(root, file)).split('/');
  const split = splitFolderNames(dirs);
  const depth = split ? 1 : 0;
  if (parts.length < depth + 2 || parts[0] === '..' || isAbsolute(relative(root, file)) || parts.some(isHidden))
    throw new InputError(`${file} is not an image inside a class folder of ${root}`);
  return { base: join(root, ...parts.slice(0, depth)), className: parts[depth]! };
}

/** `name` in `dir`, or name-1.ext, name-2.ext, … the first that is free. */
function freeName(dir: string, name: string): string {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; ; i++) {
    const candidate = join(dir, i === 0 ? name : `${stem}-${i}${ext}`);
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * Moves `from` to `to` without ever replacing a file: a hard link fails where `to` exists, so a
 * file that appears between the check and the move is never overwritten; file systems without
 * hard links fall back to a checked rename.
 */
function moveNoClobber(from: string, to: string): void {
  try {
    linkSync(from, to);
    unlinkSync(from);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new InputError(`${to} appeared while moving; nothing was moved`, { kind: 'busy' });
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK') throw e;
    if (existsSync(to)) throw new InputError(`${to} already exists; nothing was moved`, { kind: 'exists' });
    renameSync(from, to);
  }
}

/** Moves, then logs; a log that cannot be written puts the file back. */
function moveAndLog(root: string, record: Omit<MoveRecord, 'id' | 'at'>): MoveRecord {
  const full: MoveRecord = { id: randomBytes(6).toString('hex'), at: new Date().toISOString(), ...record };
  const from = join(root, record.from);
  const to = join(root, record.to);
  moveNoClobber(from, to);
  try {
    mkdirSync(join(root, ANNEAL_DATA_DIR), { recursive: true });
    appendFileSync(logPath(root), `${JSON.stringify(full)}\n`);
  } catch (e) {
    renameSync(to, from);
    throw new InputError(
      `cannot write ${logPath(root)} (${(e as NodeJS.ErrnoException).code ?? e}); nothing was moved`,
    );
  }
  return full;
}

/** A move checked and ready: the file, its class, and the class folder it goes into. */
export interface PlannedMove {
  root: string;
  path: string;
  className: string;
  toClass: string;
  target: string;
}

/**
 * Checks that the image `file` of the folder dataset `root` can go into the class folder `toClass`
 * (which must exist beside its own), moving nothing: a command given several files checks them
 * all before it moves any.
 */
export function planMove(root: string, file: string, toClass: string): PlannedMove {
  const dir = resolve(root);
  const path = resolve(file);
  const { base, className } = classLevel(dir, path);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`${file}: no such file`, { kind: 'not-found' });
  }
  if (!st.isFile()) throw new InputError(`${file} is not a file`);
  if (toClass === className) throw new InputError(`${file} is already in class ${toClass}`, { field: 'to' });
  const target = join(base, toClass);
  if (!toClass || isHidden(toClass) || toClass.includes('/') || toClass.includes(sep) || !existsSync(target)) {
    const classes = readdirSync(base, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !isHidden(e.name))
      .map((e) => e.name);
    throw new InputError(`no class folder "${toClass}" (classes: ${classes.join(', ')})`, {
      field: 'to',
      kind: 'not-found',
    });
  }
  return { root: dir, path, className, toClass, target };
}

/** Moves a planned file, keeping its name where it is free in the new class folder. */
export function applyMove(p: PlannedMove): MoveRecord {
  const to = freeName(p.target, basename(p.path));
  return moveAndLog(p.root, {
    op: 'move',
    from: slash(relative(p.root, p.path)),
    to: slash(relative(p.root, to)),
    fromClass: p.className,
    toClass: p.toClass,
  });
}

/** Moves the image `file` of the folder dataset `root` into the class folder `toClass`. */
export function moveToClass(root: string, file: string, toClass: string): MoveRecord {
  return applyMove(planMove(root, file, toClass));
}

/**
 * Takes back the move `id` (default: the newest not yet undone): the file goes back to its old
 * folder, under its old name where that is free.
 */
export function undoMove(root: string, id?: string): MoveRecord {
  const dir = resolve(root);
  const { undoable, records } = readMoveLog(dir);
  const move = id === undefined ? undoable[0] : undoable.find((r) => r.id === id);
  if (!move) {
    const known = records.some((r) => r.id === id);
    throw new InputError(
      id === undefined
        ? `no move to undo in ${logPath(dir)}`
        : known
          ? `move ${id} was already undone`
          : `no move ${id} in ${logPath(dir)}`,
      { field: 'undo', kind: 'not-found' },
    );
  }
  const now = join(dir, move.to);
  if (!existsSync(now))
    throw new InputError(`${now} is no longer there (moved or deleted since); nothing was undone`, {
      field: 'undo',
      kind: 'not-found',
    });
  // Its old class folder may have been removed since: made again (nothing is lost by a folder).
  mkdirSync(dirname(join(dir, move.from)), { recursive: true });
  const back = freeName(dirname(join(dir, move.from)), basename(move.from));
  return moveAndLog(dir, {
    op: 'undo',
    undoes: move.id,
    from: move.to,
    to: slash(relative(dir, back)),
    fromClass: move.toClass,
    toClass: move.fromClass,
  });
}
