// The near-duplicate threshold option (duplicates.ts says how it was chosen): zod only, so the
// contract and the renderer can validate it without Node.
import { z } from 'zod';

export const DEFAULT_NEAR_DUPLICATES = 6;
export const MAX_NEAR_DUPLICATES = 16;

/** Bits of 64 two pHashes may differ in to be near-duplicates, or false for byte-identical only. */
export const NearDuplicates = z.union([
  z
    .number()
    .int('must be a whole number of bits')
    .min(0, 'must be 0 to 16 bits of 64, or false')
    .max(MAX_NEAR_DUPLICATES, 'must be 0 to 16 bits of 64, or false'),
  z.literal(false),
]);
export type NearDuplicates = z.infer<typeof NearDuplicates>;
