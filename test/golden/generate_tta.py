#!/usr/bin/python3
"""Reference values for test-time augmentation's combination of views (src-main/engine/tta/combine.ts).

Usage:  /usr/bin/python3 test/golden/generate_tta.py test/golden

Writes tta.json: for several (n, beta, use_max) settings, per-view probabilities (softmax of
closed-form logits, float32) and what fastai's `Learner.tta` returns for them.  The combination
below is the tail of fastai/learner.py, `Learner.tta` (fastai 2.x, the `@patch def tta(self:Learner,
ds_idx=1, dl=None, n=4, item_tfms=None, batch_tfms=None, beta=0.25, use_max=False)`), transliterated
with the model calls replaced by the fixed probabilities:

    aug_preds = torch.cat(aug_preds)                     # n views, each [None]-stacked
    aug_preds = aug_preds.max(0)[0] if use_max else aug_preds.mean(0)
    if use_max: return torch.stack([preds, aug_preds], 0).max(0)[0]
    preds = torch.lerp(aug_preds, preds, beta)

Deterministic, no network.  Requires torch (Debian's python3-torch).
"""
import json
import math
import os
import sys

import torch

ROWS, CLASSES = 5, 4

# (n, beta, use_max): fastai's defaults first.
CASES = [(4, 0.25, False), (2, 0.5, False), (3, 0.0, False), (4, 1.0, False), (1, 0.7, False), (4, 0.25, True)]


def logits(view, n_rows, n_classes):
    """Closed-form logits: l(v, r, c) = 3 sin(1.3 v + 0.7 r + 2.1 c + 0.4 v r), float64 then float32."""
    rows = [[3 * math.sin(1.3 * view + 0.7 * r + 2.1 * c + 0.4 * view * r) for c in range(n_classes)]
            for r in range(n_rows)]
    return torch.tensor(rows, dtype=torch.float64).to(torch.float32)


def fastai_tta_tail(preds, views, beta, use_max):
    """fastai/learner.py, Learner.tta, after the get_preds calls (see the module docstring)."""
    aug_preds = torch.cat([v[None] for v in views])
    aug_preds = aug_preds.max(0)[0] if use_max else aug_preds.mean(0)
    if use_max:
        return torch.stack([preds, aug_preds], 0).max(0)[0]
    return torch.lerp(aug_preds, preds, beta)


def flat(t):
    return [float(x) for x in t.reshape(-1).tolist()]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUT_DIR" % sys.argv[0])
    cases = []
    for n, beta, use_max in CASES:
        # View 0 is the plain view (fastai's `preds`), views 1..n the augmented ones.
        probs = [torch.softmax(logits(v, ROWS, CLASSES), dim=1) for v in range(n + 1)]
        out = fastai_tta_tail(probs[0], probs[1:], beta, use_max)
        cases.append({
            "n": n,
            "beta": beta,
            "useMax": use_max,
            "plain": flat(probs[0]),
            "views": [flat(p) for p in probs[1:]],
            "expected": flat(out),
        })
    doc = {
        "generator": "test/golden/generate_tta.py",
        "reference": "fastai/learner.py, Learner.tta (n=4, beta=0.25, use_max=False defaults)",
        "torch": torch.__version__,
        "rows": ROWS,
        "classes": CLASSES,
        "cases": cases,
    }
    with open(os.path.join(sys.argv[1], "tta.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
