// Bounded concurrency for file work: enough requests in flight to keep the disk and libuv's
// thread pool busy, few enough that a 100k-file dataset never holds 100k buffers at once.
import { availableParallelism } from 'node:os';

/** Two per core: half wait on the disk while the other half decode. */
export function defaultConcurrency(): number {
  return Math.max(2, availableParallelism() * 2);
}

/**
 * `fn` over every item with at most `limit` calls running; results in input order. The first
 * rejection rejects the whole (fn should turn expected failures into values).
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  const n = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}
