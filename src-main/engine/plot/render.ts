// Server-side charts as PNG: Chart.js drawing on a Skia canvas (@napi-rs/canvas ships its
// native library inside the npm package). The font comes from npm as well, so a machine with no
// system fonts still gets labelled axes.
import { createRequire } from 'node:module';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';

const FONT = 'DejaVu Sans';
let ready = false;

function setup(): void {
  if (ready) return;
  const require = createRequire(import.meta.url);
  GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), FONT);
  Chart.register(...registerables);
  Chart.defaults.font.family = FONT;
  ready = true;
}

/** PNG has an alpha channel; paint white so viewers with dark backgrounds show the chart. */
const whiteBackground: Plugin = {
  id: 'anneal-white-background',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export function renderChartPng(config: ChartConfiguration, width: number, height: number): Buffer {
  setup();
  const canvas = createCanvas(width, height);
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [...(config.plugins ?? []), whiteBackground],
  });
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

export { PALETTE } from './palette.js';
