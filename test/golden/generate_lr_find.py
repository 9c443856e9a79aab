#!/usr/bin/python3
"""Reference suggestions for the LR range test: fastai's `minimum`, `steep` and `valley`
(fastai/callback/schedule.py, fastai 2.7), transliterated line for line with torch tensors as fastai
runs them (fastai itself is not packaged by Debian), on closed-form loss curves.

Usage: /usr/bin/python3 test/golden/generate_lr_find.py test/golden/lr-find.json
"""
import json
import math
import sys

import torch


def minimum(lrs, losses, num_it):
    # fastai: lr_min = lrs[losses.argmin()].item(); return lr_min/10
    lr_min = lrs[losses.argmin()].item()
    return lr_min / 10


def steep(lrs, losses, num_it):
    # fastai: grads = (losses[1:]-losses[:-1]) / (lrs[1:].log()-lrs[:-1].log()); lr_steep = lrs[grads.argmin()].item()
    grads = (losses[1:] - losses[:-1]) / (lrs[1:].log() - lrs[:-1].log())
    return lrs[grads.argmin()].item()


def valley(lrs, losses, num_it):
    # fastai: longest valley by the O(n^2) loop, then max_start + int(sections) + int(sections/2)
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def curve(kind, n):
    # float64 tensors so that the comparison is about the algorithm, not float32 rounding
    lrs = torch.tensor([1e-7 * (10 / 1e-7) ** (i / n) for i in range(n)], dtype=torch.float64)
    x = torch.log10(lrs)
    if kind == "bowl":
        losses = 2.0 - 0.8 / (1 + torch.exp(-2 * (x + 3))) + 0.05 * torch.exp(2.5 * (x + 0.5))
    elif kind == "noisy":
        losses = 1.5 - 0.5 * torch.tanh(x + 2.5) + 0.03 * torch.sin(7 * x) + 0.02 * torch.exp(3 * (x + 0.3))
    else:  # two dips: valley must pick the longer descent
        losses = 1.8 - 0.3 * torch.exp(-((x + 5) ** 2)) - 0.6 * torch.exp(-((x + 1.5) ** 2) / 0.5) + 0.01 * x ** 2
    return lrs, losses


cases = []
for kind in ["bowl", "noisy", "two-dips"]:
    for n in [60, 100]:
        lrs, losses = curve(kind, n)
        cases.append(
            {
                "name": f"{kind}-{n}",
                "lrs": lrs.tolist(),
                "losses": losses.tolist(),
                "minimum": minimum(lrs, losses, n),
                "steep": steep(lrs, losses, n),
                "valley": valley(lrs, losses, n),
            }
        )
with open(sys.argv[1], "w") as f:
    json.dump({"generator": "test/golden/generate_lr_find.py", "torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
