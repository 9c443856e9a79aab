// One error type for every weight file the readers refuse: it names the file and says what is
// wrong with it, so the CLI and the UI can show it as is.
import { InputError, type InputErrorKind } from '../errors.js';

/** A weight file that cannot be read. The message is `${path}: ${reason}`. */
export class WeightFileError extends InputError {
  declare readonly path: string;

  constructor(path: string, reason: string, options?: { cause?: unknown; kind?: InputErrorKind }) {
    super(reason, { path, kind: options?.kind ?? 'unsupported', cause: options?.cause });
    this.name = 'WeightFileError';
  }
}

/** Byte counts for messages: "812 bytes", "3.4 MB", "1.2 GB" (powers of 1024). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]!}`;
}

/** The message of anything thrown, for wrapping a library's error in a WeightFileError. */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
