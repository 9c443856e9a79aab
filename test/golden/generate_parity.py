#!/usr/bin/python3
"""Reference values ("golden" data) for the torchvision <-> TF.js model parity tests.

Usage:  /usr/bin/python3 test/golden/generate_parity.py test/golden

Writes two files into the given folder:

* torchvision-state-dicts.json: for every architecture of the zoo (resnet18/34/50/101,
  efficientnet_b0..b3, built by the REAL torchvision with num_classes=10, weights=None),
  the full state_dict() listing (parameters AND buffers, in state_dict order) as
  [name, shape, dtype].  Lets the TypeScript builders check that they expect exactly
  torchvision's tensors.
* parity.json: logits and softmax probabilities of "formula models" (every tensor of
  the state_dict filled by the closed-form WEIGHT_FORMULA below, which the TypeScript
  test reproduces bit-for-bit) on a "formula image" (IMAGE_FORMULA), plus the S=32
  image pixels and a few formula samples so the TS side can check its own formulas.

Deterministic, no network (never downloads weights).  Requires torch + torchvision
(Debian's /usr/bin/python3: torch 1.13, torchvision 0.14).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision import models

ARCHS = [
    "resnet18", "resnet34", "resnet50", "resnet101",
    "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
]
NUM_CLASSES = 10

# (arch, image size S).  The first five are the required cases; the rest are cheap extras.
CASES = [
    ("resnet18", 64),
    ("resnet50", 64),
    ("efficientnet_b0", 64),
    ("resnet34", 32),
    ("efficientnet_b1", 64),
    ("resnet101", 32),
    ("efficientnet_b2", 64),
    ("efficientnet_b3", 64),
    ("efficientnet_b0", 32),
    ("resnet18", 32),
]

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

WEIGHT_FORMULA = """fnv1a32(s): h = 0x811C9DC5; for each byte b of s.encode('utf-8'): h ^= b; h = (h * 0x01000193) mod 2^32
phase(name) = fnv1a32(name) / 2^32 * 2*pi
v(name, i)  = sin(phase(name) + STEP * i), STEP = pi * (3 - sqrt(5)) (the golden angle)          # i = flat row-major index in torch's own shape, float64 math
Per tensor (name, shape): prefix = name without its last ".suffix"; "is BN" = the state_dict contains prefix + ".running_mean".
- suffix "num_batches_tracked": left as torch sets it (int64 0); the importer skips it.
- is BN and suffix "weight": 1 + 0.1 * v
- is BN and suffix "bias": 0.1 * v
- suffix "running_mean": 0.1 * v
- suffix "running_var": 1 + 0.25 * (1 + v)
- not BN, suffix "weight" (conv or linear, ndim >= 2): v * sqrt(2 / fan_in), fan_in = prod(shape[1:])
- not BN, suffix "bias": 0.05 * v
All computed in float64 (numpy: sin(phase + STEP * arange(n, float64))), then cast to float32 and reshaped to the torch shape."""

IMAGE_FORMULA = """uint8 RGB, H = W = S; x = column, y = row, c = channel 0..2, float64 math:
p(y, x, c) = floor(127.5 + 127.5 * sin(0.37*x + 0.23*y + 1.1*c + 0.5*sin(0.05*x*y))) then clip to [0, 255]
model input: t = (p / 255 - mean[c]) / std[c] in float64, then float32, NCHW, batch 1"""


def fnv1a32(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) % (1 << 32)
    return h


def phase(name):
    return fnv1a32(name) / 2.0 ** 32 * 2.0 * math.pi


# Index step of the weight formula: the golden angle, so that no kernel repeats across its input
# channels.  (A step of 0.7 did: 0.7 * 9 = 6.3 is within 0.017 rad of 2*pi, every 3x3 kernel was
# nearly the same for all input channels, and resnet34's logits reached 1.9e8.)  If this is ever
# changed, change the WEIGHT_FORMULA text too (the TS side must use the same step).
WEIGHT_STEP = math.pi * (3 - math.sqrt(5))


def v(name, n):
    """float64 array v(name, i) for i in 0..n-1."""
    return np.sin(phase(name) + WEIGHT_STEP * np.arange(n, dtype=np.float64))


def formula_tensor(name, shape, keys):
    """float32 numpy array for tensor `name` of torch shape `shape`, or None (num_batches_tracked)."""
    prefix, _, suffix = name.rpartition(".")
    if suffix == "num_batches_tracked":
        return None
    is_bn = (prefix + ".running_mean") in keys
    n = int(np.prod(shape)) if len(shape) else 1
    vv = v(name, n)
    if is_bn and suffix == "weight":
        a = 1.0 + 0.1 * vv
    elif is_bn and suffix == "bias":
        a = 0.1 * vv
    elif suffix == "running_mean":
        a = 0.1 * vv
    elif suffix == "running_var":
        a = 1.0 + 0.25 * (1.0 + vv)
    elif suffix == "weight":
        if len(shape) < 2:
            raise ValueError("non-BN weight with ndim < 2: %s %s" % (name, shape))
        fan_in = int(np.prod(shape[1:]))
        a = vv * math.sqrt(2.0 / fan_in)
    elif suffix == "bias":
        a = 0.05 * vv
    else:
        raise ValueError("unexpected tensor %s" % name)
    return a.astype(np.float32).reshape(shape)


def build(arch):
    return getattr(models, arch)(weights=None, num_classes=NUM_CLASSES)


def formula_model(arch):
    model = build(arch)
    sd = model.state_dict()
    keys = set(sd.keys())
    new_sd = {}
    for name, t in sd.items():
        a = formula_tensor(name, tuple(t.shape), keys)
        if a is None:
            new_sd[name] = t.clone()
        else:
            assert t.dtype == torch.float32, (name, t.dtype)
            new_sd[name] = torch.from_numpy(a)
    model.load_state_dict(new_sd, strict=True)
    model.eval()
    return model


def image_uint8(S):
    """(S, S, 3) uint8 array, HWC."""
    y = np.arange(S, dtype=np.float64).reshape(S, 1, 1)
    x = np.arange(S, dtype=np.float64).reshape(1, S, 1)
    c = np.arange(3, dtype=np.float64).reshape(1, 1, 3)
    p = np.floor(127.5 + 127.5 * np.sin(0.37 * x + 0.23 * y + 1.1 * c + 0.5 * np.sin(0.05 * x * y)))
    return np.clip(p, 0, 255).astype(np.uint8)


def model_input(S):
    p = image_uint8(S).astype(np.float64)
    t = (p / 255.0 - np.array(MEAN, dtype=np.float64)) / np.array(STD, dtype=np.float64)
    t = t.astype(np.float32).transpose(2, 0, 1)[None]  # NCHW
    return torch.from_numpy(np.ascontiguousarray(t))


def dtype_str(dt):
    return str(dt).replace("torch.", "")


def f32list(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUT_DIR" % sys.argv[0])
    out_dir = sys.argv[1]
    torch.set_grad_enabled(False)
    torch.set_num_threads(1)
    torch.manual_seed(0)

    # 1. state-dict listings
    archs = {}
    for arch in ARCHS:
        sd = build(arch).state_dict()
        archs[arch] = [[k, list(t.shape), dtype_str(t.dtype)] for k, t in sd.items()]
    sds = {"torchvision": torchvision.__version__, "torch": torch.__version__, "archs": archs}
    with open(os.path.join(out_dir, "torchvision-state-dicts.json"), "w") as f:
        f.write("{\n")
        f.write('  "torchvision": %s,\n  "torch": %s,\n  "archs": {\n'
                % (json.dumps(sds["torchvision"]), json.dumps(sds["torch"])))
        for ai, arch in enumerate(ARCHS):
            f.write("    %s: [\n" % json.dumps(arch))
            rows = archs[arch]
            for ri, row in enumerate(rows):
                f.write("      %s%s\n" % (json.dumps(row), "," if ri + 1 < len(rows) else ""))
            f.write("    ]%s\n" % ("," if ai + 1 < len(ARCHS) else ""))
        f.write("  }\n}\n")

    # 2. parity cases
    cases = []
    ok = True
    for arch, S in CASES:
        model = formula_model(arch)
        logits = model(model_input(S))[0]
        probs = torch.softmax(logits, dim=0)
        ln = logits.numpy().astype(np.float64)
        std, mx = float(ln.std()), float(np.abs(ln).max())
        finite = bool(np.all(np.isfinite(ln)))
        flag = ""
        if not finite or std < 1e-6 or mx > 1e6:
            ok = False
            flag = "  <-- SUSPICIOUS"
        print("%-16s S=%3d  logits std=%.6g  max|logit|=%.6g%s" % (arch, S, std, mx, flag), file=sys.stderr)
        cases.append({
            "arch": arch,
            "imageSize": S,
            "numClasses": NUM_CLASSES,
            "logits": f32list(logits.numpy()),
            "probs": f32list(probs.numpy()),
        })

    r18 = build("resnet18").state_dict()
    r18keys = set(r18.keys())
    samples = {}
    for name in ("conv1.weight", "layer1.0.bn1.running_var"):
        a = formula_tensor(name, tuple(r18[name].shape), r18keys)
        samples[name] = {"arch": "resnet18", "shape": list(r18[name].shape), "first8": f32list(a.reshape(-1)[:8])}

    parity = {
        "generator": "test/golden/generate_parity.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "weightFormula": WEIGHT_FORMULA,
        "imageFormula": IMAGE_FORMULA,
        "mean": list(MEAN),
        "std": list(STD),
        "cases": cases,
        "image32": [int(x) for x in image_uint8(32).reshape(-1)],
        "formulaSamples": samples,
    }
    with open(os.path.join(out_dir, "parity.json"), "w") as f:
        json.dump(parity, f, indent=1)
        f.write("\n")
    if not ok:
        print("WARNING: some case has non-finite, constant or huge logits", file=sys.stderr)


if __name__ == "__main__":
    main()
