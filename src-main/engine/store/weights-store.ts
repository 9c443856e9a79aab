// The local store of pretrained weight files: ~/.anneal/weights (or $ANNEAL_HOME/weights), with a
// registry.json saying which catalog entry each file is and its full sha256. Files arrive by
// `anneal models pull` (download, hash checked) or `anneal models add` (brought in by hand).
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs/index.js';
import { loadCatalog, type ArchSpec, type CatalogWeights } from '../models/index.js';
import { InputError, type InputErrorOptions } from '../errors.js';

export class StoreError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'StoreError';
  }
}

const Entry = z.strictObject({
  arch: z.string(),
  weights: z.string(),
  file: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  added: z.string(),
  how: z.enum(['pull', 'add']),
});
export type StoreEntry = z.infer<typeof Entry>;
const Registry = z.strictObject({ version: z.literal(1), entries: z.array(Entry) });

export function annealHome(): string {
  return process.env.ANNEAL_HOME ?? join(homedir(), '.anneal');
}

export function weightsDir(): string {
  return join(annealHome(), 'weights');
}

function registryPath(): string {
  return join(weightsDir(), 'registry.json');
}

export function readRegistry(): StoreEntry[] {
  if (!existsSync(registryPath())) return [];
  const parsed = Registry.safeParse(JSON.parse(readFileSync(registryPath(), 'utf8')));
  if (!parsed.success) throw new StoreError(`${registryPath()} is damaged: ${parsed.error.issues[0]?.message}`);
  return parsed.data.entries;
}

function writeRegistry(entries: StoreEntry[]): void {
  writeJsonAtomic(registryPath(), { version: 1, entries });
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A catalog entry by "arch" (its first weights) or "arch:weightsId". */
export function findWeights(ref: string): { spec: ArchSpec; weights: CatalogWeights } {
  const [arch, id] = ref.split(':');
  const spec = loadCatalog().get(arch!);
  if (!spec) throw new StoreError(`unknown architecture "${arch}" (known: ${[...loadCatalog().keys()].join(', ')})`);
  const weights = id ? spec.weights.find((w) => w.id === id) : spec.weights[0];
  if (!weights) {
    const known = spec.weights.map((w) => `${spec.id}:${w.id}`).join(', ');
    throw new StoreError(
      id ? `${spec.id} has no weights "${id}" (known: ${known || 'none'})` : `${spec.id} has no published weights`,
    );
  }
  return { spec, weights };
}

/** The catalog entry a file is, by its hash (torch.hub's prefix rule), if any. */
export function identify(sha256: string): { spec: ArchSpec; weights: CatalogWeights } | undefined {
  for (const spec of loadCatalog().values()) {
    for (const weights of spec.weights) {
      if (weights.sha256 ? weights.sha256 === sha256 : sha256.startsWith(weights.sha256Prefix))
        return { spec, weights };
    }
  }
  return undefined;
}

/** Records a verified file that already sits in the store. */
function register(entry: StoreEntry): void {
  const others = readRegistry().filter((e) => !(e.arch === entry.arch && e.weights === entry.weights));
  writeRegistry([...others, entry]);
}

/** `anneal models add`: copies a file into the store, identified by hash or by --arch. */
export async function addWeights(path: string, opts: { arch?: string } = {}): Promise<StoreEntry> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new StoreError(`${path}: no such file`);
  const sha256 = await sha256File(path);
  const known = identify(sha256);
  let arch: string;
  let weights: string;
  if (known) {
    if (opts.arch && opts.arch !== known.spec.id) {
      throw new StoreError(`${path} is ${known.spec.id} ${known.weights.id} (by its sha256), not ${opts.arch}`);
    }
    arch = known.spec.id;
    weights = known.weights.id;
  } else {
    if (!opts.arch) {
      throw new StoreError(
        `${path} matches no catalog weights (sha256 ${sha256}); name its architecture to register it as custom weights`,
        { kind: 'missing', field: 'arch' },
      );
    }
    if (!loadCatalog().has(opts.arch)) throw new StoreError(`unknown architecture "${opts.arch}"`);
    arch = opts.arch;
    weights = `custom-${sha256.slice(0, 8)}`;
  }
  mkdirSync(weightsDir(), { recursive: true });
  const file = `${arch}-${weights}-${basename(path)}`;
  const tmp = join(weightsDir(), `.${file}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    copyFileSync(path, tmp);
    renameSync(tmp, join(weightsDir(), file));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new StoreError(`cannot copy into ${weightsDir()}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const entry: StoreEntry = {
    arch,
    weights,
    file,
    sha256,
    bytes: statSync(path).size,
    added: new Date().toISOString(),
    how: 'add',
  };
  register(entry);
  return entry;
}

export { register as registerWeights };
