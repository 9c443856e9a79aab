// The preview grid as a PNG: one row per source image, labelled with its class, one column per
// view of it. Drawn with Skia (@napi-rs/canvas) and the DejaVu font from npm, as the charts in
// engine/plot are, so it looks the same on a machine with no system fonts.
import { createRequire } from 'node:module';
import { createCanvas, GlobalFonts, ImageData, type SKRSContext2D } from '@napi-rs/canvas';
import type { RgbImage } from '../../types.js';

const FONT = 'DejaVu Sans';
let fontsReady = false;

function registerFonts(): void {
  if (fontsReady) return;
  const require = createRequire(import.meta.url);
  // Regular and bold under one family, so "bold 15px 'DejaVu Sans'" finds the bold face.
  GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), FONT);
  GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'), FONT);
  fontsReady = true;
}

export interface GridRow {
  /** Shown bold beside the row: the class name. */
  title: string;
  /** Shown under it: the file. */
  subtitle?: string;
  /** The gutter widens (within its bounds) to show the subtitle whole (the mixed rows' λ values). */
  wholeSubtitle?: boolean;
  /** Square images, all `cell` pixels wide. */
  cells: RgbImage[];
}

export interface GridOptions {
  /** Side of every cell, in pixels. */
  cell: number;
  heading: string;
  /** A smaller second line (wrapped at " · " when too wide). */
  subheading?: string;
  /** One per column; the first column is set apart when `separateFirst`. */
  columnTitles?: string[];
  separateFirst?: boolean;
}

const PAD = 20;
const GAP = 8;
const SPLIT = 20;
const TEXT = '#1f2328';
const MUTED = '#656d76';
const RULE = '#d0d7de';

/** The grid's size in pixels, without drawing it. */
export function gridSize(rows: number, cols: number, o: Pick<GridOptions, 'cell' | 'separateFirst'>, gutter = 180) {
  const width = PAD * 2 + gutter + cols * o.cell + (cols - 1) * GAP + (o.separateFirst && cols > 1 ? SPLIT : 0);
  return { width, rowHeight: o.cell + GAP, gridHeight: rows * (o.cell + GAP) - GAP };
}

export function renderPreviewGrid(rows: readonly GridRow[], o: GridOptions): Buffer {
  registerFonts();
  const cols = Math.max(1, ...rows.map((r) => r.cells.length));
  const probe = createCanvas(1, 1).getContext('2d');
  // The label gutter fits the longest class name, within bounds.
  probe.font = `bold 15px '${FONT}'`;
  let widest = Math.max(0, ...rows.map((r) => probe.measureText(r.title).width));
  probe.font = `11px '${FONT}'`;
  for (const r of rows)
    if (r.wholeSubtitle && r.subtitle) widest = Math.max(widest, probe.measureText(r.subtitle).width);
  const gutter = Math.round(Math.min(240, Math.max(120, widest + 24)));
  const { width, rowHeight, gridHeight } = gridSize(rows.length, cols, o, gutter);

  probe.font = `13px '${FONT}'`;
  const sub = o.subheading ? wrap(probe, o.subheading, width - 2 * PAD) : [];
  const headHeight = 26 + sub.length * 18 + (o.columnTitles ? 26 : 8);
  const height = PAD + headHeight + gridHeight + PAD;

  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'alphabetic';

  let y = PAD + 16;
  ctx.fillStyle = TEXT;
  ctx.font = `bold 17px '${FONT}'`;
  ctx.fillText(fit(ctx, o.heading, width - 2 * PAD), PAD, y);
  ctx.fillStyle = MUTED;
  ctx.font = `13px '${FONT}'`;
  for (const line of sub) ctx.fillText(line, PAD, (y += 18));

  const colX = (c: number) => PAD + gutter + c * (o.cell + GAP) + (o.separateFirst && c > 0 ? SPLIT : 0);
  const top = PAD + headHeight;
  if (o.columnTitles) {
    ctx.font = `12px '${FONT}'`;
    ctx.textAlign = 'center';
    o.columnTitles.slice(0, cols).forEach((t, c) => ctx.fillText(fit(ctx, t, o.cell), colX(c) + o.cell / 2, top - 8));
    ctx.textAlign = 'left';
  }

  rows.forEach((row, r) => {
    const rowTop = top + r * rowHeight;
    if (r > 0) {
      ctx.fillStyle = RULE;
      ctx.fillRect(PAD, rowTop - GAP / 2 - 0.5, width - 2 * PAD, 1);
    }
    const mid = rowTop + o.cell / 2;
    ctx.fillStyle = TEXT;
    ctx.font = `bold 15px '${FONT}'`;
    ctx.fillText(fit(ctx, row.title, gutter - 16), PAD, row.subtitle ? mid - 2 : mid + 5);
    if (row.subtitle) {
      ctx.fillStyle = MUTED;
      ctx.font = `11px '${FONT}'`;
      ctx.fillText(fit(ctx, row.subtitle, gutter - 16, 'middle'), PAD, mid + 15);
    }
    row.cells.forEach((img, c) => ctx.putImageData(toImageData(img), colX(c), rowTop));
  });
  if (o.separateFirst && cols > 1 && rows.length) {
    ctx.fillStyle = RULE;
    ctx.fillRect(colX(1) - SPLIT / 2 - GAP / 2, top, 1, gridHeight);
  }
  return canvas.toBuffer('image/png');
}

function toImageData(img: RgbImage): ImageData {
  const n = img.width * img.height;
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0, j = 0; i < n * 3; i += 3, j += 4) {
    rgba[j] = img.data[i]!;
    rgba[j + 1] = img.data[i + 1]!;
    rgba[j + 2] = img.data[i + 2]!;
    rgba[j + 3] = 255;
  }
  return new ImageData(rgba, img.width, img.height);
}

/**
 * The text, cut with an ellipsis to fit `max` pixels in the current font: at the end, or in the
 * middle for file names (their ends, a number and an extension, tell them apart).
 */
function fit(ctx: SKRSContext2D, text: string, max: number, where: 'end' | 'middle' = 'end'): string {
  if (ctx.measureText(text).width <= max) return text;
  const cut = (keep: number) =>
    where === 'end'
      ? `${text.slice(0, keep)}…`
      : `${text.slice(0, Math.ceil(keep / 2))}…${text.slice(text.length - Math.floor(keep / 2))}`;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(cut(mid)).width <= max) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/** Lines no wider than `max`, broken at " · " where possible. */
function wrap(ctx: SKRSContext2D, text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(' · ')) {
    const next = line ? `${line} · ${part}` : part;
    if (line && ctx.measureText(next).width > max) {
      lines.push(fit(ctx, line, max));
      line = part;
    } else line = next;
  }
  if (line) lines.push(fit(ctx, line, max));
  return lines;
}
