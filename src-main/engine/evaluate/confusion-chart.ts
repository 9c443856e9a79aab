// The confusion matrix as a heatmap PNG: true class down, predicted class across, the count in
// every cell. Chart.js has no matrix chart, so the category axes come from Chart.js (labels,
// titles, the font and the white background every Anneal chart has) and a plugin paints the cells.
import type { Chart, ChartConfiguration, Plugin } from 'chart.js';
import { PALETTE, renderChartPng } from '../plot/index.js';

export interface ConfusionChartOptions {
  title?: string;
  /** A line under the title, e.g. which run and which images. */
  subtitle?: string;
  /** Pixel size of the whole image; default from the number of classes. */
  width?: number;
  height?: number;
}

const LOW = [255, 255, 255];
const HIGH = [0x00, 0x72, 0xb2]; // PALETTE[0]

/**
 * Shade by the share of the true class's images in the cell (the row's recall split), not by the
 * raw count: with unbalanced classes, counts would make every small class's row look empty.
 */
function shade(share: number): string {
  const mix = LOW.map((lo, c) => Math.round(lo + (HIGH[c]! - lo) * share));
  return `rgb(${mix.join(',')})`;
}

function cellsPlugin(classes: readonly string[], confusion: readonly (readonly number[])[]): Plugin {
  return {
    id: 'anneal-confusion-cells',
    beforeDatasetsDraw(chart: Chart) {
      const { ctx } = chart;
      const x = chart.scales.x!;
      const y = chart.scales.y!;
      const n = classes.length;
      const w = x.width / n;
      const h = y.height / n;
      const font = Math.max(9, Math.min(22, Math.floor(Math.min(w, h) / 3)));
      ctx.save();
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      confusion.forEach((row, i) => {
        const total = row.reduce((a, b) => a + b, 0);
        row.forEach((count, j) => {
          const share = total ? count / total : 0;
          const left = x.getPixelForValue(j) - w / 2;
          const top = y.getPixelForValue(i) - h / 2;
          ctx.fillStyle = shade(share);
          ctx.fillRect(left, top, w, h);
          ctx.strokeStyle = '#d0d0d0';
          ctx.lineWidth = 1;
          ctx.strokeRect(left, top, w, h);
          // Too small to read: the colour alone says it (the text report has every number).
          if (Math.min(w, h) < 14) return;
          // Zeros in grey: in a large matrix the few off-diagonal counts must stand out.
          ctx.fillStyle = share > 0.5 ? '#ffffff' : count === 0 ? '#a8a8a8' : '#202020';
          const bold = i === j ? 'bold ' : '';
          const showShare = h >= 3.2 * font && count > 0;
          ctx.font = `${bold}${font}px "DejaVu Sans"`;
          ctx.fillText(String(count), left + w / 2, top + h / 2 - (showShare ? font * 0.45 : 0));
          if (showShare) {
            ctx.font = `${Math.round(font * 0.6)}px "DejaVu Sans"`;
            ctx.fillText(`${Math.round(share * 100)}%`, left + w / 2, top + h / 2 + font * 0.65);
          }
        });
      });
      ctx.restore();
    },
  };
}

export function confusionChartConfig(
  s: { classes: readonly string[]; confusion: readonly (readonly number[])[] },
  opts: ConfusionChartOptions = {},
): ChartConfiguration {
  const labels = [...s.classes];
  // One invisible point per cell so that both category axes span every class.
  const points = labels.flatMap((_, i) => labels.map((__, j) => ({ x: j, y: i })));
  return {
    type: 'scatter',
    data: { datasets: [{ data: points, pointRadius: 0, pointHoverRadius: 0, borderColor: PALETTE[0] }] },
    options: {
      layout: { padding: { top: 8, right: 24, bottom: 8, left: 8 } },
      plugins: {
        legend: { display: false },
        tooltip: { enabled: false },
        title: { display: Boolean(opts.title), text: opts.title ?? '', font: { size: 16 } },
        subtitle: {
          display: true,
          text: [...(opts.subtitle ? [opts.subtitle] : []), 'count per cell; colour: share of the true class (row)'],
          padding: { bottom: 12 },
        },
      },
      scales: {
        x: {
          type: 'category',
          labels,
          offset: true,
          grid: { display: false },
          title: { display: true, text: 'predicted class', font: { size: 14 } },
        },
        y: {
          type: 'category',
          labels,
          offset: true,
          grid: { display: false },
          title: { display: true, text: 'true class', font: { size: 14 } },
        },
      },
    },
    plugins: [cellsPlugin(labels, s.confusion)],
  } as unknown as ChartConfiguration;
}

/** The heatmap as PNG bytes; about 80 px a cell for a few classes, less for many. */
export function renderConfusionPng(
  s: { classes: readonly string[]; confusion: readonly (readonly number[])[] },
  opts: ConfusionChartOptions = {},
): Buffer {
  const n = Math.max(1, s.classes.length);
  const cell = Math.max(16, Math.min(90, Math.floor(900 / n)));
  const longest = Math.max(...s.classes.map((c) => c.length), 4);
  const labelPx = Math.min(220, longest * 8);
  // Wide enough for the title and subtitle, which Chart.js would otherwise squeeze.
  const text = Math.max((opts.title?.length ?? 0) * 10, (opts.subtitle?.length ?? 0) * 7);
  const width = opts.width ?? Math.max(520, n * cell + labelPx + 90, text + 40);
  const height = opts.height ?? Math.max(460, n * cell + labelPx + 130);
  return renderChartPng(confusionChartConfig(s, opts), width, height);
}
