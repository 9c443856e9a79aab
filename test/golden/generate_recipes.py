#!/usr/bin/python3
"""Reference values for the training recipes of src-main/engine/train (label smoothing, MixUp /
CutMix, EMA of the weights): test/engine/train/recipes.test.ts checks the engine against them.

Usage (torch 1.13 at /usr/bin/python3; timm is not packaged by Debian, so give a checkout of
huggingface/pytorch-image-models, commit aa4b5850c1543fa488abf260f18390eda46cf85d was used):

    /usr/bin/python3 test/golden/generate_recipes.py /path/to/pytorch-image-models test/golden/recipes.json

* labelSmoothing: torch.nn.CrossEntropyLoss(weight=w, label_smoothing=eps) (torch/nn/functional.py
  cross_entropy -> aten/src/ATen/native/LossNLL.cpp cross_entropy_loss_label_smoothing), loss and
  d loss / d logits, with and without class weights.
* mix: timm/data/mixup.py run as it is (loaded from the checkout by file; it needs only numpy and
  torch): Mixup.__call__ in mode 'batch' with its draws injected. Mixup._params_per_batch is
  replaced by one returning the case's (lam, use_cutmix), and numpy.random.randint (rand_bbox's
  box centre) by one returning the case's centre, so cutmix_bbox_and_lam's clipping and lambda
  correction, _mix_batch's pixel mixing and mixup_target's smoothed targets are timm's own code.
* ema: timm/utils/model_ema.py ModelEmaV3 as it is, on a Linear(3, 2) + BatchNorm1d(2) module
  whose parameters AND buffers (running_mean, running_var) are set to closed-form values before
  each update(model, step=k), with and without use_warmup; get_decay for a list of steps too.

Inputs are closed-form (sin/cos of the index), stored in the JSON beside the results.
"""

import importlib.util
import json
import math
import os
import sys

import numpy as np
import torch

GENERATOR = "test/golden/generate_recipes.py"


def load(checkout, rel, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(checkout, rel))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def closed(n, a, b):
    return [math.sin(a * i + b) for i in range(n)]


def label_smoothing_cases():
    cases = []
    n, c = 6, 5
    logits = torch.tensor(closed(n * c, 0.7, 0.2), dtype=torch.float64).mul(3).view(n, c)
    labels = torch.tensor([0, 3, 1, 4, 3, 2])
    weights = torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0], dtype=torch.float64)
    for eps in (0.0, 0.1, 0.35):
        for w in (None, weights):
            z = logits.clone().requires_grad_(True)
            loss = torch.nn.CrossEntropyLoss(weight=w, label_smoothing=eps)(z, labels)
            loss.backward()
            cases.append({
                "eps": eps,
                "classWeights": None if w is None else w.tolist(),
                "logits": logits.view(-1).tolist(),
                "labels": labels.tolist(),
                "classes": c,
                "loss": loss.item(),
                "grad": z.grad.view(-1).tolist(),
            })
    return cases


def mix_cases(mixup):
    cases = []
    n, ch, h, w, classes = 4, 3, 8, 6, 5
    base = torch.tensor(closed(n * ch * h * w, 0.37, 0.5), dtype=torch.float32).view(n, ch, h, w)
    target = torch.tensor([2, 0, 4, 2])
    # (method, lam drawn, box centre (cy, cx) for cutmix, smoothing)
    draws = [
        ("mixup", 0.3, None, 0.0),
        ("mixup", 0.85, None, 0.1),
        ("cutmix", 0.6, (4, 3), 0.0),
        ("cutmix", 0.45, (1, 5), 0.1),  # the box is clipped by the top and right borders
        ("cutmix", 0.2, (7, 0), 0.0),   # clipped by the bottom and left borders
    ]
    for method, lam, centre, smoothing in draws:
        m = mixup.Mixup(mixup_alpha=1.0, cutmix_alpha=1.0, prob=1.0, switch_prob=0.5, mode="batch",
                        correct_lam=True, label_smoothing=smoothing, num_classes=classes)
        m._params_per_batch = lambda lam=lam, method=method: (lam, method == "cutmix")
        saved = np.random.randint
        if centre is not None:
            it = iter(centre)
            np.random.randint = lambda lo, hi, size=None: next(it)
        try:
            x = base.clone()
            # the corrected lambda is what mixup_target receives; capture it from cutmix_bbox_and_lam
            got = {}
            orig = mixup.cutmix_bbox_and_lam

            def spy(*a, **k):
                r = orig(*a, **k)
                got["box"], got["lam"] = [int(v) for v in r[0]], float(r[1])
                return r

            mixup.cutmix_bbox_and_lam = spy
            xm, t = m(x, target.clone())
            mixup.cutmix_bbox_and_lam = orig
        finally:
            np.random.randint = saved
        cases.append({
            "method": method,
            "lam": lam,
            "centre": list(centre) if centre else None,
            "smoothing": smoothing,
            "shape": [n, h, w, ch],
            "classes": classes,
            "labels": target.tolist(),
            # NHWC, as the engine's batches are
            "x": base.permute(0, 2, 3, 1).reshape(-1).tolist(),
            "mixed": xm.permute(0, 2, 3, 1).reshape(-1).tolist(),
            "targets": t.reshape(-1).tolist(),
            "box": got.get("box"),
            "correctedLam": got.get("lam", lam),
        })
    return cases


def ema_cases(model_ema):
    cases = []
    for warmup in (False, True):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))

        def live(k):
            return {
                "0.weight": torch.tensor(closed(6, 0.9, 0.3 * k), dtype=torch.float32).view(2, 3),
                "0.bias": torch.tensor(closed(2, 1.1, 0.5 * k + 1), dtype=torch.float32),
                "1.weight": torch.tensor([1 + 0.1 * v for v in closed(2, 0.4, k)], dtype=torch.float32),
                "1.bias": torch.tensor(closed(2, 0.8, 0.2 * k + 2), dtype=torch.float32),
                "1.running_mean": torch.tensor(closed(2, 1.3, 0.7 * k), dtype=torch.float32),
                "1.running_var": torch.tensor([1.5 + v for v in closed(2, 0.6, 0.9 * k)], dtype=torch.float32),
            }

        def load_live(k):
            sd = net.state_dict()
            for name, v in live(k).items():
                sd[name].copy_(v)

        load_live(0)
        ema = model_ema.ModelEmaV3(net, decay=0.9, use_warmup=warmup)
        steps = 6
        for k in range(1, steps + 1):
            load_live(k)
            ema.update(net, step=k)
        sd = ema.module.state_dict()
        cases.append({
            "decay": 0.9,
            "warmup": warmup,
            "steps": steps,
            "live": {str(k): {n: v.reshape(-1).tolist() for n, v in live(k).items()} for k in range(0, steps + 1)},
            "ema": {n: sd[n].reshape(-1).tolist() for n in live(0)},
            "decays": {str(s): ema.get_decay(s) for s in (0, 1, 2, 3, 10, 100, 1000, 100000)},
        })
    return cases


def main():
    checkout, out = sys.argv[1], sys.argv[2]
    mixup = load(checkout, "timm/data/mixup.py", "timm_mixup")
    model_ema = load(checkout, "timm/utils/model_ema.py", "timm_model_ema")
    doc = {
        "generator": GENERATOR,
        "torch": torch.__version__,
        "labelSmoothing": label_smoothing_cases(),
        "mix": mix_cases(mixup),
        "ema": ema_cases(model_ema),
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
