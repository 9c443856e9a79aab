// The two ways reading data fails: one file cannot be decoded (reported as a Problem, the rest go
// on), or the dataset itself cannot be read at all (the caller stops; the CLI exits 2).
import { InputError, type InputErrorOptions } from '../../errors.js';

/** One file that is not a usable image. `reason` is short and fixed, e.g. "truncated JPEG". */
export class DecodeError extends Error {
  constructor(
    readonly reason: string,
    readonly path?: string,
  ) {
    super(path === undefined ? reason : `${path}: ${reason}`);
    this.name = 'DecodeError';
  }
}

/** A dataset that cannot be read: a missing or unreadable root, a bad CSV, bad split options. */
export class DataError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'DataError';
  }
}

/** A file-system error as a short reason ("no such file", "unreadable (EACCES)"). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'symlink loop';
    case 'EACCES':
    case 'EPERM':
      return `unreadable (${code}: permission denied)`;
    default:
      return `unreadable (${code ?? (e instanceof Error ? e.message : String(e))})`;
  }
}
