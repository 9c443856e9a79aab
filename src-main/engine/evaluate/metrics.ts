// The numbers of an evaluation, from labels and logits alone: a pure function, so that every value
// can be checked by hand against a few rows of logits, with no model or image in the way.
//
// Per-class scores follow scikit-learn's classification_report (precision_recall_fscore_support):
//   precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2·tp / (2·tp + fp + fn),
//   each 0 where its denominator is 0 (sklearn's zero_division=0, what "warn" also yields);
//   macro = the unweighted mean over the classes, weighted = the mean weighted by support.
// As with classification_report(y_true, y_pred) and no `labels`, the averages run over the
// classes that occur as a true label or as a prediction; a class of the model that does neither
// is still listed (all zeros) so that rows line up with the confusion matrix.

export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Images whose true class this is. */
  support: number;
}

export interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

export interface TopLoss {
  path: string;
  /** True class. */
  label: string;
  predicted: string;
  /** The model's probability of its prediction (fastai's plot_top_losses shows the same). */
  prob: number;
  /** Cross-entropy of this image: -log p(true class). */
  loss: number;
}

export interface Scores {
  /** Class names: the rows and columns of `confusion`, the order of `perClass`. */
  classes: string[];
  count: number;
  accuracy: number;
  /** The true class among the k highest logits (k clamped to the number of classes). */
  topK: { k: number; accuracy: number };
  /** Mean softmax cross-entropy, in nats (what training logs as val_loss). */
  loss: number;
  perClass: ClassScore[];
  macro: Averages;
  weighted: Averages;
  /** confusion[true][predicted]: counts. */
  confusion: number[][];
  /** The highest-loss images, worst first. */
  topLosses: TopLoss[];
}

export interface ScoreInput {
  classes: readonly string[];
  /** True class index per image. */
  labels: ArrayLike<number>;
  /** Row-major [images, classes]. */
  logits: ArrayLike<number>;
  /** Per image, for topLosses; defaults to "#<index>". */
  paths?: readonly string[];
  /** Default 5. */
  topK?: number;
  /** How many top losses to keep (default 10). */
  topLosses?: number;
}

const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);

/**
 * The predicted class: the first index of the largest logit, as np.argmax and tf.argMax break
 * ties. `rank` counts the classes ranked above the true one under that same tie rule, so that
 * top-1 accuracy is exactly `accuracy`.
 */
function rowStats(row: ArrayLike<number>, offset: number, c: number, label: number) {
  let best = 0;
  let max = -Infinity;
  for (let j = 0; j < c; j++) {
    const v = row[offset + j]!;
    if (v > max) {
      max = v;
      best = j;
    }
  }
  const t = row[offset + label]!;
  let rank = 0;
  let sum = 0;
  for (let j = 0; j < c; j++) {
    const v = row[offset + j]!;
    if (v > t || (v === t && j < label)) rank++;
    sum += Math.exp(v - max);
  }
  // log-sum-exp shifted by the max: no overflow for large logits, no log(0) for tiny ones.
  const logZ = max + Math.log(sum);
  return { predicted: best, rank, loss: logZ - t, probPredicted: Math.exp(max - logZ) };
}

function averages(rows: readonly ClassScore[], weights: readonly number[]): Averages {
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = (pick: (r: ClassScore) => number) =>
    ratio(
      rows.reduce((s, r, i) => s + pick(r) * weights[i]!, 0),
      total,
    );
  return { precision: mean((r) => r.precision), recall: mean((r) => r.recall), f1: mean((r) => r.f1) };
}

/** Scores `labels` against `logits`; throws on shapes that do not match or labels out of range. */
export function scoreLogits(input: ScoreInput): Scores {
  const classes = [...input.classes];
  const c = classes.length;
  const n = input.labels.length;
  if (c < 1) throw new Error('scoreLogits: no classes');
  if (input.logits.length !== n * c) {
    throw new Error(`scoreLogits: ${input.logits.length} logits for ${n} images × ${c} classes`);
  }
  if (input.paths && input.paths.length !== n) throw new Error(`scoreLogits: ${input.paths.length} paths for ${n}`);
  const k = Math.max(1, Math.min(input.topK ?? 5, c));
  const confusion = classes.map(() => new Array<number>(c).fill(0));
  let hits = 0;
  let topHits = 0;
  let lossSum = 0;
  const losses: TopLoss[] = [];
  for (let i = 0; i < n; i++) {
    const label = input.labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= c) {
      throw new Error(`scoreLogits: label ${label} of image ${i} is not a class index (0…${c - 1})`);
    }
    const s = rowStats(input.logits, i * c, c, label);
    confusion[label]![s.predicted]!++;
    if (s.predicted === label) hits++;
    if (s.rank < k) topHits++;
    lossSum += s.loss;
    losses.push({
      path: input.paths?.[i] ?? `#${i}`,
      label: classes[label]!,
      predicted: classes[s.predicted]!,
      prob: s.probPredicted,
      loss: s.loss,
    });
  }
  const perClass: ClassScore[] = classes.map((label, j) => {
    const tp = confusion[j]![j]!;
    const support = confusion[j]!.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[j]!, 0);
    const fp = predictedAs - tp;
    const fn = support - tp;
    return {
      label,
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, tp + fn),
      f1: ratio(2 * tp, 2 * tp + fp + fn),
      support,
    };
  });
  const present = perClass.map((r, j) => (r.support > 0 || confusion.some((row) => row[j]! > 0) ? 1 : 0));
  // Worst first; equal losses in path order, so that the list does not depend on batch order.
  losses.sort((a, b) => b.loss - a.loss || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    classes,
    count: n,
    // No images: no score (NaN, null in JSON) rather than a misleading 0.
    accuracy: n ? hits / n : NaN,
    topK: { k, accuracy: n ? topHits / n : NaN },
    loss: n ? lossSum / n : NaN,
    perClass,
    macro: averages(perClass, present),
    weighted: averages(
      perClass,
      perClass.map((r) => r.support),
    ),
    confusion,
    topLosses: losses.slice(0, Math.max(0, input.topLosses ?? 10)),
  };
}
