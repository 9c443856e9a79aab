// A full disk is not the user's mistake (no InputError, exit 1), but the message must still say
// which file could not be written and what is intact, so that they know what to free and what to
// do next. ENOSPC used to surface as a bare code with no path.

const FULL = new Set(['ENOSPC', 'EDQUOT']);

export function isNoSpace(e: unknown): boolean {
  return e instanceof NoSpaceError || FULL.has((e as NodeJS.ErrnoException | null)?.code ?? '');
}

export class NoSpaceError extends Error {
  constructor(
    /** The file that could not be written. */
    readonly path: string,
    /** What is still whole, in words ("the previous version of the file is intact"). */
    readonly intact: string,
    options?: { cause?: unknown },
  ) {
    super(`no space left on the device writing ${path}; ${intact}`, options);
    this.name = 'NoSpaceError';
  }

  /** The same file, with what is intact said at a higher level (a run, an export). */
  restate(intact: string): NoSpaceError {
    return new NoSpaceError(this.path, intact, { cause: this });
  }
}

/**
 * Runs `write` (which writes `path`); a full disk becomes a NoSpaceError naming the file (Node's
 * own error names it only for some calls) and saying what `intact` is.
 */
export function onFullDisk<T>(path: string, intact: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof NoSpaceError) throw e;
    if (isNoSpace(e)) throw new NoSpaceError((e as NodeJS.ErrnoException).path ?? path, intact, { cause: e });
    throw e;
  }
}

export async function onFullDiskAsync<T>(path: string, intact: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof NoSpaceError) throw e;
    if (isNoSpace(e)) throw new NoSpaceError((e as NodeJS.ErrnoException).path ?? path, intact, { cause: e });
    throw e;
  }
}
