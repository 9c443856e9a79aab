// scoreLogits against values computed by hand from scikit-learn's definitions
// (precision_recall_fscore_support, classification_report, top_k_accuracy_score, log_loss):
// six images, three classes, every kind of hit, miss and tie.
import { describe, expect, it } from 'vitest';
import { scoreLogits } from '../../../src-main/engine/evaluate/index.js';

const CLASSES = ['a', 'b', 'c'];
const LABELS = [0, 0, 1, 1, 2, 0];
// prettier-ignore
const LOGITS = [
  2, 0, 0, // true a, predicted a
  0, 1, 0, // true a, predicted b
  0, 0, 0, // true b, a three-way tie: predicted a (the first index, as np.argmax)
  0, 3, 0, // true b, predicted b
  1, 0, 0, // true c, predicted a; c ranks third (b ties it and comes first)
  0, 0, 5, // true a, predicted c, confidently
];
const PATHS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
const E = Math.E;
// Cross-entropy per image: log(sum(exp(row))) - row[true].
const LOSSES = [
  Math.log(E ** 2 + 2) - 2,
  Math.log(2 + E),
  Math.log(3),
  Math.log(2 + E ** 3) - 3,
  Math.log(E + 2),
  Math.log(2 + E ** 5),
];

describe('scoreLogits', () => {
  const s = scoreLogits({ classes: CLASSES, labels: LABELS, logits: LOGITS, paths: PATHS, topK: 2, topLosses: 4 });

  it('counts the confusion matrix with rows = true class, columns = predicted', () => {
    expect(s.confusion).toEqual([
      [1, 1, 1],
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(s.count).toBe(6);
    expect(s.classes).toEqual(CLASSES);
  });

  it('scores each class as classification_report does (0 where undefined)', () => {
    // a: tp 1, fp 2 (b and c predicted a), fn 2.  b: tp 1, fp 1, fn 1.  c: tp 0, fp 1, fn 1.
    const expected = [
      { label: 'a', precision: 1 / 3, recall: 1 / 3, f1: 1 / 3, support: 3 },
      { label: 'b', precision: 1 / 2, recall: 1 / 2, f1: 1 / 2, support: 2 },
      { label: 'c', precision: 0, recall: 0, f1: 0, support: 1 },
    ];
    s.perClass.forEach((r, i) => {
      const e = expected[i]!;
      expect(r.label).toBe(e.label);
      expect(r.support).toBe(e.support);
      expect(r.precision).toBeCloseTo(e.precision, 12);
      expect(r.recall).toBeCloseTo(e.recall, 12);
      expect(r.f1).toBeCloseTo(e.f1, 12);
    });
  });

  it('averages: macro unweighted, weighted by support; accuracy, top-k and the mean loss', () => {
    for (const v of Object.values(s.macro)) expect(v).toBeCloseTo((1 / 3 + 1 / 2 + 0) / 3, 12);
    for (const v of Object.values(s.weighted)) expect(v).toBeCloseTo((3 / 3 + 2 / 2 + 0) / 6, 12);
    expect(s.accuracy).toBeCloseTo(2 / 6, 12);
    // Ranks of the true class: 0, 1, 1 (tie), 0, 2 (tie lost to b), 1: five within the top 2.
    expect(s.topK).toEqual({ k: 2, accuracy: 5 / 6 });
    expect(s.loss).toBeCloseTo(LOSSES.reduce((a, b) => a + b) / 6, 12);
  });

  it('lists the highest losses first, equal losses in path order, with the predicted class probability', () => {
    expect(s.topLosses.map((t) => t.path)).toEqual(['p5', 'p1', 'p4', 'p2']);
    const [worst, second] = s.topLosses;
    expect(worst).toMatchObject({ label: 'a', predicted: 'c' });
    expect(worst!.loss).toBeCloseTo(LOSSES[5]!, 12);
    expect(worst!.prob).toBeCloseTo(E ** 5 / (E ** 5 + 2), 12);
    expect(second).toMatchObject({ label: 'a', predicted: 'b' });
    expect(second!.prob).toBeCloseTo(E / (E + 2), 12);
  });

  it('top-1 accuracy is the accuracy; k beyond the classes is clamped', () => {
    const one = scoreLogits({ classes: CLASSES, labels: LABELS, logits: LOGITS, topK: 1 });
    expect(one.topK.accuracy).toBe(one.accuracy);
    const all = scoreLogits({ classes: CLASSES, labels: LABELS, logits: LOGITS, topK: 5 });
    expect(all.topK).toEqual({ k: 3, accuracy: 1 });
    expect(all.topLosses).toHaveLength(6); // default 10, at most the images
    expect(all.topLosses[0]!.path).toBe('#5');
  });

  it('averages over the classes that occur, as classification_report(y_true, y_pred) does', () => {
    // d is predicted once but never true; c neither occurs nor is predicted: listed, not averaged.
    const r = scoreLogits({ classes: ['a', 'b', 'c', 'd'], labels: [0, 1], logits: [1, 0, 0, 0, 0, 0, 0, 3] });
    expect(r.perClass.map((c) => [c.precision, c.recall, c.f1, c.support])).toEqual([
      [1, 1, 1, 1],
      [0, 0, 0, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(r.macro.precision).toBeCloseTo(1 / 3, 12); // (a 1 + b 0 + d 0) / 3
    expect(r.weighted.precision).toBeCloseTo(1 / 2, 12); // supports 1, 1, 0, 0
  });

  it('keeps huge and tiny logits finite (log-sum-exp)', () => {
    const r = scoreLogits({ classes: ['a', 'b'], labels: [0, 1], logits: [1000, -1000, 1000, -1000] });
    expect(r.loss).toBeCloseTo(1000, 6); // image 0: ~0; image 1: 2000
    expect(r.topLosses[0]!.prob).toBe(1);
  });

  it('refuses mismatched shapes and labels that are not class indices', () => {
    expect(() => scoreLogits({ classes: CLASSES, labels: [0], logits: [1, 2] })).toThrow(/2 logits for 1 images/);
    expect(() => scoreLogits({ classes: CLASSES, labels: [3], logits: [1, 2, 3] })).toThrow(/label 3/);
  });

  it('gives no score (NaN) rather than 0 for no images', () => {
    const r = scoreLogits({ classes: CLASSES, labels: [], logits: [] });
    expect(r.accuracy).toBeNaN();
    expect(r.loss).toBeNaN();
    expect(r.confusion).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});
