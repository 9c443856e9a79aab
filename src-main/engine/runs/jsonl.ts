// Append-only JSON Lines. Each record is one write(2) of one whole line on a file opened with
// O_APPEND, so a crash can cut off at most the last line, never interleave two. Readers drop a
// last line that has no newline yet (a crash, or a writer caught mid-write); a writer trims such
// a tail before its first append, so that the next record does not get glued onto it.
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  appendFileSync,
} from 'node:fs';
import type { z } from 'zod';
import { firstIssue, RunStoreError } from './errors.js';
import { onFullDisk } from '../fs/index.js';

/** One JSON line for `record`, checked against `schema` as a reader will see it (NaN becomes null). */
export function encodeLine(schema: z.ZodType, record: unknown, what: string): string {
  const line = JSON.stringify(record);
  const parsed = schema.safeParse(JSON.parse(line));
  if (!parsed.success) throw new RunStoreError(`${what}: ${firstIssue(parsed.error)}`);
  return `${line}\n`;
}

export function appendLine(path: string, line: string): void {
  // A partial last line is cut on the next open (trimPartialTail), so every complete line stays.
  onFullDisk(path, 'every complete line before it is intact', () => appendFileSync(path, line, { flag: 'a' }));
}

/** Cuts a last line that has no newline (what a crash mid-append leaves). */
export function trimPartialTail(path: string): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    // Scan backwards in blocks for the last newline: the file can be many megabytes.
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    let keep = 0;
    let first = true;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const n = readSync(fd, block, 0, end - start, start);
      const at = block.subarray(0, n).lastIndexOf(0x0a);
      if (first && at === n - 1) return; // ends with a newline: nothing to trim
      first = false;
      if (at >= 0) {
        keep = start + at + 1;
        break;
      }
      end = start;
    }
    ftruncateSync(fd, keep);
  } finally {
    closeSync(fd);
  }
}

export interface JsonLine {
  /** 1-based line number in the file, for error messages. */
  line: number;
  text: string;
}

/** The complete lines of a JSON Lines file (none if it does not exist), without a partial last one. */
export function completeLines(path: string): JsonLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const parts = text.split('\n');
  parts.pop(); // after the last newline: '' for a whole file, else a partial line
  const out: JsonLine[] = [];
  parts.forEach((raw, i) => {
    const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw; // edited on Windows
    if (t.trim() !== '') out.push({ line: i + 1, text: t });
  });
  return out;
}

/** Parses one complete line; a complete line that is not JSON is damage, named by file and line. */
export function parseLine(path: string, l: JsonLine): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(l.text);
  } catch (e) {
    throw new RunStoreError(`${path}:${l.line}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RunStoreError(`${path}:${l.line}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Reads the records of `path` whose "type" has a schema in `schemas`, each validated. Records of
 * other types are skipped, so that a later version can add kinds of record without breaking this one.
 */
export function readRecords<T>(
  path: string,
  schemas: Record<string, z.ZodType<T>>,
  filter?: (text: string) => boolean,
): T[] {
  const out: T[] = [];
  for (const l of completeLines(path)) {
    if (filter && !filter(l.text)) continue;
    const value = parseLine(path, l);
    const schema =
      typeof value.type === 'string' && Object.hasOwn(schemas, value.type) ? schemas[value.type] : undefined;
    if (!schema) continue;
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new RunStoreError(`${path}:${l.line}: ${firstIssue(parsed.error)}`);
    out.push(parsed.data);
  }
  return out;
}
