#!/usr/bin/python3
"""Reference values ("golden" data) for the optimizers of src-main/engine/optim.

Usage:  /usr/bin/python3 test/golden/generate_optim.py test/golden/optim.json

Every case drives the REAL torch.optim classes (torch 1.13 as installed at /usr/bin/python3;
the `python3` on PATH has no torch) with foreach=False, i.e. the single-tensor code paths
(_single_tensor_sgd in torch/optim/sgd.py, _single_tensor_adam in adam.py,
_single_tensor_adamw in adamw.py, _single_tensor_rmsprop in rmsprop.py), for 10 steps, and
records every parameter after every step (float32).

Inputs are closed-form so that the TypeScript test rebuilds them exactly:

* parameter k of a case (its index in "params"), flat element i:
      p[k][i] = sin(0.9*i + 1.7*k + 0.3)            computed in float64, then cast to float32
* its gradient at step t (t = 0..9):
      g[k][i](t) = 0.1*cos(0.3*i + 0.7*t + k)       likewise
  absent (p.grad = None, as for a frozen layer group) while t < frozenUntil[group].
* the per-group learning rate of step t, lr[t][group], and (one-cycle cases) the momentum /
  Adam beta1 of step t, momentum[t], are stored in the case as the schedule would pass them.

The engine's options that torch.optim has no flag for are expressed with plain torch, so they are
checked against torch too:

* noDecayOnNormAndBias / biasLrMult: one torch param group per (layer group, kind) with its own
  weight_decay (0 for "norm" and "bias") and lr (lr * biasLrMult for "bias"), exactly what the
  engine does per parameter.
* decay "l1": weight_decay=0 in torch and p.grad = g + wd*sign(p) (the gradient of wd*|p|_1).
* decay "decoupled" for SGD / RMSprop / Adam: weight_decay=0 in torch and p.mul_(1 - lr*wd)
  before optimizer.step(), as torch's AdamW does inside its step (adamw.py) and as fastai does
  for every optimizer (fastai/optimizer.py, `weight_decay`, the default decouple_wd=True).
"""

import json
import math
import sys

import torch

GENERATOR = "test/golden/generate_optim.py"
STEPS = 10

torch.set_default_dtype(torch.float32)


def init_values(k, n):
    return [math.sin(0.9 * i + 1.7 * k + 0.3) for i in range(n)]


def grad_values(k, n, t):
    return [0.1 * math.cos(0.3 * i + 0.7 * t + k) for i in range(n)]


def layout(groups, norms):
    """Parameters of a small network split into layer groups: a conv-like kernel (+ BatchNorm
    gamma/beta when `norms`) in the first group, dense kernel + bias in the others."""
    params = [{"name": "g0/kernel", "group": 0, "kind": "weight", "shape": [2, 3]}]
    if norms:
        params.append({"name": "g0/gamma", "group": 0, "kind": "norm", "shape": [3]})
        params.append({"name": "g0/beta", "group": 0, "kind": "norm", "shape": [3]})
    else:
        params.append({"name": "g0/bias", "group": 0, "kind": "bias", "shape": [3]})
    for g in range(1, groups):
        params.append({"name": f"g{g}/kernel", "group": g, "kind": "weight", "shape": [3, 4]})
        params.append({"name": f"g{g}/bias", "group": g, "kind": "bias", "shape": [4]})
    return params


def lr_schedule(base, groups):
    """Changes every step and differs per group (discriminative rates), as a schedule sets it."""
    return [
        [base * 0.5 ** (groups - 1 - g) * (1 + 0.5 * math.sin(0.9 * t + g)) for g in range(groups)]
        for t in range(STEPS)
    ]


def one_cycle_momentum():
    """0.95 -> 0.85 -> 0.95 over the run, as OneCycleLR cycles momentum / beta1."""
    return [0.95 - 0.1 * math.sin(math.pi * t / (STEPS - 1)) for t in range(STEPS)]


