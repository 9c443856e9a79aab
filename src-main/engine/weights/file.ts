// Bounded access to a weight file: every read is checked against the file's size first, and
// nothing is allocated before the bytes it is for are known to exist and to fit in memory.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { WeightFileError, describeError, formatBytes } from './errors.js';

/** The default memory cap: 80% of this machine's RAM. */
export function defaultMaxBytes(): number {
  return Math.floor(totalmem() * 0.8);
}

/** stat() with the reasons a user can act on. */
export function statPath(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new WeightFileError(path, 'no such file');
    if (code === 'EACCES' || code === 'EPERM') throw new WeightFileError(path, 'permission denied');
    throw new WeightFileError(path, `cannot open: ${describeError(e)}`, { cause: e });
  }
}

/** Refuses a file larger than memory allows, before a single byte of it is read. */
export function checkFits(path: string, size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new WeightFileError(
      path,
      `is ${formatBytes(size)}, more than this machine's memory allows (${formatBytes(maxBytes)})`,
    );
  }
}

/** Counts what a read allocates (decoded tensors, inflated entries) against the memory cap. */
export class Budget {
  private used = 0;
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {}

  take(bytes: number, what: string): void {
    this.used += bytes;
    if (!Number.isSafeInteger(bytes) || this.used > this.maxBytes) {
      throw new WeightFileError(
        this.path,
        `${what} needs ${formatBytes(bytes)}, more than this machine's memory allows (${formatBytes(this.maxBytes)})`,
      );
    }
  }

  /** Memory that is garbage again (raw bytes once decoded). */
  release(bytes: number): void {
    this.used -= bytes;
  }
}

export interface Source {
  readonly path: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or a WeightFileError when the file ends before. */
  read(offset: number, length: number, what?: string): Uint8Array;
  close(): void;
}

/** Opens a regular, non-empty file for bounded reads. */
export function openSource(path: string): Source {
  const st = statPath(path);
  if (st.isDirectory()) throw new WeightFileError(path, 'is a directory, not a weight file');
  if (!st.isFile()) throw new WeightFileError(path, 'is not a regular file');
  if (st.size === 0) throw new WeightFileError(path, 'is empty (0 bytes)');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new WeightFileError(path, `cannot open: ${describeError(e)}`, { cause: e });
  }
  const size = fstatSync(fd).size;
  return {
    path,
    size,
    read(offset, length, what = 'data') {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        throw new WeightFileError(path, `${what}: invalid byte range ${offset}+${length}`);
      }
      if (offset + length > size) {
        throw new WeightFileError(
          path,
          `truncated: ${what} needs bytes ${offset}..${offset + length} but the file ends at ${size}`,
        );
      }
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        // readSync reads at most 2 GB at a time.
        const n = readSync(fd, buf, done, Math.min(length - done, 1 << 30), offset + done);
        if (n === 0) throw new WeightFileError(path, `truncated: ${what} ends early (the file shrank while read)`);
        done += n;
      }
      return buf;
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Reads the whole (already size-checked) file in 4 MB pieces into a SHA-256. */
export function sha256Of(paths: readonly string[]): string {
  const hash = createHash('sha256');
  const chunk = new Uint8Array(4 << 20);
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return hash.digest('hex');
}
