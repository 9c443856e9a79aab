// What `anneal data preview` shows: which images (spread over the classes, seeded), and a one-line
// summary of the augmentation config for the grid's heading.
import type { Sample } from '../../types.js';
import type { AugmentConfig } from '../config.js';
import { mulberry32, permutation, shuffleInPlace } from '../rng.js';

/** One row of the preview: a class and its samples in the order to try them (a file may not decode). */
export interface PreviewRow {
  label: number;
  candidates: Sample[];
}

/**
 * Up to `rows` rows spread over the classes that have samples: classes are dealt round-robin in a
 * seeded order, skipping a class once every one of its images has a row, so a short class never
 * shows the same image twice and the rows only run out with the images. Rows are sorted by class
 * so a class's rows sit together. Draws from mulberry32(seed): the class order, then each class's
 * shuffle.
 */
export function pickPreviewRows(
  samples: readonly Sample[],
  numClasses: number,
  rows: number,
  seed: number,
): PreviewRow[] {
  const byClass: Sample[][] = Array.from({ length: numClasses }, () => []);
  for (const s of samples) byClass[s.label]?.push(s);
  const present = byClass.flatMap((m, label) => (m.length > 0 ? [label] : []));
  const rng = mulberry32(seed);
  const order = permutation(present.length, rng).map((k) => present[k]!);
  for (const members of byClass) shuffleInPlace(members, rng);
  const used = new Array<number>(numClasses).fill(0);
  const out: PreviewRow[] = [];
  while (out.length < rows) {
    const before = out.length;
    for (const label of order) {
      if (out.length >= rows) break;
      const members = byClass[label]!;
      const n = used[label]!;
      if (n >= members.length) continue;
      used[label] = n + 1;
      // The n-th row of a class starts n places into its shuffled images; the rest are spares
      // for files that do not decode.
      out.push({ label, candidates: [...members.slice(n), ...members.slice(0, n)] });
    }
    if (out.length === before) break;
  }
  return out.sort((a, b) => a.label - b.label);
}

const num = (v: number) => String(Number(v.toFixed(2)));
const range = (v: number | readonly [number, number], centre: 'one' | 'zero') => {
  if (typeof v !== 'number') return `${num(v[0])}–${num(v[1])}`;
  return centre === 'one' ? `${num(Math.max(0, 1 - v))}–${num(1 + v)}` : `±${num(v)}`;
};

/** One line: what each block does, e.g. "crop scale 0.08–1, ratio 0.75–1.33 · h-flip 50% · …". */
export function describeAugment(c: AugmentConfig): string {
  const parts: string[] = [];
  const rrc = c.randomResizedCrop;
  parts.push(rrc ? `random crop: area ${range(rrc.scale, 'one')}, ratio ${range(rrc.ratio, 'one')}` : 'centre crop');
  if (c.hflip) parts.push(`h-flip ${num(c.hflip * 100)}%`);
  if (c.vflip) parts.push(`v-flip ${num(c.vflip * 100)}%`);
  if (c.rotate !== false && !(typeof c.rotate === 'number' ? c.rotate === 0 : c.rotate[0] === 0 && c.rotate[1] === 0)) {
    parts.push(`rotate ${range(c.rotate, 'zero')}°`);
  }
  const j = c.colorJitter;
  if (j) {
    const on = (
      [
        ['brightness', j.brightness, 'one'],
        ['contrast', j.contrast, 'one'],
        ['saturation', j.saturation, 'one'],
        ['hue', j.hue, 'zero'],
      ] as const
    ).filter(([, v, centre]) =>
      typeof v === 'number' ? v !== 0 : !(v[0] === v[1] && v[0] === (centre === 'one' ? 1 : 0)),
    );
    if (on.length) parts.push(`jitter ${on.map(([name, v, centre]) => `${name} ${range(v, centre)}`).join(', ')}`);
  }
  parts.push(c.interpolation);
  return parts.join(' · ');
}
