// The LR range test as a chart: smoothed loss against the rate (log scale), suggestions marked.
import type { ChartConfiguration } from 'chart.js';
import type { Suggestions } from '../train/lr-find-math.js';
import { formatRate } from './schedule-chart.js';
import { PALETTE, renderChartPng } from './render.js';

export function renderLrFindPng(
  r: { lrs: number[]; losses: number[]; suggestions: Suggestions },
  title = 'LR range test',
): Buffer {
  const near = (lr: number) => {
    let k = 0;
    for (let i = 1; i < r.lrs.length; i++)
      if (Math.abs(Math.log(r.lrs[i]!) - Math.log(lr)) < Math.abs(Math.log(r.lrs[k]!) - Math.log(lr))) k = i;
    return { x: lr, y: r.losses[k]! };
  };
  const marks = (['valley', 'steep', 'minimum'] as const).map((name, i) => ({
    label: `${name} ${formatRate(r.suggestions[name])}`,
    data: [near(r.suggestions[name])],
    type: 'scatter' as const,
    pointRadius: 7,
    pointStyle: ['circle', 'triangle', 'rect'][i],
    borderColor: PALETTE[i + 1],
    backgroundColor: PALETTE[i + 1],
  }));
  const config = {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'smoothed loss',
          data: r.lrs.map((x, i) => ({ x, y: r.losses[i]! })),
          borderColor: PALETTE[0],
          pointRadius: 0,
          borderWidth: 2,
        },
        ...marks,
      ],
    },
    options: {
      parsing: false,
      plugins: { title: { display: true, text: title, font: { size: 16 } }, legend: { position: 'bottom' } },
      scales: {
        x: {
          type: 'logarithmic',
          title: { display: true, text: 'learning rate (log scale)' },
          // Label whole decades only: the range spans eight of them.
          ticks: {
            callback: (v: number | string) =>
              Number.isInteger(Math.round(Math.log10(Number(v)) * 1e6) / 1e6) ? formatRate(Number(v)) : '',
          },
        },
        y: { type: 'linear', title: { display: true, text: 'loss' } },
      },
    },
  } as unknown as ChartConfiguration;
  return renderChartPng(config, 1000, 560);
}
