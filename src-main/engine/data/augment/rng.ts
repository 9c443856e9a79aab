// Seeded randomness for augmentation and sampling: every random choice here is a draw from an
// `Rng`, so a seed reproduces pixels and epoch orders exactly, whichever worker thread runs the
// work and in whatever order. The generator itself (mulberry32) is the data sources' one, so a
// seed means one thing across splits, shuffles and augmentation.
import { mulberry32, shuffleInPlace, type Rng } from '../sources/index.js';
import { fmix32 } from '../sources/prng.js';

export { mulberry32, shuffleInPlace, type Rng };

/**
 * One 32-bit seed from several whole numbers (a run seed, an epoch, a sample index …), mixed with
 * MurmurHash3's fmix32 finaliser after each part, so neighbouring inputs give unrelated streams.
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = fmix32((h ^ Math.imul(p >>> 0, 0xcc9e2d51)) >>> 0);
    // Parts beyond 32 bits (e.g. Date.now()) still count.
    h = fmix32((h ^ Math.floor(p / 4294967296)) >>> 0);
  }
  return h >>> 0;
}

/** torch.empty(1).uniform_(lo, hi): one draw. */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** torch.randint(lo, hi): a whole number in [lo, hi), one draw. */
export function randint(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo));
}

/** A uniformly random permutation of 0…n-1 (Fisher–Yates, Durstenfeld): n-1 draws. */
export function permutation(n: number, rng: Rng): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(out, rng);
  return out;
}
