// PNG charts rendered without a browser (CLI `--plot`, reports).
export { PALETTE, renderChartPng } from './render.js';
export { renderLrFindPng } from './lr-find-chart.js';
export { formatRate, renderSchedulePng, scheduleChartConfig, type ScheduleChartOptions } from './schedule-chart.js';
export { renderRunsPng, runsChartConfig, type RunsChartOptions, type RunsChartSeries } from './runs-chart.js';
