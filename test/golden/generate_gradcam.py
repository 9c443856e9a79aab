#!/usr/bin/python3
"""Reference Grad-CAM heatmaps for src-main/engine/explain/gradcam.ts.

Usage:  /usr/bin/python3 test/golden/generate_gradcam.py test/golden

Writes gradcam.json: Grad-CAM (Selvaraju et al. 2017, eq. 1-2) of torchvision models whose weights
are the closed-form "formula" weights of generate_parity.py (the same function builds them, so the
TS test imports exactly these weights), on that script's formula image:

    A      = activations of the last convolutional stage (resnet: model.layer4's output;
             efficientnet: model.features' output, i.e. features.8 = conv + BN + SiLU)
    alpha  = d logits[0, c] / d A, averaged over the spatial axes          (eq. 1)
    cam    = ReLU(sum_k alpha_k A_k)                                        (eq. 2)
    up     = F.interpolate(cam[None, None], (S, S), mode='bilinear', align_corners=False)
    heat   = (up - up.min()) / (up.max() - up.min())

for the predicted class c (the first largest logit) and for one chosen class.  Autograd through
the real torchvision modules in eval mode (BatchNorm running statistics, no dropout), in float64.
Deterministic, no network.  Requires torch + torchvision (Debian's python3-torch, python3-torchvision).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_parity import formula_model, model_input  # noqa: E402

# (arch, image size, BN shifts zeroed, chosen classes).  resnet18 at 96 px has a 3x3 layer4;
# efficientnet_b0 at 96 px a 3x3 features.8.
# With the parity formula as it is, every BatchNorm's shift (bias 0.1 v, running_mean 0.1 v)
# dominates the last stage, whose maps then vary by 0.1 % over the image: min-max scaling
# magnifies float32 rounding a thousandfold there.  With the shifts zeroed (bias = running_mean = 0
# in every BatchNorm, every other tensor the formula's), ResNet is positively homogeneous and its
# maps keep the image's structure (97 % contrast): the case that tests the localisation.  Its
# predicted class (8) is left out: its map, 4e-6 at most, is the difference of terms near 1e-4,
# which float32 cannot resolve to 1e-4 after scaling; class 5's map (up to 1e-3) can.
CASES = [
    ("resnet18", 96, True, (5, 2)),
    ("resnet18", 96, False, ()),
    ("efficientnet_b0", 96, False, (7,)),
]


def zero_bn_shifts(model):
    sd = model.state_dict()
    with torch.no_grad():
        for k, t in sd.items():
            prefix = k.rsplit(".", 1)[0]
            if prefix + ".running_mean" in sd and (k.endswith(".bias") or k.endswith(".running_mean")):
                t.zero_()


def last_stage(model, arch):
    return model.layer4 if arch.startswith("resnet") else model.features


def grad_cam(model, stage, x, cls):
    store = {}

    def hook(_module, _inp, out):
        out.retain_grad()
        store["a"] = out

    handle = stage.register_forward_hook(hook)
    try:
        logits = model(x)
    finally:
        handle.remove()
    c = int(torch.argmax(logits[0])) if cls is None else cls
    model.zero_grad()
    logits[0, c].backward()
    a, g = store["a"], store["a"].grad
    alpha = g.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((alpha * a).sum(dim=1))[0].detach()
    S = x.shape[-1]
    up = F.interpolate(cam[None, None], size=(S, S), mode="bilinear", align_corners=False)[0, 0]
    lo, hi = up.min(), up.max()
    heat = (up - lo) / (hi - lo) if float(hi - lo) > 0 else torch.zeros_like(up)
    return c, logits[0].detach(), cam, heat


def flat(t):
    return [float(v) for v in np.asarray(t, dtype=np.float64).reshape(-1)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUT_DIR" % sys.argv[0])
    torch.set_num_threads(1)
    cases = []
    for arch, S, zeroed, chosen in CASES:
        model = formula_model(arch)
        if zeroed:
            zero_bn_shifts(model)
        # float64 throughout: the reference's own rounding stays far below the test's 1e-4.
        model = model.double()
        x = model_input(S).double()
        for cls in (() if zeroed else (None,)) + tuple(chosen):
            c, logits, cam, heat = grad_cam(model, last_stage(model, arch), x, cls)
            print("%-16s S=%d zeroed=%s class=%d cam %s max=%.4g min=%.4g" % (arch, S, zeroed, c, tuple(cam.shape), float(cam.max()), float(cam.min())),
                  file=sys.stderr)
            cases.append({
                "arch": arch,
                "imageSize": S,
                "zeroBnShift": zeroed,
                "class": None if cls is None else cls,
                "explained": c,
                "logits": [float("%.9g" % v) for v in flat(logits)],
                "camShape": list(cam.shape),
                "cam": [float("%.9g" % v) for v in flat(cam)],
                "heatmap": [round(v, 6) for v in flat(heat)],
            })
    doc = {
        "generator": "test/golden/generate_gradcam.py",
        "weights": "generate_parity.py WEIGHT_FORMULA, image: IMAGE_FORMULA",
        "torch": torch.__version__,
        "cases": cases,
    }
    with open(os.path.join(sys.argv[1], "gradcam.json"), "w") as f:
        json.dump(doc, f)
        f.write("\n")


if __name__ == "__main__":
    main()
