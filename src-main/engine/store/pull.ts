// `anneal models pull`: download a catalog entry's weights, check the hash, store them.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { StoreError, findWeights, registerWeights, weightsDir, type StoreEntry } from './weights-store.js';

export interface PullProgress {
  received: number;
  /** From Content-Length; null when the server does not say. */
  total: number | null;
}

/**
 * `ANNEAL_WEIGHTS_MIRROR` replaces the host part of every weights URL (a lab's local mirror);
 * the file name, and so the hash check, stay the same.
 */
export function weightsUrl(url: string): string {
  const mirror = process.env.ANNEAL_WEIGHTS_MIRROR;
  if (!mirror) return url;
  return `${mirror.replace(/\/+$/, '')}/${url.split('/').pop()}`;
}

export async function pullWeights(ref: string, onProgress?: (p: PullProgress) => void): Promise<StoreEntry> {
  const { spec, weights } = findWeights(ref);
  const url = weightsUrl(weights.url);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new StoreError(
      `cannot download ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message} ` +
        '(offline? bring the file in by hand and run `anneal models add <file>`, or set ANNEAL_WEIGHTS_MIRROR)',
    );
  }
  if (!res.ok || !res.body) throw new StoreError(`cannot download ${url}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || null;
  mkdirSync(weightsDir(), { recursive: true });
  const file = `${spec.id}-${weights.id}-${weights.url.split('/').pop()}`;
  const tmp = join(weightsDir(), `.${file}.${randomBytes(4).toString('hex')}.part`);
  const hash = createHash('sha256');
  let received = 0;
  try {
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      received += chunk.length;
      onProgress?.({ received, total });
    });
    await pipeline(body, createWriteStream(tmp));
    const sha256 = hash.digest('hex');
    const ok = weights.sha256 ? sha256 === weights.sha256 : sha256.startsWith(weights.sha256Prefix);
    if (!ok) {
      throw new StoreError(
        `${url}: sha256 ${sha256} does not match the catalog (${weights.sha256 ?? `${weights.sha256Prefix}…`}); the file was discarded`,
      );
    }
    renameSync(tmp, join(weightsDir(), file));
    const entry: StoreEntry = {
      arch: spec.id,
      weights: weights.id,
      file,
      sha256,
      bytes: received,
      added: new Date().toISOString(),
      how: 'pull',
    };
    registerWeights(entry);
    return entry;
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof StoreError) throw e;
    throw new StoreError(`download of ${url} failed: ${(e as Error).message}`);
  }
}
