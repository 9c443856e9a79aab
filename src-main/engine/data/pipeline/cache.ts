// Decoded, presized images kept for later epochs (fastai "presizing": every image is decoded once
// and resized to a square a little larger than the training crop). Memory first, up to a byte
// budget; past it, raw files in a disk folder: 100k images at 256 px are 19.7 GB, so memory stays
// bounded by the budget whatever the dataset size.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CacheOptions {
  /** Bytes of pixels kept in memory (default 1 GiB). */
  memoryBytes?: number;
  /** Folder for images past the budget; null keeps nothing on disk (they are decoded again). */
  diskDir?: string | null;
}

export type CacheHit =
  { kind: 'memory'; pixels: Uint8Array } | { kind: 'disk'; file: string } | { kind: 'miss'; spillTo: string | null };

export class ImageCache {
  readonly memoryBudget: number;
  readonly diskDir: string | null;
  #memory = new Map<string, Uint8Array>();
  #onDisk = new Set<string>();
  #memoryUsed = 0;
  /** Bytes promised to misses still being decoded, so concurrent misses cannot overshoot. */
  #reserved = new Map<string, number>();
  #ownsDisk: boolean;

  constructor(o: CacheOptions = {}) {
    this.memoryBudget = o.memoryBytes ?? 1 << 30;
    this.#ownsDisk = o.diskDir === undefined;
    this.diskDir = o.diskDir === undefined ? join(tmpdir(), `anneal-cache-${process.pid}-${Date.now()}`) : o.diskDir;
    if (this.diskDir) mkdirSync(this.diskDir, { recursive: true });
  }

  /** The key covers the file's identity (size, mtime) and the presize side. */
  key(path: string, side: number): string {
    let stamp = '';
    try {
      const s = statSync(path);
      stamp = `${s.size}:${s.mtimeMs}`;
    } catch {
      stamp = 'missing';
    }
    return createHash('sha1').update(`${path}\0${stamp}\0${side}`).digest('hex');
  }

  /** Where an image of `bytes` is (or, on a miss, where its decoded pixels should go). */
  lookup(key: string, bytes: number): CacheHit {
    const pixels = this.#memory.get(key);
    if (pixels) return { kind: 'memory', pixels };
    if (this.#onDisk.has(key) && this.diskDir) return { kind: 'disk', file: join(this.diskDir, key) };
    if (this.#reserved.has(key)) return { kind: 'miss', spillTo: null };
    let pending = 0;
    for (const b of this.#reserved.values()) pending += b;
    if (this.#memoryUsed + pending + bytes <= this.memoryBudget) {
      this.#reserved.set(key, bytes);
      return { kind: 'miss', spillTo: null };
    }
    return { kind: 'miss', spillTo: this.diskDir ? join(this.diskDir, key) : null };
  }

  /** Stores freshly decoded pixels in memory, or records that a worker wrote them to disk. */
  store(key: string, pixels: Uint8Array | null, spilled: boolean): void {
    this.#reserved.delete(key);
    if (spilled) {
      this.#onDisk.add(key);
    } else if (pixels && !this.#memory.has(key) && this.#memoryUsed + pixels.byteLength <= this.memoryBudget) {
      this.#memory.set(key, pixels);
      this.#memoryUsed += pixels.byteLength;
    }
  }

  /** A miss that produced nothing (the file did not decode) gives its reservation back. */
  release(key: string): void {
    this.#reserved.delete(key);
  }

  get stats(): { memoryImages: number; memoryBytes: number; diskImages: number } {
    return { memoryImages: this.#memory.size, memoryBytes: this.#memoryUsed, diskImages: this.#onDisk.size };
  }

  /** Frees memory and removes a disk folder this cache created. */
  clear(): void {
    this.#memory.clear();
    this.#onDisk.clear();
    this.#memoryUsed = 0;
    if (this.#ownsDisk && this.diskDir) rmSync(this.diskDir, { recursive: true, force: true });
  }
}
