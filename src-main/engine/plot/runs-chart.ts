// Several runs' curves of one metric on one chart: x the global epoch (as in metrics.jsonl), one
// colour per run. After the palette's eight colours, dashes tell runs apart.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { PALETTE, renderChartPng } from './render.js';

export interface RunsChartSeries {
  label: string;
  /** Global epoch (from 0) and the metric's value there; null where it was not measured. */
  points: readonly { epoch: number; value: number | null }[];
}

export interface RunsChartOptions {
  /** The y axis title, e.g. "val_accuracy". */
  metric: string;
  title?: string;
  width?: number;
  height?: number;
}

const DASHES: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3]];

export function runsChartConfig(series: readonly RunsChartSeries[], opts: RunsChartOptions): ChartConfiguration {
  const datasets: ChartDataset<'line', { x: number; y: number | null }[]>[] = series.map((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    return {
      label: s.label,
      data: s.points.map((p) => ({ x: p.epoch, y: p.value })),
      borderColor: colour,
      backgroundColor: colour,
      borderDash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length],
      // Runs have few epochs: a point per epoch shows where each value was measured.
      pointRadius: 3,
      borderWidth: 2,
      // Points on the first and last epoch sit on the frame: let them show whole.
      clip: 6,
      tension: 0,
    };
  });
  const last = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.epoch)));
  return {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      spanGaps: false,
      layout: { padding: { right: 16 } },
      plugins: {
        title: { display: Boolean(opts.title), text: opts.title ?? '', font: { size: 16 } },
        legend: { position: 'bottom' },
      },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: Math.max(1, last),
          title: { display: true, text: 'epoch (global, from 0)' },
          ticks: { stepSize: 1, precision: 0 },
        },
        // Autoscaled: runs that differ by a point of accuracy should look different.
        y: { type: 'linear', grace: '5%', title: { display: true, text: opts.metric } },
      },
    },
  } as ChartConfiguration;
}

export function renderRunsPng(series: readonly RunsChartSeries[], opts: RunsChartOptions): Buffer {
  return renderChartPng(runsChartConfig(series, opts), opts.width ?? 1000, opts.height ?? 560);
}
