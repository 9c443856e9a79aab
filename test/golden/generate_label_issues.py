#!/usr/bin/python3
"""cleanlab's own find_label_issues on fixed (labels, pred_probs) arrays: the reference for
Anneal's label-error finder (src-main/engine/label-issues/confident-learning.ts).

Usage:  PYTHONPATH=/path/to/cleanlab-checkout /usr/bin/python3 test/golden/generate_label_issues.py \
            test/golden/label-issues.json

Runs, from a checkout of github.com/cleanlab/cleanlab (made with commit 750625747de1, January 2026):
  - cleanlab/filter.py  find_label_issues(labels, pred_probs, filter_by=F,
                                          return_indices_ranked_by='self_confidence')
    for F in prune_by_noise_rate (the default), prune_by_class and both;
  - cleanlab/count.py   compute_confident_joint(labels, pred_probs) (calibrated) and
                        get_confident_thresholds(labels, pred_probs);
  - cleanlab/internal/util.py round_preserving_sum on a few vectors with ties and halves.
Needs Debian's python3-numpy, python3-sklearn, python3-pandas and python3-tqdm. cleanlab imports
termcolor only to colour token-classification printouts (nothing used here); where it is missing
(Debian's is older than cleanlab asks for) a stand-in is registered. Arrays are float64, drawn
from fixed numpy seeds; the output is deterministic. CI never runs this: it reads the JSON.
"""
import json
import sys
import types

import numpy as np

try:
    import termcolor  # noqa: F401
except ImportError:
    stub = types.ModuleType('termcolor')
    stub.colored = lambda text, *a, **k: text
    sys.modules['termcolor'] = stub

import cleanlab  # noqa: E402
from cleanlab.count import compute_confident_joint, get_confident_thresholds  # noqa: E402
from cleanlab.filter import find_label_issues  # noqa: E402
from cleanlab.internal.util import round_preserving_sum  # noqa: E402


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def noisy_case(seed, n, k, flip, sharpness):
    """True classes, 'flip' of them relabelled at random, and probabilities a model might give."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    labels = true.copy()
    flipped = rng.random(n) < flip
    labels[flipped] = (true[flipped] + rng.integers(1, k, flipped.sum())) % k
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), true] += sharpness
    return labels, softmax(logits)


def single_member_case():
    """Class 2 has one example (never pruned: find_label_issues skips masks of length 1)."""
    labels, probs = noisy_case(7, 40, 3, 0.15, 2.0)
    labels[labels == 2] = 0
    labels[5] = 2
    return labels, probs


CASES = [
    ('three classes, 15% flipped', *noisy_case(1, 60, 3, 0.15, 2.5)),
    ('four classes, 10% flipped', *noisy_case(2, 200, 4, 0.10, 3.0)),
    ('binary, 20% flipped', *noisy_case(3, 80, 2, 0.20, 2.0)),
    ('six classes, weak model', *noisy_case(4, 150, 6, 0.10, 1.0)),
    ('five classes, clean labels', *noisy_case(5, 100, 5, 0.0, 3.0)),
    ('one class with a single example', *single_member_case()),
]

ROUNDING = [
    [1.5, 2.5, 3.0],
    [0.4, 0.4, 0.2],
    [2.6, 2.6, 2.8],
    [0.5, 0.5, 0.5, 0.5],
    [3.3333333333, 3.3333333333, 3.3333333334],
    [1.49, 0.51, 2.0, 0.0],
]


def main(out):
    cases = []
    for name, labels, probs in CASES:
        k = probs.shape[1]
        issues = {
            f: find_label_issues(
                labels, probs, filter_by=f, return_indices_ranked_by='self_confidence', n_jobs=1
            ).tolist()
            for f in ['prune_by_noise_rate', 'prune_by_class', 'both']
        }
        cases.append({
            'name': name,
            'classes': int(k),
            'labels': labels.tolist(),
            'probs': probs.reshape(-1).tolist(),
            'thresholds': get_confident_thresholds(labels, probs).tolist(),
            'confidentJoint': compute_confident_joint(labels, probs).tolist(),
            'issues': issues,
        })
    rounding = [{'values': v, 'rounded': round_preserving_sum(v).tolist()} for v in ROUNDING]
    with open(out, 'w') as f:
        json.dump({
            'source': 'cleanlab ' + cleanlab.__version__ + ' (github.com/cleanlab/cleanlab @ 750625747de1): '
                      'filter.find_label_issues, count.compute_confident_joint, count.get_confident_thresholds, '
                      'internal.util.round_preserving_sum',
            'cases': cases,
            'rounding': rounding,
        }, f)
        f.write('\n')


if __name__ == '__main__':
    main(sys.argv[1])