# Engine defaults (src-main/engine/optim/config.ts), resolved here so that each case's config can
# stay as short as a user's.
def resolve(config, groups):
    c = dict(config)
    typ = c.setdefault("type", "adamw")
    c.setdefault("momentum", 0.9 if typ == "sgd" else 0.0)
    c.setdefault("nesterov", False)
    c.setdefault("betas", [0.9, 0.999])
    c.setdefault("eps", 1e-8)
    c.setdefault("alpha", 0.99)
    c.setdefault("weightDecay", 0.01 if typ == "adamw" else 0.0)
    c.setdefault("decay", "decoupled" if typ == "adamw" else "l2")
    c.setdefault("noDecayOnNormAndBias", True)
    c.setdefault("biasLrMult", 1.0)
    wd = c["weightDecay"]
    c["weightDecay"] = list(wd) if isinstance(wd, list) else [wd] * groups
    return c


def run_case(case):
    groups = case["groups"]
    specs = case["params"]
    c = resolve(case["config"], groups)
    lr = case["lr"]
    momentum = case.get("momentum")
    frozen = case.get("frozenUntil", [0] * groups)

    params = []
    for k, s in enumerate(specs):
        n = math.prod(s["shape"])
        t = torch.tensor(init_values(k, n), dtype=torch.float64).to(torch.float32).reshape(s["shape"])
        params.append(t.requires_grad_(True))

    def lr_mult(s):
        return c["biasLrMult"] if s["kind"] == "bias" else 1.0

    def wd_of(s):
        if c["noDecayOnNormAndBias"] and s["kind"] != "weight":
            return 0.0
        return c["weightDecay"][s["group"]]

    # One torch param group per (layer group, lr multiplier, weight decay).
    keyed = {}
    for k, s in enumerate(specs):
        keyed.setdefault((s["group"], lr_mult(s), wd_of(s)), []).append(k)
    torch_groups = []
    for (g, mult, wd), ks in keyed.items():
        in_torch = wd if c["decay"] == "l2" or c["type"] == "adamw" else 0.0
        torch_groups.append({"params": [params[k] for k in ks], "group": g, "mult": mult, "wd": wd,
                             "weight_decay": in_torch, "lr": lr[0][g] * mult})

    typ = c["type"]
    if typ == "sgd":
        opt = torch.optim.SGD(torch_groups, lr=lr[0][0], momentum=c["momentum"], nesterov=c["nesterov"],
                              foreach=False)
    elif typ == "adam":
        opt = torch.optim.Adam(torch_groups, lr=lr[0][0], betas=tuple(c["betas"]), eps=c["eps"], foreach=False)
    elif typ == "adamw":
        assert c["decay"] == "decoupled"
        opt = torch.optim.AdamW(torch_groups, lr=lr[0][0], betas=tuple(c["betas"]), eps=c["eps"], foreach=False)
    elif typ == "rmsprop":
        opt = torch.optim.RMSprop(torch_groups, lr=lr[0][0], alpha=c["alpha"], eps=c["eps"],
                                  momentum=c["momentum"], foreach=False)
    else:
        raise ValueError(typ)

    expected = []
    for t in range(STEPS):
        for pg in opt.param_groups:
            pg["lr"] = lr[t][pg["group"]] * pg["mult"]
            if momentum is not None:
                # What OneCycleLR writes into the group (torch/optim/lr_scheduler.py, OneCycleLR.get_lr).
                if typ in ("adam", "adamw"):
                    pg["betas"] = (momentum[t], pg["betas"][1])
                else:
                    pg["momentum"] = momentum[t]
        for k, s in enumerate(specs):
            p = params[k]
            if t < frozen[s["group"]]:
                p.grad = None
                continue
            n = math.prod(s["shape"])
            g = torch.tensor(grad_values(k, n, t), dtype=torch.float64).to(torch.float32).reshape(s["shape"])
            wd = wd_of(s)
            with torch.no_grad():
                if c["decay"] == "l1" and wd != 0:
                    g = g + wd * torch.sign(p)
                if c["decay"] == "decoupled" and typ != "adamw" and wd != 0:
                    p.mul_(1 - lr[t][s["group"]] * lr_mult(s) * wd)
            p.grad = g
        opt.step()
        expected.append([[float("%.9g" % v) for v in p.detach().reshape(-1).tolist()] for p in params])
    return expected


