// run.json (what a run was: its config, seed, software, device and data, written once) and
// split.json (exactly which files it trained and validated on), so that a run folder alone says
// how to reproduce it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { compareCodePoints } from '../data/sources/order.js';
import { errnoCode, firstIssue, RunStoreError } from './errors.js';
import { RUN_FILES } from './layout.js';

const fields = {
  format: z.literal('anneal-run'),
  version: z.literal(1),
  id: z.string().min(1),
  /** ISO 8601, UTC. */
  created: z.string().min(1),
  /** The model architecture, e.g. resnet50 (also in the id, and what run lists show). */
  arch: z.string().min(1),
  /** The whole run config as given. */
  config: z.record(z.string(), z.unknown()),
  seed: z.int(),
  versions: z.object({ anneal: z.string(), node: z.string(), tfjs: z.string(), backend: z.string() }),
  backend: z.object({ name: z.string(), device: z.string().nullable() }),
  /** What computed the training steps on image batches ("onnxruntime 1.30.0 (cpu, 2 threads)"), and why; absent in older runs. */
  trainEngine: z.object({ engine: z.string(), runtime: z.string(), why: z.string() }).optional(),
  dataset: z.object({
    root: z.string(),
    /** manifestHash() of every file the dataset listed: a changed, added or removed file changes it. */
    manifestHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in hex'),
    classes: z.array(z.string()),
    /** Sample counts. */
    train: z.int().nonnegative(),
    val: z.int().nonnegative(),
  }),
};

/** run.json. Fields a later version adds are kept, not refused. */
export const RunMeta = z.looseObject(fields);
export type RunMeta = z.infer<typeof RunMeta>;

/** What RunStore.create takes: run.json less what the store fills in. */
// (From the plain object type: Omit over the loose object's index signature would drop every field.)
export type NewRunMeta = Omit<z.input<z.ZodObject<typeof fields>>, 'format' | 'version' | 'id' | 'created'> & {
  /** Defaults to now. */
  created?: Date;
};

const SplitEntry = z.object({ path: z.string(), label: z.int().nonnegative() });
export const SplitFile = z.object({
  train: z.array(SplitEntry),
  val: z.array(SplitEntry),
  /** How the split was made (data/types.ts Split); absent in runs from before it was recorded. */
  method: z.enum(['stratified', 'folders']).optional(),
  seed: z.number().nullable().optional(),
  valFraction: z.number().nullable().optional(),
  /** Duplicate groups the split kept together, each on one side (data/sources/duplicates.ts). */
  duplicateGroups: z.array(z.array(z.string())).optional(),
});
export type SplitFile = z.infer<typeof SplitFile>;

export interface ManifestFile {
  path: string;
  label: string | number;
  /** Bytes. */
  size: number;
  /** Modification time in milliseconds (fs.Stats.mtimeMs). */
  mtime: number;
}

/**
 * sha256 (hex) of the lines "path\tlabel\tsize\tmtime", sorted by code point and each ended by
 * "\n". Sorted, so that the order files were listed in does not matter.
 */
export function manifestHash(files: readonly ManifestFile[]): string {
  const lines = files.map((f) => `${f.path}\t${f.label}\t${f.size}\t${f.mtime}`).sort(compareCodePoints);
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex');
}

/**
 * `2026-11-21T04-58-03-resnet_micro-a1b2`: UTC time first, so ids sort in the order runs were
 * made; no colons, which Windows refuses in file names; a random tail for runs made in the same
 * second.
 */
export function makeRunId(arch: string, created: Date = new Date()): string {
  const time = created.toISOString().slice(0, 19).replace(/:/g, '-');
  const name = arch.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'run';
  return `${time}-${name}-${randomBytes(2).toString('hex')}`;
}

/** Reads and validates run.json; one RunStoreError naming the problem for anything else. */
export function readRunMeta(runDir: string): RunMeta {
  const dir = resolve(runDir);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    throw new RunStoreError(`cannot open run ${dir}: ${errnoCode(e)}`);
  }
  if (!isDir) throw new RunStoreError(`${dir} is not a run folder (not a folder)`);
  const path = join(dir, RUN_FILES.meta);
  if (!existsSync(path)) throw new RunStoreError(`${dir} is not an Anneal run folder (no ${RUN_FILES.meta})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RunStoreError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const format = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).format : undefined;
  if (format !== 'anneal-run') {
    throw new RunStoreError(`${path} is not an Anneal run's ${RUN_FILES.meta} (format ${JSON.stringify(format)})`);
  }
  const parsed = RunMeta.safeParse(raw);
  if (!parsed.success) throw new RunStoreError(`${path}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}
