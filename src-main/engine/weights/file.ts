// Bounded access to a weight file: every read is checked against the file's size first, and
// nothing is allocated before the bytes it is for are known to exist and to fit in memory.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { WeightFileError, describeError, formatBytes } from './errors.js';

/**
 * Limits on what reading one weight file may allocate (docs/security.md, "Files people bring").
 * They are fixed numbers, not a share of this machine's RAM, so that a small file cannot claim a
 * big machine's memory; the environment variables raise (or lower) them.
 */
export const WEIGHT_LIMITS = {
  /** The file, and everything decoded from it together. */
  total: { env: 'ANNEAL_MAX_WEIGHT_BYTES', default: 4 * 1024 ** 3 },
  /** One tensor, storage or archive entry. The largest in the zoo is 9.8 MB (ResNet-101's fc). */
  tensor: { env: 'ANNEAL_MAX_TENSOR_BYTES', default: 1024 ** 3 },
} as const;

/** A byte count from the environment: digits, optionally with a K, M or G (powers of 1024) suffix. */
function envBytes(limit: { env: string; default: number }): number {
  const raw = process.env[limit.env];
  if (raw === undefined || raw === '') return limit.default;
  const m = /^(\d+)\s*([KMG]i?B?)?$/i.exec(raw.trim());
  const n = m ? Number(m[1]) * 1024 ** ('KMG'.indexOf((m[2] ?? ' ')[0]!.toUpperCase()) + 1) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new InputError(`${limit.env}=${raw}: expected a number of bytes, e.g. 8G or 2147483648`, {
      field: limit.env,
    });
  }
  return n;
}

/** The cap on a whole file and what is decoded from it (ANNEAL_MAX_WEIGHT_BYTES, default 4 GB). */
export function defaultMaxBytes(): number {
  return envBytes(WEIGHT_LIMITS.total);
}

/** The cap on one tensor or archive entry (ANNEAL_MAX_TENSOR_BYTES, default 1 GB). */
export function maxTensorBytes(): number {
  return envBytes(WEIGHT_LIMITS.tensor);
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
      `is ${formatBytes(size)}, more than the limit of ${formatBytes(maxBytes)} (${WEIGHT_LIMITS.total.env} raises it)`,
      { kind: 'too-large' },
    );
  }
}

/** Counts what a read allocates (decoded tensors, inflated entries) against the memory cap. */
export class Budget {
  private used = 0;
  constructor(
    readonly path: string,
    readonly maxBytes: number,
    /** The cap on any one take (a tensor, a storage, an archive entry). */
    readonly maxOne: number = maxTensorBytes(),
  ) {}

  /** Counts `bytes` before they are allocated: over a limit, nothing is. */
  take(bytes: number, what: string): void {
    this.used += bytes;
    if (!Number.isSafeInteger(bytes) || this.used > this.maxBytes) {
      throw new WeightFileError(
        this.path,
        `${what} needs ${formatBytes(bytes)}, more than the limit of ${formatBytes(this.maxBytes)} ` +
          `(${WEIGHT_LIMITS.total.env} raises it)`,
        { kind: 'too-large' },
      );
    }
    if (bytes > this.maxOne) {
      throw new WeightFileError(
        this.path,
        `${what} needs ${formatBytes(bytes)}, more than the limit of ${formatBytes(this.maxOne)} for one tensor ` +
          `(${WEIGHT_LIMITS.tensor.env} raises it)`,
        { kind: 'too-large' },
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
