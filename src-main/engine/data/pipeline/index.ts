// The data pipeline: worker threads, a presized-image cache, prefetched batches.
export { ImageCache, type CacheHit, type CacheOptions } from './cache.js';
export { DataLoader, type Batch, type LoaderOptions } from './loader.js';
export { WorkerPool } from './pool.js';
