// The batch size a run config's "auto" resolves to. Pure (no imports): the renderer's "What will
// run" and schedule preview compute steps per epoch with it, as training does.

/** "auto": a power of two from 8 to 32 giving about 20 optimizer steps per epoch. */
export function resolveBatchSize(batchSize: number | 'auto', trainImages: number): number {
  if (batchSize !== 'auto') return batchSize;
  const target = Math.max(8, Math.min(32, Math.floor(trainImages / 20)));
  return 2 ** Math.floor(Math.log2(target));
}
