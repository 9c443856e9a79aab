// The label-error finder: out-of-sample probabilities from K-fold training of a softmax head on the
// frozen backbone's features, confident learning (cleanlab's find_label_issues) over them, and
// moving a file to another class folder with a log that can be undone.
export {
  calibrateConfidentJoint,
  computeConfidentJoint,
  confidentThresholds,
  FILTER_BY,
  findLabelIssues,
  keepAtLeastNPerClass,
  labelCounts,
  roundHalfEven,
  roundPreservingSum,
  type FilterBy,
  type FindOptions,
  type LabelledProbs,
} from './confident-learning.js';