def case(name, reference, config, groups=3, norms=False, base_lr=0.1, momentum=False, frozen_until=None):
    out = {
        "name": name,
        "reference": reference + " (torch " + torch.__version__ + ", foreach=False)",
        "config": config,
        "groups": groups,
        "params": layout(groups, norms),
        "lr": lr_schedule(base_lr, groups),
        "momentum": one_cycle_momentum() if momentum else None,
    }
    if frozen_until is not None:
        out["frozenUntil"] = frozen_until
    return out


CASES = [
    case("sgd-plain", "torch.optim.SGD, momentum=0", {"type": "sgd", "momentum": 0}, groups=2),
    case("sgd-nesterov-l2-per-group", "torch.optim.SGD, momentum=0.9, nesterov, weight_decay per group",
         {"type": "sgd", "momentum": 0.9, "nesterov": True, "weightDecay": [1e-3, 1e-2, 5e-2],
          "noDecayOnNormAndBias": False}),
    case("sgd-one-cycle-momentum", "torch.optim.SGD, momentum written per step as OneCycleLR does",
         {"type": "sgd", "weightDecay": 1e-3}, momentum=True),
    case("sgd-l1", "torch.optim.SGD, momentum=0.9, grad += wd*sign(p)",
         {"type": "sgd", "decay": "l1", "weightDecay": [1e-2, 2e-2, 5e-2], "noDecayOnNormAndBias": False}),
    case("sgd-decoupled", "torch.optim.SGD, momentum=0.9, p *= 1 - lr*wd before the step (fastai weight_decay)",
         {"type": "sgd", "decay": "decoupled", "weightDecay": 0.1, "noDecayOnNormAndBias": False}),
    case("sgd-no-decay-norm-bias-lr-mult", "torch.optim.SGD, momentum=0.9, one param group per (layer group, kind)",
         {"type": "sgd", "weightDecay": [1e-2, 2e-2, 3e-2], "biasLrMult": 2}, norms=True),
    case("adamw-per-group-wd", "torch.optim.AdamW, weight_decay per group",
         {"type": "adamw", "weightDecay": [0.01, 0.05, 0.1], "noDecayOnNormAndBias": False}, base_lr=0.01),
    case("adamw-one-cycle-beta1", "torch.optim.AdamW, betas[0] written per step as OneCycleLR does",
         {"type": "adamw", "betas": [0.9, 0.99], "weightDecay": 0.05}, base_lr=0.01, momentum=True),
    case("adamw-no-decay-norm-bias-lr-mult", "torch.optim.AdamW, one param group per (layer group, kind)",
         {"type": "adamw", "weightDecay": 0.05, "biasLrMult": 2}, norms=True, base_lr=0.01),
    case("adam-l2", "torch.optim.Adam, weight_decay (L2 in the gradient) per group",
         {"type": "adam", "weightDecay": [1e-3, 1e-2, 1e-1], "noDecayOnNormAndBias": False}, base_lr=0.01),
    case("adam-frozen-group", "torch.optim.Adam, first group without grads for 4 steps (per-parameter step count)",
         {"type": "adam", "eps": 1e-6}, base_lr=0.01, frozen_until=[4, 0, 0]),
    case("rmsprop-momentum", "torch.optim.RMSprop, momentum=0.9, alpha=0.95, weight_decay",
         {"type": "rmsprop", "momentum": 0.9, "alpha": 0.95, "weightDecay": 1e-3, "noDecayOnNormAndBias": False},
         base_lr=0.005),
    case("rmsprop-plain", "torch.optim.RMSprop, momentum=0", {"type": "rmsprop"}, base_lr=0.005),
    case("rmsprop-one-cycle-momentum", "torch.optim.RMSprop, momentum written per step as OneCycleLR does",
         {"type": "rmsprop", "momentum": 0.9}, base_lr=0.005, momentum=True),
]


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "test/golden/optim.json"
    cases = []
    for c in CASES:
        c = dict(c)
        c["expected"] = run_case(c)
        cases.append(c)
    header = {
        "generator": GENERATOR,
        "torch": torch.__version__,
        "init": "p[k][i] = sin(0.9*i + 1.7*k + 0.3)",
        "grad": "g[k][i](t) = 0.1*cos(0.3*i + 0.7*t + k)",
    }
    with open(out_path, "w") as f:
        f.write(json.dumps(header, sort_keys=True)[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, sort_keys=True) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
