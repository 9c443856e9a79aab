// The schedule preview as a chart: every group's rate and, on a second axis, the momentum.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { SchedulePreview } from '../schedules/index.js';
import { PALETTE, renderChartPng } from './render.js';

export interface ScheduleChartOptions {
  logScale?: boolean;
  title?: string;
  /** Names of the layer groups, first = earliest layers; defaults to "group i". */
  groupNames?: readonly string[];
  width?: number;
  height?: number;
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
