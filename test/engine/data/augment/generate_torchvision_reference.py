#!/usr/bin/python3
"""Reference values for the augmentation tests, from the REAL torchvision (0.14, as installed at
/usr/bin/python3 by Debian's python3-torchvision) and Pillow.

Usage:  /usr/bin/python3 test/engine/data/augment/generate_torchvision_reference.py \
            test/engine/data/augment/torchvision-reference.json
        npx prettier --write test/engine/data/augment/torchvision-reference.json

* crop:   rows of CROP_COLUMNS: RandomResizedCrop.get_params itself, with its random draws replaced by a fixed sequence
          u_k = (c0 + k * 0.6180339887498949) % 1 (the same float64 arithmetic in TypeScript):
          torch.empty(1).uniform_(a, b) -> a + (b - a) * u, torch.randint(lo, hi) -> lo + floor(u * (hi - lo)).
          torch.tensor is made float64 so that log(ratio) is not rounded to float32: the test checks
          the algorithm, not float32 rounding.  `draws` is how many u were consumed.
* jitter: F.adjust_brightness/contrast/saturation/hue on a float tensor in [0, 1], times 255.
* resize: F.resized_crop on a PIL image (Pillow's antialiased resampling), uint8.
"""

import json
import math
import sys
import types

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
import torchvision.transforms.transforms as T
from PIL import Image
from torchvision.transforms import InterpolationMode

PHI = 0.6180339887498949
CROP_COLUMNS = ["width", "height", "scale0", "scale1", "ratio0", "ratio1", "c0", "i", "j", "h", "w", "draws"]


class Draws:
    def __init__(self, c0):
        self.c0 = c0
        self.k = 0

    def next(self):
        u = (self.c0 + self.k * PHI) % 1.0
        self.k += 1
        return u


def crop_case(width, height, scale, ratio, c0):
    d = Draws(c0)

    class Uniform:
        def uniform_(self, a, b):
            return torch.tensor([float(a) + (float(b) - float(a)) * d.next()], dtype=torch.float64)

    shim = types.SimpleNamespace(
        empty=lambda *a, **k: Uniform(),
        randint=lambda lo, hi, size: torch.tensor([lo + math.floor(d.next() * (hi - lo))]),
        tensor=lambda x, **k: torch.tensor(x, dtype=torch.float64),
        log=torch.log,
        exp=torch.exp,
    )
    real = T.torch
    T.torch = shim
    try:
        i, j, h, w = T.RandomResizedCrop.get_params(torch.zeros(3, height, width), list(scale), list(ratio))
    finally:
        T.torch = real
    return [width, height, scale[0], scale[1], ratio[0], ratio[1], c0, int(i), int(j), int(h), int(w), d.k]


def crops():
    out = []
    sizes = [(640, 480), (480, 640), (256, 256), (37, 23), (1000, 100), (100, 1000), (3, 2)]
    params = [((0.08, 1.0), (3 / 4, 4 / 3)), ((0.5, 1.0), (0.5, 2.0)), ((0.9, 1.0), (3 / 4, 4 / 3)),
              ((1.0, 1.0), (1.0, 1.0)), ((0.25, 0.25), (2.0, 3.0))]
    for (w, h) in sizes:
        for (scale, ratio) in params:
            for c0 in (0.0, 0.123, 0.5, 0.77, 0.9999):
                out.append(crop_case(w, h, scale, ratio, c0))
    return out


def image_4x4():
    # Every kind of pixel for HSV: greys, primaries, secondaries, mixed, near-black, near-white.
    px = [[0, 0, 0], [255, 255, 255], [128, 128, 128], [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0],
          [0, 255, 255], [255, 0, 255], [200, 120, 40], [30, 60, 90], [250, 240, 230], [5, 3, 1],
          [90, 200, 130], [10, 250, 120], [140, 20, 200]]
    return np.array(px, dtype=np.uint8).reshape(4, 4, 3)


def jitter():
    img = image_4x4()
    t = torch.from_numpy(img).permute(2, 0, 1).to(torch.float64) / 255.0
    cases = []
    for name, fn, factor in [("brightness", F.adjust_brightness, 1.3), ("brightness", F.adjust_brightness, 0.4),
                             ("contrast", F.adjust_contrast, 0.6), ("contrast", F.adjust_contrast, 1.5),
                             ("saturation", F.adjust_saturation, 1.7), ("saturation", F.adjust_saturation, 0.0),
                             ("hue", F.adjust_hue, 0.2), ("hue", F.adjust_hue, -0.35), ("hue", F.adjust_hue, 0.5)]:
        out = (fn(t, factor) * 255.0).permute(1, 2, 0).reshape(-1).tolist()
        cases.append({"op": name, "factor": factor, "out": [round(v, 6) for v in out]})
    return {"input": img.reshape(-1).tolist(), "width": 4, "height": 4, "cases": cases}


def resize():
    w, h = 12, 9
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([(x * 21) % 256, (y * 29) % 256, ((x * y * 7) + 40) % 256], axis=-1).astype(np.uint8)
    pil = Image.fromarray(img)
    cases = []
    for (top, left, ch, cw, size) in [(1, 2, 7, 9, 5), (0, 0, 9, 12, 6), (2, 3, 3, 4, 8)]:
        for interp, mode in [("bilinear", InterpolationMode.BILINEAR), ("bicubic", InterpolationMode.BICUBIC)]:
            out = np.asarray(F.resized_crop(pil, top, left, ch, cw, [size, size], mode))
            cases.append({"top": top, "left": left, "h": ch, "w": cw, "size": size, "interpolation": interp,
                          "out": out.reshape(-1).tolist()})
    return {"input": img.reshape(-1).tolist(), "width": w, "height": h, "cases": cases}


def main():
    out = {
        "generator": "test/engine/data/augment/generate_torchvision_reference.py",
        "reference": f"torchvision {torchvision.__version__}, torch {torch.__version__}, Pillow {Image.__version__}",
        "crop": {"columns": CROP_COLUMNS, "rows": crops()},
        "jitter": jitter(),
        "resize": resize(),
    }
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


main()
