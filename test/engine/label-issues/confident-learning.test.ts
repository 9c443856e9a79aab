// The label-error finder's confident learning against cleanlab's own code, run on fixed arrays by
// test/golden/generate_label_issues.py (cleanlab/filter.py find_label_issues with
// return_indices_ranked_by='self_confidence'; cleanlab/count.py compute_confident_joint and
// get_confident_thresholds; cleanlab/internal/util.py round_preserving_sum).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  computeConfidentJoint,
  confidentThresholds,
  FILTER_BY,
  findLabelIssues,
  roundPreservingSum,
} from '../../../src-main/engine/label-issues/index.js';

interface GoldenCase {
  name: string;
  classes: number;
  labels: number[];
  probs: number[];
  thresholds: number[];
  confidentJoint: number[][];
  issues: Record<string, number[]>;
}
const golden = JSON.parse(readFileSync(new URL('../../golden/label-issues.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
  rounding: { values: number[]; rounded: number[] }[];
};

describe('confident learning, as cleanlab', () => {
  for (const c of golden.cases) {
    describe(c.name, () => {
      const d = { labels: c.labels, probs: c.probs, classes: c.classes };
      it('per-class thresholds (count.py get_confident_thresholds)', () => {
        confidentThresholds(d).forEach((t, k) => expect(t).toBeCloseTo(c.thresholds[k]!, 12));
      });
      it('the calibrated confident joint (count.py compute_confident_joint)', () => {
        expect(computeConfidentJoint(d)).toEqual(c.confidentJoint);
      });
      for (const filterBy of FILTER_BY) {
        it(`the same issues in the same order, filter_by=${filterBy} (filter.py find_label_issues)`, () => {
          expect(findLabelIssues(d, { filterBy })).toEqual(c.issues[filterBy]);
        });
      }
    });
  }

  it('has cases with issues and one without', () => {
    expect(golden.cases.some((c) => c.issues.prune_by_noise_rate!.length > 10)).toBe(true);
    expect(golden.cases.some((c) => c.issues.prune_by_noise_rate!.length === 0)).toBe(true);
  });

  it('rounds preserving the sum (internal/util.py round_preserving_sum)', () => {
    for (const r of golden.rounding) expect(roundPreservingSum(r.values)).toEqual(r.rounded);
  });

  it('refuses probabilities of the wrong shape', () => {
    expect(() => findLabelIssues({ labels: [0, 1], probs: [1, 0, 0], classes: 2 })).toThrow(/2 × 2/);
  });
});
