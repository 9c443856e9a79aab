// A generated 4-class image dataset (circle, cross, square, triangle) of small PNGs: the target task
// of `anneal demo` and of the training tests (made at run time, nothing committed).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export const SHAPE_CLASSES = ['circle', 'cross', 'square', 'triangle'] as const;

export async function makeShapes(root: string, perClass: number, size = 32, seed = 0): Promise<void> {
  for (const c of SHAPE_CLASSES) mkdirSync(join(root, c), { recursive: true });
  const u = size / 32;
  for (let k = 0; k < perClass; k++) {
    for (const c of SHAPE_CLASSES) {
      const j = k + seed * 1000;
      const x = (6 + ((j * 7) % 12)) * u;
      const y = (6 + ((j * 5) % 12)) * u;
      const s = (10 + (j % 5)) * u;
      const hue = (j * 37) % 360;
      const col = `hsl(${hue},70%,55%)`;
      const shape =
        c === 'circle'
          ? `<circle cx="${x + s / 2}" cy="${y + s / 2}" r="${s / 2}" fill="${col}"/>`
          : c === 'square'
            ? `<rect x="${x}" y="${y}" width="${s}" height="${s}" fill="${col}"/>`
            : c === 'triangle'
              ? `<polygon points="${x},${y + s} ${x + s / 2},${y} ${x + s},${y + s}" fill="${col}"/>`
              : `<g stroke="${col}" stroke-width="${3 * u}"><line x1="${x}" y1="${y}" x2="${x + s}" y2="${y + s}"/><line x1="${x + s}" y1="${y}" x2="${x}" y2="${y + s}"/></g>`;
      const bg = `hsl(${(hue + 180) % 360},20%,${20 + (j % 3) * 10}%)`;
      const svg = `<svg width="${size}" height="${size}" xmlns="http://www.w3.org/2000/svg"><rect width="${size}" height="${size}" fill="${bg}"/>${shape}</svg>`;
      await sharp(Buffer.from(svg))
        .png()
        .toFile(join(root, c, `${c}-${j}.png`));
    }
  }
}
