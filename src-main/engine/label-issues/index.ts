// The label-error finder: out-of-sample probabilities from K-fold training of a softmax head on the
// frozen backbone's features, confident learning (cleanlab's find_label_issues) over them, and
// moving a file to another class folder with a log that can be undone.
export {
  calibrateConfidentJoint,
  computeConfidentJoint,
  confidentThresholds,
  findLabelIssues,
  keepAtLeastNPerClass,
  labelCounts,
  roundPreservingSum,
  type FindOptions,
  type LabelledProbs,
} from './confident-learning.js';
export {
  crossValProbs,
  fitPredictSoftmax,
  stratifiedFolds,
  type CrossValOptions,
  type SoftmaxOptions,
} from './cross-val.js';
export { extractFeatures, type ExtractOptions, type Features } from './features.js';
export {
  DEFAULT_ISSUES_MODEL,
  findDataIssues,
  LABEL_ISSUES_FILE,
  readIssuesReport,
  type LabelIssue,
  type LabelIssuesOptions,
  type LabelIssuesReport,
} from './find.js';
export {
  ANNEAL_DATA_DIR,
  applyMove,
  LABEL_MOVES_FILE,
  moveToClass,
  planMove,
  readMoveLog,
  undoMove,
  type MoveLog,
  type MoveRecord,
  type PlannedMove,
} from './moves.js';
export { FILTER_BY, LabelIssuesSettings, parseLabelIssuesSettings, type FilterBy } from './settings.js';
