// Evaluating a trained model (classification report, confusion matrix, top losses) and looking
// at runs side by side: what `anneal eval` and `anneal runs` print and plot.
export { confusionChartConfig, renderConfusionPng, type ConfusionChartOptions } from './confusion-chart.js';
export { EvalError } from './errors.js';
export { evaluate, type EvalResult, type EvaluateOptions, type ImagePrediction } from './evaluate.js';
export { scoreLogits, type Averages, type ClassScore, type ScoreInput, type Scores, type TopLoss } from './metrics.js';
export {
  bestRunIds,
  COMPARE_METRICS,
  compareRuns,
  describeRun,
  RUN_SORT_COLUMNS,
  shortLabels,
  sortRuns,
  stageNames,
  type CompareMetric,
  type RunDetail,
  type RunSeries,
  type RunSortColumn,
} from './runs-view.js';
export { resolveEvalTarget, toModelLabels, type EvalTarget } from './target.js';
