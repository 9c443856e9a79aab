// Confident learning (Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in
// Dataset Labels", JAIR 2021) as cleanlab 2.x implements it, for multi-class labels: which examples
// are likely mislabelled, given out-of-sample predicted probabilities. Each function transliterates
// the cleanlab function named in its comment (github.com/cleanlab/cleanlab, commit 7506257); the
// golden test (test/engine/label-issues/confident-learning.test.ts) runs cleanlab's own code on
// fixed arrays (test/golden/generate_label_issues.py) and asserts the same issues in the same order.
//
// Probabilities are float64 here (JavaScript numbers). Where numpy sorts with its default
// (unstable) quicksort, this sorts stably; the two agree except between exactly equal values.
import { roundHalfEven } from '../data/augment/crop.js';
import type { FilterBy } from './settings.js';

/** Row-major [n, K] probabilities and the given label of each row. */
export interface LabelledProbs {
  labels: ArrayLike<number>;
  /** n × K, row i = the predicted distribution of example i. */
  probs: ArrayLike<number>;
  classes: number;
}

/** cleanlab/internal/constants.py. */
const FLOATING_POINT_COMPARISON = 1e-6;
const CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 * FLOATING_POINT_COMPARISON;
const TINY_VALUE = 1e-100;

const p = (d: LabelledProbs, i: number, k: number): number => d.probs[i * d.classes + k]!;

/** Indices 0…n-1 sorted by key ascending, stably. */
function argsort(n: number, key: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
}

/** First index of the maximum (numpy's argmax). */
function argmax(n: number, value: (k: number) => number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (value(k) > value(best)) best = k;
  return best;
}

/** cleanlab/internal/util.py value_counts_fill_missing_classes: examples per given label. */
export function labelCounts(d: LabelledProbs): number[] {
  const counts = new Array<number>(d.classes).fill(0);
  for (let i = 0; i < d.labels.length; i++) counts[d.labels[i]!]!++;
  return counts;
}

/**
 * cleanlab/count.py get_confident_thresholds: per class k, the mean predicted probability of k
 * over the examples labelled k (2, above any probability, for a class with none), at least 2e-6.
 */
export function confidentThresholds(d: LabelledProbs): number[] {
  const sums = new Array<number>(d.classes).fill(0);
  const counts = labelCounts(d);
  for (let i = 0; i < d.labels.length; i++) sums[d.labels[i]!]! += p(d, i, d.labels[i]!);
  return sums.map((s, k) => Math.max(counts[k]! > 0 ? s / counts[k]! : 2, CONFIDENT_THRESHOLDS_LOWER_BOUND));
}

/**
 * cleanlab/internal/util.py round_preserving_sum: rounds each value and then moves the rounded
 * total back to the rounded sum, one unit at a time on the values furthest from their rounding
 * (numpy's argsort reversed for increments, so among equal gaps the later index goes first).
 */
export function roundPreservingSum(values: readonly number[]): number[] {
  const ints = values.map(roundHalfEven);
  const sum = (a: readonly number[]) => roundHalfEven(a.reduce((s, v) => s + v, 0));
  const target = sum(values);
  let intSum = sum(ints);
  while (Math.abs(intSum - target) > FLOATING_POINT_COMPARISON) {
    const diff = roundHalfEven(target - intSum);
    const increment = diff < 0 ? -1 : 1;
    const changes = Math.min(Math.abs(diff), values.length);
    const order = argsort(values.length, (i) => values[i]! - ints[i]!);
    if (increment === 1) order.reverse();
    for (const i of order.slice(0, changes)) ints[i]! += increment;
    intSum = sum(ints);
  }
  return ints;
}

/** cleanlab/count.py calibrate_confident_joint: rows sum to the label counts, the whole to n. */
export function calibrateConfidentJoint(cj: readonly number[][], counts: readonly number[]): number[][] {
  const rows = cj.map((row, i) => {
    const total = Math.max(
      row.reduce((s, v) => s + v, 0),
      TINY_VALUE,
    );
    return row.map((v) => (v / total) * counts[i]!);
  });
  const all = Math.max(
    rows.flat().reduce((s, v) => s + v, 0),
    TINY_VALUE,
  );
  const n = counts.reduce((s, v) => s + v, 0);
  return rows.map((row) => roundPreservingSum(row.map((v) => (v / all) * n)));
}

/**
 * cleanlab/count.py compute_confident_joint (calibrate=True): cj[given][true] counts the examples
 * whose probability of some class reaches that class's threshold (within 1e-6), counted as that
 * class — the most probable one when several do; every diagonal entry at least 1; calibrated.
 */
