#!/usr/bin/python3
"""Reference logits for `anneal import --naming timm`: REAL timm models (not torchvision ones)
with the closed-form weights of generate_parity.py assigned by timm's own tensor names.

timm is not packaged by Debian; run against a checkout of huggingface/pytorch-image-models:

    PYTHONPATH=/path/to/pytorch-image-models /usr/bin/python3 test/golden/generate_timm_parity.py test/golden

Writes timm-parity.json: per case the timm state_dict (names, shapes) and the logits for the
formula image. The TS test writes the formula weights under the timm names, imports them with
--naming timm and must reproduce these logits, which checks the name mapping AND that timm's
network is the one Anneal builds.
"""

import importlib.util
import json
import os
import sys

import numpy as np
import timm
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("parity", os.path.join(HERE, "generate_parity.py"))
parity = importlib.util.module_from_spec(spec)
spec.loader.exec_module(parity)

CASES = [("efficientnet_b0", 64), ("efficientnet_b2", 64), ("resnet50", 64)]


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else HERE
    torch.set_grad_enabled(False)
    torch.set_num_threads(1)
    cases = []
    for arch, size in CASES:
        model = timm.create_model(arch, pretrained=False, num_classes=10).eval()
        sd = model.state_dict()
        keys = set(sd)
        new_sd = {}
        for name, t in sd.items():
            a = parity.formula_tensor(name, tuple(t.shape), keys)
            new_sd[name] = t.clone() if a is None else torch.from_numpy(a)
        model.load_state_dict(new_sd, strict=True)
        logits = model(parity.model_input(size))[0]
        cases.append(
            {
                "arch": arch,
                "imageSize": size,
                "numClasses": 10,
                "logits": parity.f32list(logits.numpy()),
                "stateDict": [[n, list(t.shape), parity.dtype_str(t.dtype)] for n, t in sd.items()],
            }
        )
        print(f"{arch:16s} S={size:3d} logits std={float(logits.std()):.5g}", file=sys.stderr)
    doc = {
        "generator": "test/golden/generate_timm_parity.py",
        "timm": timm.__version__,
        "torch": torch.__version__,
        "weightFormula": "as in parity.json (generate_parity.py formula_tensor), keyed by timm's names",
        "cases": cases,
    }
    with open(os.path.join(out_dir, "timm-parity.json"), "w") as f:
        json.dump(doc, f)
        f.write("\n")


if __name__ == "__main__":
    main()
