// Seeded randomness shared by the data layer (splits here; shuffles and augmentation may use the
// same), so one seed reproduces a run on any machine. mulberry32 by Tommy Ettinger (public domain,
// https://gist.github.com/tommyettinger/46a874533244883189143505d203312c): 32 bits of state, passes
// gjrand and PractRand up to its period of 2^32, which is ample for shuffling lists of files.
// It is bit-for-bit the generator in data/augment/rng.ts and data/pipeline/loader.ts.

/** Uniform in [0, 1), one draw per call. */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** MurmurHash3's fmix32 finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit seed for one named stream of a run (e.g. one class's shuffle): FNV-1a over the UTF-16
 * units of `name`, mixed with the run seed (both 32-bit halves, so seeds above 2^32 still count).
 * Streams keyed by name stay the same when other names are added or removed.
 */
export function namedSeed(seed: number, name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  h = fmix32((h ^ (seed >>> 0)) >>> 0);
  return fmix32((h ^ Math.floor(seed / 4294967296)) >>> 0);
}

/** Fisher–Yates (Durstenfeld) in place, from the end: j drawn in [0, i] for i = n-1 … 1. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