export function computeConfidentJoint(d: LabelledProbs, thresholds = confidentThresholds(d)): number[][] {
  const K = d.classes;
  const cj = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < d.labels.length; i++) {
    const confident: number[] = [];
    for (let k = 0; k < K; k++) if (p(d, i, k) >= thresholds[k]! - 1e-6) confident.push(k);
    if (confident.length === 0) continue;
    const guess = confident.length > 1 ? argmax(K, (k) => p(d, i, k)) : confident[0]!;
    cj[d.labels[i]!]![guess]!++;
  }
  for (let k = 0; k < K; k++) cj[k]![k] = Math.max(cj[k]![k]!, 1);
  return calibrateConfidentJoint(cj, labelCounts(d));
}

/**
 * cleanlab/filter.py _keep_at_least_n_per_class (frac_noise = 1, so _reduce_prune_counts changes
 * nothing but truncating to integers): the prune-count matrix (the confident joint transposed,
 * [true][given]) with each diagonal entry raised to at least n, taken evenly from the column's
 * other non-zero entries.
 */
export function keepAtLeastNPerClass(pruneCounts: readonly number[][], n: number): number[][] {
  const K = pruneCounts.length;
  const out = pruneCounts.map((row) => [...row]);
  for (let j = 0; j < K; j++) {
    const diagonal = pruneCounts[j]![j]!;
    const raised = Math.max(diagonal, n);
    let nonZero = 0;
    for (let i = 0; i < K; i++) if (pruneCounts[i]![j] !== 0) nonZero++;
    const share = (raised - diagonal) / Math.max(nonZero - 1, 1);
    for (let i = 0; i < K; i++) out[i]![j] = i === j ? raised : Math.max(pruneCounts[i]![j]! - share, 0);
  }
  // astype(int) truncates toward zero; round_preserving_row_totals then keeps those integers.
  return out.map((row) => row.map((v) => Math.trunc(v)));
}

/** Transposed. */
const transpose = (m: readonly number[][]): number[][] => m[0]!.map((_, j) => m.map((row) => row[j]!));

export interface FindOptions {
  filterBy?: FilterBy;
  /** cleanlab's min_examples_per_class (default 1). */
  minExamplesPerClass?: number;
}

/**
 * cleanlab/filter.py find_label_issues(labels, pred_probs, filter_by, return_indices_ranked_by=
 * 'self_confidence') with frac_noise = 1 and no num_to_remove_per_class: the indices of the
 * examples with likely label issues, lowest self-confidence (cleanlab/rank.py
 * get_self_confidence_for_each_label: the probability of the given label) first.
 */
export function findLabelIssues(d: LabelledProbs, o: FindOptions = {}): number[] {
  const filterBy = o.filterBy ?? 'prune_by_noise_rate';
  const minPerClass = o.minExamplesPerClass ?? 1;
  const n = d.labels.length;
  const K = d.classes;
  if (d.probs.length !== n * K) throw new RangeError(`probs: expected ${n} × ${K} values, got ${d.probs.length}`);
  const cj = computeConfidentJoint(d);
  const prune = keepAtLeastNPerClass(transpose(cj), minPerClass);
  const byClass = Array.from({ length: K }, () => [] as number[]);
  for (let i = 0; i < n; i++) byClass[d.labels[i]!]!.push(i);

  // _prune_by_class: in class k, the (count − prune[k][k]) examples least probable as k.
  const byClassMask = new Uint8Array(n);
  // _prune_by_count: in class k, for each other class j, the prune[j][k] examples with the largest
  // margin p(j) − p(k).
  const byCountMask = new Uint8Array(n);
  byClass.forEach((members, k) => {
    // find_label_issues only applies a class's mask when it has more than one entry.
    if (members.length <= Math.max(minPerClass, 1)) return;
    const issues = members.length - prune[k]![k]!;
    if (issues >= 1) {
      for (const m of argsort(members.length, (r) => p(d, members[r]!, k)).slice(0, issues))
        byClassMask[members[m]!] = 1;
    }
    for (let j = 0; j < K; j++) {
      const count = prune[j]![k]!;
      if (j === k || count <= 0) continue;
      const order = argsort(members.length, (r) => -(p(d, members[r]!, j) - p(d, members[r]!, k)));
      for (const m of order.slice(0, count)) byCountMask[members[m]!] = 1;
    }
  });

  const issues: number[] = [];
  for (let i = 0; i < n; i++) {
    const flagged =
      filterBy === 'prune_by_class'
        ? byClassMask[i]
        : filterBy === 'prune_by_noise_rate'
          ? byCountMask[i]
          : byClassMask[i]! & byCountMask[i]!;
    if (!flagged) continue;
    // count.py _reduce_issues: not an issue where the given label is (within 1e-6) the most probable.
    const label = d.labels[i]!;
    if (argmax(K, (k) => p(d, i, k) + (k === label ? FLOATING_POINT_COMPARISON : 0)) === label) continue;
    issues.push(i);
  }
  const selfConfidence = (i: number) => p(d, i, d.labels[i]!);
  return issues.sort((a, b) => selfConfidence(a) - selfConfidence(b) || a - b);
}
