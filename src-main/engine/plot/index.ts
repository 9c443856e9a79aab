// PNG charts rendered without a browser (CLI `--plot`, reports).
export { PALETTE, renderChartPng } from './render.js';
export { renderSchedulePng, scheduleChartConfig, type ScheduleChartOptions } from './schedule-chart.js';
