import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic as writeAtomic } from '../engine/index.js';
import { UsageError } from './errors.js';

/** Reads and parses a JSON file; every failure is a UsageError naming the file. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(e));
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Writes a file atomically (engine/fs); a failure is a UsageError naming the path. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  try {
    writeAtomic(resolve(path), data);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
