// What the CLI prints for people: plain-text tables, evaluation reports and run listings. These
// live in the CLI adapter, not the engine: the app draws its own screens from the same data.
export { formatClassificationReport, formatConfusion, formatEvalReport, formatTopLosses } from './eval-format.js';
export { formatComparison, formatEventDetails, formatRunDetail, formatRunList } from './runs-format.js';
export { formatDuration, formatMetric, formatTable, type TableColumn } from './table.js';
