// The augmentation preview's MixUp/CutMix rows: each drawn row's augmented views mixed with those
// of the row it pairs with in timm's batch mode (row i with row N−1−i, x.flip(0)), one draw per
// cell from the run's own generator (train/mix.ts), λ written under the row.
import { drawMix, mixOn, mixPixels, mixRng } from '../../../train/mix.js';
import type { MixSettings } from '../../../train/recipes.js';
import type { GridRow } from './grid.js';

/** Salts the preview's draws apart from training's (which use the step). */
const PREVIEW_SALT = 0x70726576;

export function mixedRows(rows: readonly GridRow[], mix: MixSettings, seed: number): { rows: GridRow[]; note: string } {
  if (!mixOn(mix) || rows.length < 2) return { rows: [], note: '' };
  const methods = [mix.mixup && `MixUp α ${mix.mixup.alpha}`, mix.cutmix && `CutMix α ${mix.cutmix.alpha}`];
  const note =
    `${methods.filter(Boolean).join(' / ')}, p ${mix.mixProb}${mix.mixup && mix.cutmix ? `, CutMix p ${mix.switchProb}` : ''} · ` +
    `the last ${rows.length} rows mix row i with row ${rows.length} − 1 − i as a batch does · ` +
    'λ of each view under the row (M MixUp, C CutMix, – not mixed)';
  const out = rows.map((row, r) => {
    const partner = rows[rows.length - 1 - r]!;
    const lams: string[] = [];
    const cells = row.cells.map((own, c) => {
      // The eval view (column 0) stays as it is: only training batches are mixed.
      if (c === 0) return own;
      const other = partner.cells[c]!;
      const d = drawMix(mix, mixRng(seed, PREVIEW_SALT + r, c), own.height, own.width);
      lams.push(d ? `${d.method === 'mixup' ? 'M' : 'C'}${d.lam.toFixed(2).replace(/^0/, '')}` : '–');
      return d ? mixPixels(own, other, d) : own;
    });
    return { title: `${row.title} + ${partner.title}`, subtitle: `λ ${lams.join(' ')}`, wholeSubtitle: true, cells };
  });
  return { rows: out, note };
}
