// The schedule preview as a chart: every group's rate and, on a second axis, the momentum.
import type { ChartConfiguration, ChartDataset, Plugin } from 'chart.js';
import type { SchedulePreview } from '../schedules/index.js';
import { PALETTE, renderChartPng } from './render.js';

export interface ScheduleChartOptions {
  logScale?: boolean;
  title?: string;
  /** Names of the layer groups, first = earliest layers; defaults to "group i". */
  groupNames?: readonly string[];
  width?: number;
  height?: number;
  /** Dashed vertical lines with a label at a step, e.g. where the image size changes ("48 px"). */
  markers?: readonly { step: number; label: string }[];
}

/** The markers drawn over the chart area (the Schedule screen's Plot draws the same, Plot.svelte). */
function markerPlugin(markers: readonly { step: number; label: string }[]): Plugin {
  return {
    id: 'anneal-markers',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea } = chart;
      const x = chart.scales.x!;
      ctx.save();
      // Dark red and finely dotted: apart from the grey dashed momentum line.
      ctx.strokeStyle = '#a01010';
      ctx.fillStyle = '#a01010';
      ctx.setLineDash([2, 3]);
      ctx.font = '12px "DejaVu Sans"';
      markers.forEach((m, i) => {
        const px = x.getPixelForValue(m.step);
        ctx.beginPath();
        ctx.moveTo(px, chartArea.top);
        ctx.lineTo(px, chartArea.bottom);
        ctx.stroke();
        ctx.fillText(m.label, px + 4, chartArea.top + 14 + (i % 3) * 14);
      });
      ctx.restore();
    },
  };
}

export function scheduleChartConfig(p: SchedulePreview, opts: ScheduleChartOptions = {}): ChartConfiguration {
  const groups = p.lr[0]?.length ?? 0;
  const datasets: ChartDataset<'line', { x: number; y: number | null }[]>[] = [];
  for (let g = groups - 1; g >= 0; g--) {
    datasets.push({
      label: `lr ${opts.groupNames?.[g] ?? `group ${g}`}`,
      // A log axis cannot show 0; leave such points out rather than distort the curve.
      data: p.step.map((s, i) => ({ x: s, y: opts.logScale && p.lr[i]![g]! <= 0 ? null : p.lr[i]![g]! })),
      borderColor: PALETTE[g % PALETTE.length],
      backgroundColor: PALETTE[g % PALETTE.length],
      yAxisID: 'lr',
    });
  }
  if (p.momentum) {
    datasets.push({
      label: 'momentum',
      data: p.step.map((s, i) => ({ x: s, y: p.momentum![i] ?? null })),
      borderColor: '#777777',
      backgroundColor: '#777777',
      borderDash: [6, 4],
      yAxisID: 'momentum',
    });
  }
  const stepsPerEpoch = p.epoch.findIndex((e) => e > 0);
  return {
    type: 'line',
    data: { datasets },
    plugins: opts.markers?.length ? [markerPlugin(opts.markers)] : [],
    options: {
      parsing: false,
      spanGaps: false,
      elements: { point: { radius: 0 }, line: { borderWidth: 2, tension: 0 } },
      plugins: {
        title: { display: Boolean(opts.title), text: opts.title ?? '', font: { size: 16 } },
        legend: { position: 'bottom' },
      },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: Math.max(1, p.step.length - 1),
          title: {
            display: true,
            text: stepsPerEpoch > 0 ? `step (${stepsPerEpoch} per epoch)` : 'step',
          },
          ticks: stepsPerEpoch > 0 ? { stepSize: stepsPerEpoch } : {},
        },
        lr: {
          type: opts.logScale ? 'logarithmic' : 'linear',
          position: 'left',
          title: { display: true, text: opts.logScale ? 'learning rate (log scale)' : 'learning rate' },
          ticks: { callback: (v: number | string) => formatRate(Number(v)) },
        },
        ...(p.momentum
          ? {
              momentum: {
                type: 'linear' as const,
                position: 'right' as const,
                title: { display: true, text: 'momentum' },
                grid: { drawOnChartArea: false },
              },
            }
          : {}),
      },
    },
  } as ChartConfiguration;
}

export function renderSchedulePng(p: SchedulePreview, opts: ScheduleChartOptions = {}): Buffer {
  return renderChartPng(scheduleChartConfig(p, opts), opts.width ?? 1000, opts.height ?? 560);
}

/** 3e-4 rather than 0.000300000: rates span decades, so show the exponent. */
export function formatRate(v: number): string {
  if (v === 0) return '0';
  const [mantissa, exp] = v.toExponential(2).split('e') as [string, string];
  return `${Number(mantissa)}e${Number(exp)}`;
}
