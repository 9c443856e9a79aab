#!/usr/bin/python3
"""Reference values ("golden" data) for the learning-rate schedule contract
(shared/docs/schedules.md).

Usage:  /usr/bin/python3 test/golden/generate_schedules.py test/golden/schedules.json

Three kinds of reference, all independent of the TypeScript implementation:

* source "torch":  the REAL torch.optim.lr_scheduler classes (torch 1.13 as installed
  at /usr/bin/python3) driving a real torch.optim.SGD(momentum=0.9) optimizer over N
  parameter groups.  lr[t] is read from optimizer.param_groups BEFORE optimizer.step()
  and scheduler.step() of step t.
* source "keras":  a plain-Python (float64, math module) transliteration of Keras 3
  keras/src/optimizers/schedules/learning_rate_schedule.py and
  keras/src/callbacks/learning_rate_scheduler.py.  Keras itself is not installed.
* source "fastai": a plain-Python (float64) transliteration of fastai
  fastai/callback/schedule.py (sched_cos, combine_scheds, combined_cos,
  Learner.fit_one_cycle, Learner.fine_tune), fastai/optimizer.py
  (_BaseOptimizer.set_hyper with a slice) and fastcore/basics.py (even_mults),
  and fastai/callback/core.py TrainEvalCallback (pct_train).  fastai is not installed.

Every case is additionally cross-checked against an independent Python rendering of the
contract formulas (contract_* functions below) -- the TypeScript is never consulted.
Torch warm-up / sequential cases are only written when torch and the contract formula
agree to 1e-12 (relative); any disagreement is reported on stderr.
"""

import json
import math
import sys
import warnings

import torch

warnings.filterwarnings("ignore")  # torch's "step before optimizer.step" / epoch-arg deprecation chatter

GENERATOR = "test/golden/generate_schedules.py"
TORCH_REF = "torch " + torch.__version__

notes = []  # printed on stderr at the end


def note(msg):
    notes.append(msg)


# ---------------------------------------------------------------------------
# Contract: rate-valued fields, scaling
# ---------------------------------------------------------------------------

RATE_FIELDS = ("lr", "maxLr", "baseLr", "endLr", "minLr", "warmupTarget")


def lr_scale_factor(config, batch_size):
    s = config.get("lrScaling")
    if not s or s.get("rule", "none") == "none":
        return 1.0
    ratio = batch_size / s.get("baseBatch", 256)
    if s["rule"] == "linear":
        return ratio
    if s["rule"] == "sqrt":
        return math.sqrt(ratio)
    raise ValueError(s)


def contract_resolve(v, n, k):
    """Contract 'Rates per layer group': number / array / {"slice": [lo, hi]} / {"slice": [hi]}."""
    if isinstance(v, (int, float)):
        return [float(v) * k] * n
    if isinstance(v, list):
        assert len(v) == n
        return [float(x) * k for x in v]
    sl = v["slice"]
    if len(sl) == 2:
        lo, hi = sl
        if n == 1:
            return [hi * k]
        return [lo * (hi / lo) ** (i / (n - 1)) * k for i in range(n)]
    (hi,) = sl
    return [hi / 10 * k] * (n - 1) + [hi * k]


def contract_group_schedule(sched, n, k, g):
    """The schedule with every rate-valued field replaced by group g's value."""
    out = {}
    for key, val in sched.items():
        if key in RATE_FIELDS and val is not None:
            out[key] = contract_resolve(val, n, k)[g]
        elif key == "values" and sched.get("type") == "piecewise":
            out[key] = [contract_resolve(x, n, k)[g] for x in val]
        elif key == "inner":
            out[key] = contract_group_schedule(val, n, k, g)
        elif key == "parts":
            out[key] = [{"schedule": contract_group_schedule(p["schedule"], n, k, g),
                         "length": p["length"]} for p in val]
        else:
            out[key] = val
    return out


# ---------------------------------------------------------------------------
# Contract: the formulas of schedules.md, per group, as an independent cross-check
# ---------------------------------------------------------------------------

def contract_value(s, g_rel, spe, k):
    """Value (lr, momentum-or-None) of single-group schedule s at global step g_rel
    counted from the schedule's own start.  k = lrScaling factor (for warm-up default)."""
    unit = s.get("unit", "step")
    t = g_rel if unit == "step" else g_rel // spe
    x = t + s.get("offset", 0)
    typ = s["type"]
    if typ == "constant":
        return s["lr"], None
    if typ == "step":
        return s["lr"] * s["factor"] ** math.floor(x / s["every"]), None
    if typ == "multiStep":
        c = sum(1 for m in s["milestones"] if m <= x)
        return s["lr"] * s.get("factor", 0.1) ** c, None
    if typ == "piecewise":
        b, v = s["boundaries"], s["values"]
        if x <= b[0]:
            return v[0], None
        for i in range(1, len(b)):
            if b[i - 1] < x <= b[i]:
                return v[i], None
        return v[-1], None
    if typ == "exponential":
        p = x / s["decaySteps"]
        if s.get("staircase", False):
            p = math.floor(p)
        return s["lr"] * s["decayRate"] ** p, None
    if typ == "inverseTime":
        p = x / s.get("decaySteps", 1)
        if s.get("staircase", False):
            p = math.floor(p)
        return s["lr"] / (1 + s["decayRate"] * p), None
    if typ == "polynomial":
        ds = s["decaySteps"]
        cyc = s.get("cycle", "none")
        if cyc == "none":
            st, D = min(x, ds), ds
        elif cyc == "keras":
            st, D = x, ds * max(1, math.ceil(x / ds))
        else:
            st, D = x % ds, ds
        end = s.get("endLr", 0.0001)
        return (s["lr"] - end) * (1 - st / D) ** s.get("power", 1) + end, None
    if typ == "cosine":
        alpha = s.get("alpha", 0.0)
        ds = s["decaySteps"]
        ws = s.get("warmupSteps", 0)
        wt = s.get("warmupTarget")
        lr0 = s["lr"]
        if ws > 0 and wt is not None:
            if x < ws:
                return lr0 + (wt - lr0) * x / ws, None
            x = x - ws
            lr0 = wt
        st = min(x, ds)
        c = 0.5 * (1 + math.cos(math.pi * st / ds))
        return lr0 * ((1 - alpha) * c + alpha), None
    if typ == "cosineRestarts":
        f = x / s["firstDecaySteps"]
        tm, mm, alpha = s.get("tMul", 2.0), s.get("mMul", 1.0), s.get("alpha", 0.0)
        if tm == 1:
            i = math.floor(f)
            f = f - i
        else:
            i = math.floor(math.log(1 - f * (1 - tm)) / math.log(tm))
            S = (1 - tm ** i) / (1 - tm)
            f = (f - S) / tm ** i
        return s["lr"] * ((1 - alpha) * 0.5 * mm ** i * (1 + math.cos(math.pi * f)) + alpha), None
    if typ == "cyclic":
        up = s["stepSizeUp"]
        down = s.get("stepSizeDown", up)
        T = up + down
        r = up / T
        cycle = math.floor(1 + x / T)
        u = 1 + x / T - cycle
        sc = u / r if u <= r else (u - 1) / (r - 1)
        h = (s["maxLr"] - s["baseLr"]) * sc
        mode = s.get("mode", "triangular")
        if mode == "triangular":
            return s["baseLr"] + h, None
        if mode == "triangular2":
            return s["baseLr"] + h / 2 ** (cycle - 1), None
        return s["baseLr"] + h * s.get("gamma", 1.0) ** x, None
    if typ == "oneCycle":
        return contract_one_cycle(s, x)
    if typ == "warmup":
        L = s["steps"]
        sf = s.get("startFactor", 1.0 / k if k > 1 else 0.1)
        if t < L:
            lr_in0, mom_in0 = contract_value(s["inner"], 0, spe, k)
            return lr_in0 * (sf + (1 - sf) * x / L), mom_in0
        consumed = L if unit == "step" else L * spe
        return contract_value(s["inner"], g_rel - consumed, spe, k)
    if typ == "sequential":
        per = 1 if unit == "step" else spe
        start = 0
        parts = s["parts"]
        for j, p in enumerate(parts):
            if j == len(parts) - 1 or t < start + p["length"]:
                return contract_value(p["schedule"], g_rel - start * per, spe, k)
            start += p["length"]
    raise ValueError(typ)


def contract_one_cycle(s, x):
    max_lr = s["maxLr"]
    total = s["totalSteps"]
    pct = s.get("pctStart", 0.25)
    div = s.get("divFactor", 25.0)
    fdiv = s.get("finalDivFactor", 1e5)
    base_m, max_m = s.get("baseMomentum", 0.85), s.get("maxMomentum", 0.95)
    initial = max_lr / div
    mn = initial / fdiv
    anneal = s.get("anneal", "cos")
    cyc_m = s.get("cycleMomentum", True)
    if s.get("convention", "fastai") == "pytorch":
        def ann(a, b, p):
            if anneal == "cos":
                return b + (a - b) / 2 * (math.cos(math.pi * p) + 1)
            return a + (b - a) * p
        if s.get("threePhase", False):
            phases = [(pct * total - 1, initial, max_lr, max_m, base_m),
                      (2 * pct * total - 2, max_lr, initial, base_m, max_m),
                      (total - 1, initial, mn, max_m, max_m)]
        else:
            phases = [(pct * total - 1, initial, max_lr, max_m, base_m),
                      (total - 1, max_lr, mn, base_m, max_m)]
        start = 0
        for i, (end, a, b, ma, mb) in enumerate(phases):
            if end >= x or i == len(phases) - 1:
                p = (x - start) / (end - start)
                return ann(a, b, p), (ann(ma, mb, p) if cyc_m else None)
            start = end
    def ann(a, b, p):
        if anneal == "cos":
            return a + (1 + math.cos(math.pi * (1 - p))) * (b - a) / 2
        return a + (b - a) * p
    pos = x / total
    if pos < pct:
        p = pos / pct
        return ann(initial, max_lr, p), (ann(max_m, base_m, p) if cyc_m else None)
    p = (pos - pct) / (1 - pct)
    return ann(max_lr, mn, p), (ann(base_m, max_m, p) if cyc_m else None)


def contract_plateau(s, n, k, epochs, spe, metrics):
    lrs = contract_resolve(s["lr"], n, k)
    mins = contract_resolve(s.get("minLr", 0.0), n, k)
    mode = s.get("mode", "min")
    factor, patience = s.get("factor", 0.1), s.get("patience", 10)
    thr, tmode, cooldown = s.get("threshold", 1e-4), s.get("thresholdMode", "rel"), s.get("cooldown", 0)
    best = math.inf if mode == "min" else -math.inf
    bad, cool = 0, 0
    rows = []
    for e in range(epochs):
        rows += [list(lrs) for _ in range(spe)]
        a = metrics[e]
        if mode == "min":
            better = a < best * (1 - thr) if tmode == "rel" else a < best - thr
        else:
            better = a > best * (1 + thr) if tmode == "rel" else a > best + thr
        if better:
            best, bad = a, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            for i in range(n):
                new = max(lrs[i] * factor, mins[i])
                if lrs[i] - new > 1e-8:
                    lrs[i] = new
            cool, bad = cooldown, 0
    return rows


def contract_eval(case):
    cfg = case["config"]
    sched = cfg["schedule"]
    n, spe, E = case["groups"], case["stepsPerEpoch"], case["epochs"]
    k = lr_scale_factor(cfg, case.get("batchSize"))
    if sched["type"] == "plateau":
        return contract_plateau(sched, n, k, E, spe, case["metrics"]), None
    per_group = [contract_group_schedule(sched, n, k, g) for g in range(n)]
    rows, moms = [], []
    for t in range(E * spe):
        vals = [contract_value(s, t, spe, k) for s in per_group]
        rows.append([v[0] for v in vals])
        moms.append(vals[0][1])
    if all(m is None for m in moms):
        moms = None
    return rows, moms


def max_rel_diff(a_rows, b_rows):
    worst = 0.0
    for ra, rb in zip(a_rows, b_rows):
        ra = ra if isinstance(ra, list) else [ra]
        rb = rb if isinstance(rb, list) else [rb]
        for a, b in zip(ra, rb):
            if a == b:
                continue
            worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
    return worst


# ---------------------------------------------------------------------------
# torch driver
# ---------------------------------------------------------------------------

def run_torch(n, spe, epochs, init_lrs, make_sched, unit="step", pre_steps=0, want_momentum=False):
    """Drive a real torch scheduler on a real SGD(momentum=0.9) optimizer with n groups.

    lr[t] = param_groups' lr read before optimizer.step()/scheduler.step() of step t.
    unit "step": scheduler.step() after every optimizer step; unit "epoch": once per epoch.
    pre_steps: scheduler.step() calls before step 0 (a schedule 'offset')."""
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(3)) for _ in range(n)]
    opt = torch.optim.SGD([{"params": [p], "lr": float(lr)} for p, lr in zip(params, init_lrs)],
                          lr=float(init_lrs[0]), momentum=0.9)
    sched = make_sched(opt)
    for _ in range(pre_steps):
        sched.step()
    lrs, moms = [], []
    total = epochs * spe
    t = 0
    for e in range(epochs):
        for _ in range(spe):
            lrs.append([float(g["lr"]) for g in opt.param_groups])
            moms.append(float(opt.param_groups[0]["momentum"]))
            opt.zero_grad()
            loss = sum((p ** 2).sum() for p in params)
            loss.backward()
            opt.step()
            t += 1
            if unit == "step" and t < total:
                sched.step()
        if unit == "epoch" and e < epochs - 1:
            sched.step()
    return lrs, (moms if want_momentum else None)


def run_torch_plateau(n, spe, epochs, init_lrs, metrics, **kw):
    """ReduceLROnPlateau: rate for epoch e = lr after step(metrics[0..e-1])."""
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(3)) for _ in range(n)]
    opt = torch.optim.SGD([{"params": [p], "lr": float(lr)} for p, lr in zip(params, init_lrs)],
                          lr=float(init_lrs[0]), momentum=0.9)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    lrs = []
    for e in range(epochs):
        for _ in range(spe):
            lrs.append([float(g["lr"]) for g in opt.param_groups])
            opt.zero_grad()
            sum((p ** 2).sum() for p in params).backward()
            opt.step()
        sched.step(metrics[e])
    return lrs


# ---------------------------------------------------------------------------
# Keras 3 transliterations (keras/src/optimizers/schedules/learning_rate_schedule.py)
# All in float64 (Keras itself would compute in the float32 floatx).
# ---------------------------------------------------------------------------

def keras_exponential_decay(initial_learning_rate, decay_steps, decay_rate, staircase, step):
    # ExponentialDecay.__call__
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate * decay_rate ** p


def keras_piecewise_constant_decay(boundaries, values, step):
    # PiecewiseConstantDecay.__call__: sum of indicator * value
    result = 0.0
    result += (1.0 if step <= boundaries[0] else 0.0) * values[0]
    result += (1.0 if step > boundaries[-1] else 0.0) * values[-1]
    for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
        result += (1.0 if (step > low and step <= high) else 0.0) * value
    return result


def keras_polynomial_decay(initial_learning_rate, decay_steps, end_learning_rate, power, cycle, step):
    # PolynomialDecay.__call__
    global_step_recomp = float(step)
    decay_steps_recomp = float(decay_steps)
    if cycle:
        # "Find the first multiple of decay_steps that is bigger than global_step.
        #  If global_step is zero set the multiplier to 1"
        multiplier = 1.0 if global_step_recomp == 0 else math.ceil(global_step_recomp / decay_steps)
        decay_steps_recomp = decay_steps_recomp * multiplier
    else:
        global_step_recomp = min(global_step_recomp, decay_steps_recomp)
    p = global_step_recomp / decay_steps_recomp
    return (initial_learning_rate - end_learning_rate) * (1 - p) ** power + end_learning_rate


def keras_inverse_time_decay(initial_learning_rate, decay_steps, decay_rate, staircase, step):
    # InverseTimeDecay.__call__
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate / (1.0 + decay_rate * p)


def keras_cosine_decay(initial_learning_rate, decay_steps, alpha, warmup_target, warmup_steps, step):
    # CosineDecay.__call__ / _decay_function / _warmup_function
    def _decay_function(step, decay_steps, decay_from_lr):
        completed_fraction = step / decay_steps
        cosine_decayed = 0.5 * (1.0 + math.cos(math.pi * completed_fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return decay_from_lr * decayed

    def _warmup_function(step, warmup_steps, warmup_target, initial_learning_rate):
        completed_fraction = step / warmup_steps
        total_step_delta = warmup_target - initial_learning_rate
        return total_step_delta * completed_fraction + initial_learning_rate

    global_step_recomp = float(step)
    if warmup_target is None:
        global_step_recomp = min(global_step_recomp, decay_steps)
        return _decay_function(global_step_recomp, decay_steps, initial_learning_rate)
    global_step_recomp = min(global_step_recomp, decay_steps + warmup_steps)
    if global_step_recomp < warmup_steps:
        return _warmup_function(global_step_recomp, warmup_steps, warmup_target, initial_learning_rate)
    return _decay_function(global_step_recomp - warmup_steps, decay_steps, warmup_target)


def keras_cosine_decay_restarts(initial_learning_rate, first_decay_steps, t_mul, m_mul, alpha, step):
    # CosineDecayRestarts.__call__ / compute_step
    completed_fraction = step / first_decay_steps
    if t_mul == 1.0:
        i_restart = math.floor(completed_fraction)
        completed_fraction -= i_restart
    else:
        ratio = math.log(1.0 - completed_fraction * (1.0 - t_mul)) / math.log(t_mul)
        i_restart = math.floor(ratio)
        if ratio != i_restart and abs(ratio - round(ratio)) < 1e-9:
            note("keras CosineDecayRestarts: log ratio %r at step %r is within 1e-9 of an integer but not "
                 "equal to it (restart boundary sensitive to log rounding)" % (ratio, step))
        sum_r = (1.0 - t_mul ** i_restart) / (1.0 - t_mul)
        completed_fraction = (completed_fraction - sum_r) / t_mul ** i_restart
    m_fac = m_mul ** i_restart
    cosine_decayed = 0.5 * m_fac * (1.0 + math.cos(math.pi * completed_fraction))
    decayed = (1 - alpha) * cosine_decayed + alpha
    return initial_learning_rate * decayed


# ---------------------------------------------------------------------------
# fastai transliterations
# ---------------------------------------------------------------------------

def fastcore_even_mults(start, stop, n):
    # fastcore/basics.py even_mults (re-exported by fastai)
    if n == 1:
        return stop
    mult = stop / start
    step = mult ** (1 / (n - 1))
    return [start * (step ** i) for i in range(n)]


def fastai_set_hyper_lr(v, n_groups):
    # fastai/optimizer.py _BaseOptimizer.set_hyper: a slice becomes per-group values
    if isinstance(v, slice):
        if v.start:
            v = fastcore_even_mults(v.start, v.stop, n_groups)
        else:
            v = [v.stop / 10] * (n_groups - 1) + [v.stop]
    if not isinstance(v, list):
        v = [v]
    if len(v) == 1:
        v = v * n_groups
    assert len(v) == n_groups
    return [float(x) for x in v]


def fastai_sched_cos(start, end, pos):
    # fastai/callback/schedule.py sched_cos (SchedCos)
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def fastai_combine_scheds(pcts, scheds):
    # fastai/callback/schedule.py combine_scheds -- float64 rendering.  (fastai keeps
    # `pcts` in a float32 torch tensor, see fastai_combine_scheds_f32 below.)
    assert sum(pcts) == 1.
    cum = [0.0]
    for p in pcts:
        cum.append(cum[-1] + p)
    pct_lim = len(cum) - 2

    def _inner(pos):
        idx = min(max(i for i, c in enumerate(cum) if pos >= c), pct_lim)
        actual_pos = (pos - cum[idx]) / (cum[idx + 1] - cum[idx])
        return scheds[idx](actual_pos)
    return _inner


def fastai_combine_scheds_f32(pcts, scheds):
    # fastai/callback/schedule.py combine_scheds, literally (float32 tensor of pcts);
    # used only to measure how far real fastai is from the float64 values.
    pcts_t = torch.tensor([0] + list(pcts))
    pcts_t = torch.cumsum(pcts_t, 0)
    pct_lim = len(pcts_t) - 2

    def _inner(pos):
        idx = min(int((pos >= pcts_t).nonzero().max()), pct_lim)
        actual_pos = (pos - pcts_t[idx]) / (pcts_t[idx + 1] - pcts_t[idx])
        return scheds[idx](actual_pos.item())
    return _inner


def fastai_combined_cos(pct, start, middle, end, combine=fastai_combine_scheds):
    # fastai/callback/schedule.py combined_cos
    return combine([pct, 1 - pct],
                   [lambda p, a=start, b=middle: fastai_sched_cos(a, b, p),
                    lambda p, a=middle, b=end: fastai_sched_cos(a, b, p)])


def fastai_fit_one_cycle(n_groups, n_epoch, n_iter, lr_max, div=25., div_final=1e5, pct_start=0.25,
                         moms=(0.95, 0.85, 0.95), combine=fastai_combine_scheds):
    """fastai/callback/schedule.py Learner.fit_one_cycle + ParamScheduler.before_batch, with
    pct_train as fastai/callback/core.py TrainEvalCallback computes it (reset to epoch/n_epoch
    in before_train, += 1/(n_iter*n_epoch) after every batch).  Returns per-step lr rows and
    momentum ('mom' hyper: SGD momentum / Adam beta1) of the last group."""
    lr_max = fastai_set_hyper_lr(lr_max, n_groups)
    lr_scheds = [fastai_combined_cos(pct_start, lm / div, lm, lm / div_final, combine) for lm in lr_max]
    mom_sched = fastai_combined_cos(pct_start, *moms, combine=combine)
    lrs, mom_vals = [], []
    for epoch in range(n_epoch):
        pct_train = epoch / n_epoch
        for _ in range(n_iter):
            lrs.append([f(pct_train) for f in lr_scheds])
            mom_vals.append(mom_sched(pct_train))
            pct_train += 1. / (n_iter * n_epoch)
    return lrs, mom_vals


# ---------------------------------------------------------------------------
# Case construction
# ---------------------------------------------------------------------------

cases = []
counts = {}


def add_case(name, source, reference, config, groups, spe, epochs, lr_rows, momentum,
             batch_size=None, metrics=None, tol=1e-9):
    case = {"name": name, "source": source, "reference": reference, "config": config,
            "groups": groups, "stepsPerEpoch": spe, "epochs": epochs}
    if batch_size is not None:
        case["batchSize"] = batch_size
    if metrics is not None:
        case["metrics"] = [float(m) for m in metrics]
    lr_rows = [[float(v) for v in row] for row in lr_rows]
    assert len(lr_rows) == epochs * spe, name
    assert all(len(r) == groups for r in lr_rows), name
    assert all(math.isfinite(v) and v >= 0 for r in lr_rows for v in r), name
    if momentum is not None:
        momentum = [float(m) for m in momentum]
        assert len(momentum) == epochs * spe
    case["expected"] = {"lr": lr_rows, "momentum": momentum}
    # independent cross-check against the contract formulas
    c_rows, c_mom = contract_eval(case)
    d = max_rel_diff(lr_rows, c_rows)
    dm = 0.0
    if (c_mom is None) != (momentum is None):
        dm = math.inf
    elif momentum is not None:
        dm = max_rel_diff(momentum, c_mom)
    if d > tol or dm > tol:
        note("DISAGREEMENT %s: %s vs contract formula: max rel diff lr %.3g, momentum %.3g"
             % (name, source, d, dm))
        if tol < 1e-9:
            note("  -> case %s SKIPPED" % name)
            return False
        raise SystemExit("reference disagrees with contract formula in case %s" % name)
    assert len({c["name"] for c in cases} | {name}) == len(cases) + 1, "duplicate name " + name
    cases.append(case)
    counts[source] = counts.get(source, 0) + 1
    return True


LRS = torch.optim.lr_scheduler


def torch_cases():
    ref = lambda cls: "torch.optim.lr_scheduler.%s (%s)" % (cls, TORCH_REF)

    # ---- StepLR
    n, spe, E = 1, 5, 6
    rows, _ = run_torch(n, spe, E, [0.1], lambda o: LRS.StepLR(o, step_size=7, gamma=0.5))
    add_case("torch-step-basic", "torch", ref("StepLR"),
             {"schedule": {"type": "step", "lr": 0.1, "factor": 0.5, "every": 7}}, n, spe, E, rows, None)

    n, spe, E = 1, 4, 10
    rows, _ = run_torch(n, spe, E, [0.05], lambda o: LRS.StepLR(o, step_size=3, gamma=0.1), unit="epoch")
    add_case("torch-step-epoch", "torch", ref("StepLR") + ", scheduler.step() once per epoch",
             {"schedule": {"type": "step", "lr": 0.05, "factor": 0.1, "every": 3, "unit": "epoch"}},
             n, spe, E, rows, None)

    n, spe, E = 1, 5, 4
    rows, _ = run_torch(n, spe, E, [0.1], lambda o: LRS.StepLR(o, step_size=4, gamma=0.5), pre_steps=3)
    add_case("torch-step-offset3", "torch",
             ref("StepLR") + ", scheduler.step() called 3 times before step 0 (offset 3)",
             {"schedule": {"type": "step", "lr": 0.1, "factor": 0.5, "every": 4, "offset": 3}},
             n, spe, E, rows, None)

    n, spe, E = 3, 6, 4
    rows, _ = run_torch(n, spe, E, [0.001, 0.01, 0.1], lambda o: LRS.StepLR(o, step_size=5, gamma=0.3))
    add_case("torch-step-groups-array", "torch", ref("StepLR") + ", 3 param groups",
             {"schedule": {"type": "step", "lr": [0.001, 0.01, 0.1], "factor": 0.3, "every": 5}},
             n, spe, E, rows, None)

    # ---- lrScaling (Goyal et al.): torch initial lrs scaled by k by hand
    n, spe, E, B = 2, 5, 4, 512
    k = B / 256
    rows, _ = run_torch(n, spe, E, [0.01 * k, 0.1 * k], lambda o: LRS.StepLR(o, step_size=6, gamma=0.5))
    add_case("torch-step-lrscaling-linear", "torch",
             ref("StepLR") + ", initial lrs multiplied by k = 512/256 = 2 by hand",
             {"schedule": {"type": "step", "lr": [0.01, 0.1], "factor": 0.5, "every": 6},
              "lrScaling": {"rule": "linear", "baseBatch": 256}},
             n, spe, E, rows, None, batch_size=B)

    n, spe, E, B = 1, 4, 5, 128
    k = math.sqrt(B / 256)
    rows, _ = run_torch(n, spe, E, [0.1 * k], lambda o: LRS.StepLR(o, step_size=8, gamma=0.1))
    add_case("torch-step-lrscaling-sqrt", "torch",
             ref("StepLR") + ", initial lr multiplied by k = sqrt(128/256) by hand",
             {"schedule": {"type": "step", "lr": 0.1, "factor": 0.1, "every": 8},
              "lrScaling": {"rule": "sqrt", "baseBatch": 256}},
             n, spe, E, rows, None, batch_size=B)

    # ---- MultiStepLR
    n, spe, E = 1, 5, 4
    rows, _ = run_torch(n, spe, E, [0.1], lambda o: LRS.MultiStepLR(o, milestones=[4, 9, 9, 15], gamma=0.5))
    add_case("torch-multistep-repeated-milestone", "torch", ref("MultiStepLR") + ", milestone 9 repeated",
             {"schedule": {"type": "multiStep", "lr": 0.1, "milestones": [4, 9, 9, 15], "factor": 0.5}},
             n, spe, E, rows, None)

    n, spe, E = 2, 3, 8
    rows, _ = run_torch(n, spe, E, [0.02, 0.2], lambda o: LRS.MultiStepLR(o, milestones=[2, 5], gamma=0.1),
                        unit="epoch")
    add_case("torch-multistep-epoch-groups", "torch", ref("MultiStepLR") + ", scheduler.step() once per epoch",
             {"schedule": {"type": "multiStep", "lr": [0.02, 0.2], "milestones": [2, 5], "factor": 0.1,
                           "unit": "epoch"}},
             n, spe, E, rows, None)

    # ---- CyclicLR (cycle_momentum=False: the contract's cyclic does not cycle momentum)
    n, spe, E = 1, 6, 5
    rows, _ = run_torch(n, spe, E, [0.001], lambda o: LRS.CyclicLR(
        o, base_lr=0.001, max_lr=0.006, step_size_up=4, mode="triangular", cycle_momentum=False))
    add_case("torch-cyclic-triangular", "torch", ref("CyclicLR") + ", cycle_momentum=False",
             {"schedule": {"type": "cyclic", "baseLr": 0.001, "maxLr": 0.006, "stepSizeUp": 4,
                           "mode": "triangular"}},
             n, spe, E, rows, None)

    n, spe, E = 2, 8, 5
    rows, _ = run_torch(n, spe, E, [0.001, 0.01], lambda o: LRS.CyclicLR(
        o, base_lr=[0.001, 0.01], max_lr=[0.005, 0.05], step_size_up=3, step_size_down=5,
        mode="triangular2", cycle_momentum=False))
    add_case("torch-cyclic-triangular2-unequal", "torch", ref("CyclicLR") + ", cycle_momentum=False",
             {"schedule": {"type": "cyclic", "baseLr": [0.001, 0.01], "maxLr": [0.005, 0.05],
                           "stepSizeUp": 3, "stepSizeDown": 5, "mode": "triangular2"}},
             n, spe, E, rows, None)

    n, spe, E = 1, 10, 4
    rows, _ = run_torch(n, spe, E, [0.001], lambda o: LRS.CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=5, step_size_down=5, mode="exp_range", gamma=0.97,
        cycle_momentum=False))
    add_case("torch-cyclic-exp-range", "torch", ref("CyclicLR") + ", cycle_momentum=False",
             {"schedule": {"type": "cyclic", "baseLr": 0.001, "maxLr": 0.01, "stepSizeUp": 5,
                           "stepSizeDown": 5, "mode": "exp_range", "gamma": 0.97}},
             n, spe, E, rows, None)

    n, spe, E = 1, 8, 4
    rows, _ = run_torch(n, spe, E, [0.002], lambda o: LRS.CyclicLR(
        o, base_lr=0.002, max_lr=0.02, step_size_up=2, step_size_down=6, mode="exp_range", gamma=0.9,
        cycle_momentum=False))
    add_case("torch-cyclic-exp-range-unequal", "torch", ref("CyclicLR") + ", cycle_momentum=False",
             {"schedule": {"type": "cyclic", "baseLr": 0.002, "maxLr": 0.02, "stepSizeUp": 2,
                           "stepSizeDown": 6, "mode": "exp_range", "gamma": 0.9}},
             n, spe, E, rows, None)

    # ---- OneCycleLR (every parameter passed explicitly; the contract's defaults differ from torch's)
    def one_cycle(name, n, spe, E, max_lr_cfg, torch_max_lr, pct, div, fdiv, anneal, three,
                  base_m=0.85, max_m=0.95, extra=""):
        total = E * spe
        rows, moms = run_torch(n, spe, E, torch_max_lr if isinstance(torch_max_lr, list) else [torch_max_lr] * n,
                               lambda o: LRS.OneCycleLR(
                                   o, max_lr=torch_max_lr, total_steps=total, pct_start=pct,
                                   anneal_strategy=anneal, cycle_momentum=True, base_momentum=base_m,
                                   max_momentum=max_m, div_factor=div, final_div_factor=fdiv,
                                   three_phase=three),
                               want_momentum=True)
        add_case(name, "torch", ref("OneCycleLR") + ", SGD momentum cycled" + extra,
                 {"schedule": {"type": "oneCycle", "maxLr": max_lr_cfg, "totalSteps": total, "pctStart": pct,
                               "divFactor": div, "finalDivFactor": fdiv, "anneal": anneal,
                               "threePhase": three, "cycleMomentum": True, "baseMomentum": base_m,
                               "maxMomentum": max_m, "convention": "pytorch"}},
                 n, spe, E, rows, moms)

    one_cycle("torch-onecycle-two-phase-cos", 1, 10, 4, 0.1, 0.1, 0.25, 25.0, 1e5, "cos", False)
    one_cycle("torch-onecycle-two-phase-linear", 1, 6, 5, 0.05, 0.05, 0.3, 10.0, 1e4, "linear", False,
              base_m=0.8, max_m=0.9)
    one_cycle("torch-onecycle-three-phase-cos", 1, 10, 5, 0.2, 0.2, 0.3, 25.0, 1e4, "cos", True)
    one_cycle("torch-onecycle-three-phase-linear", 2, 10, 4, [0.01, 0.1], [0.01, 0.1], 0.25, 20.0, 100.0,
              "linear", True)
    one_cycle("torch-onecycle-array-maxlr", 3, 9, 4, [0.001, 0.01, 0.1], [0.001, 0.01, 0.1], 0.3, 25.0, 1e5,
              "cos", False)
    lo, hi, N = 1e-4, 1e-2, 4
    one_cycle("torch-onecycle-slice-4groups", N, 10, 4, {"slice": [lo, hi]},
              [lo * (hi / lo) ** (i / (N - 1)) for i in range(N)], 0.25, 25.0, 1e5, "cos", False,
              extra=", max_lr list = lo*(hi/lo)**(i/(N-1)) (fastai even_mults) for slice [1e-4, 1e-2]")

    # ---- ReduceLROnPlateau
    def plateau(name, n, spe, init, metrics, monitor, mode, factor, patience, threshold, tmode, cooldown,
                min_lr):
        E = len(metrics)
        torch_min = min_lr if not isinstance(min_lr, list) else list(min_lr)
        rows = run_torch_plateau(n, spe, E, init if isinstance(init, list) else [init] * n, metrics,
                                 mode=mode, factor=factor, patience=patience, threshold=threshold,
                                 threshold_mode=tmode, cooldown=cooldown, min_lr=torch_min)
        add_case(name, "torch",
                 ref("ReduceLROnPlateau") + "; rate for epoch e = lr after step(metrics[0..e-1])",
                 {"schedule": {"type": "plateau", "lr": init, "monitor": monitor, "mode": mode,
                               "factor": factor, "patience": patience, "threshold": threshold,
                               "thresholdMode": tmode, "cooldown": cooldown, "minLr": min_lr}},
                 n, spe, E, rows, None, metrics=metrics)

    plateau("torch-plateau-min-rel", 1, 3, 0.1,
            [1.0, 0.8, 0.7, 0.69995, 0.7, 0.71, 0.65, 0.66, 0.66, 0.66, 0.66, 0.5],
            "val_loss", "min", 0.5, 2, 1e-4, "rel", 0, 0.0)
    plateau("torch-plateau-min-abs-cooldown", 1, 2, 0.1,
            [1.0, 0.995, 0.99, 0.985, 0.98, 0.975, 0.97, 0.95, 0.949, 0.948, 0.947, 0.946, 0.945, 0.944,
             0.943],
            "val_loss", "min", 0.1, 1, 0.01, "abs", 2, 1e-4)
    plateau("torch-plateau-max-rel-groups-minlr", 2, 2, [0.01, 0.1],
            [0.5, 0.6, 0.605, 0.61, 0.62, 0.7, 0.705, 0.706, 0.707, 0.708, 0.709, 0.71, 0.711, 0.712],
            "val_accuracy", "max", 0.2, 1, 0.01, "rel", 0, [0.001, 0.002])
    plateau("torch-plateau-max-abs-patience0-cooldown", 1, 2, 0.2,
            [0.1, 0.2, 0.2, 0.3, 0.25, 0.25, 0.25, 0.4, 0.4, 0.4, 0.4, 0.4],
            "val_accuracy", "max", 0.5, 0, 0.0, "abs", 1, 0.0)
    plateau("torch-plateau-eps-no-tiny-change", 2, 2, [0.1, 1e-8],
            [1.0] * 10, "val_loss", "min", 0.1, 0, 1e-4, "rel", 0, 0.0)

    # ---- warm-up: SequentialLR([LinearLR(sf, 1, L), inner], milestones=[L])
    def seq_case(name, n, spe, E, init, make_scheds, milestones, config, unit="step", batch_size=None, desc=""):
        def mk(o):
            scheds = make_scheds(o)
            return LRS.SequentialLR(o, schedulers=scheds, milestones=milestones)
        rows, _ = run_torch(n, spe, E, init, mk, unit=unit)
        ok = add_case(name, "torch", ref("SequentialLR") + desc, config, n, spe, E, rows, None,
                      batch_size=batch_size, tol=1e-12)
        if not ok:
            note("torch 1.13 SequentialLR disagrees with the contract for %s; case skipped" % name)

    seq_case("torch-warmup-constant", 1, 5, 4, [0.1],
             lambda o: [LRS.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                        LRS.ConstantLR(o, factor=1.0, total_iters=1)], [5],
             {"schedule": {"type": "warmup", "steps": 5, "startFactor": 0.1,
                           "inner": {"type": "constant", "lr": 0.1}}},
             desc="([LinearLR(start_factor=0.1, end_factor=1, total_iters=5), ConstantLR(factor=1)], "
                  "milestones=[5])")
    seq_case("torch-warmup-step-groups", 2, 4, 6, [0.01, 0.1],
             lambda o: [LRS.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=6),
                        LRS.StepLR(o, step_size=4, gamma=0.5)], [6],
             {"schedule": {"type": "warmup", "steps": 6, "startFactor": 0.25,
                           "inner": {"type": "step", "lr": [0.01, 0.1], "factor": 0.5, "every": 4}}},
             desc="([LinearLR(start_factor=0.25, end_factor=1, total_iters=6), StepLR(step_size=4, "
                  "gamma=0.5)], milestones=[6])")
    seq_case("torch-warmup-exponential", 1, 5, 5, [0.2],
             lambda o: [LRS.LinearLR(o, start_factor=0.05, end_factor=1.0, total_iters=4),
                        LRS.ExponentialLR(o, gamma=0.9)], [4],
             {"schedule": {"type": "warmup", "steps": 4, "startFactor": 0.05,
                           "inner": {"type": "exponential", "lr": 0.2, "decayRate": 0.9, "decaySteps": 1}}},
             desc="([LinearLR(start_factor=0.05, end_factor=1, total_iters=4), ExponentialLR(gamma=0.9)], "
                  "milestones=[4])")
    seq_case("torch-warmup-epoch-step", 1, 3, 10, [0.1],
             lambda o: [LRS.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=2),
                        LRS.StepLR(o, step_size=3, gamma=0.1)], [2],
             {"schedule": {"type": "warmup", "steps": 2, "startFactor": 0.2, "unit": "epoch",
                           "inner": {"type": "step", "lr": 0.1, "factor": 0.1, "every": 3, "unit": "epoch"}}},
             unit="epoch",
             desc="([LinearLR(start_factor=0.2, end_factor=1, total_iters=2), StepLR(step_size=3, "
                  "gamma=0.1)], milestones=[2]), scheduler.step() once per epoch")
    B = 1024
    k = B / 256
    seq_case("torch-warmup-lrscaling-default-startfactor", 1, 5, 6, [0.1 * k],
             lambda o: [LRS.LinearLR(o, start_factor=1.0 / k, end_factor=1.0, total_iters=8),
                        LRS.ExponentialLR(o, gamma=0.95)], [8],
             {"schedule": {"type": "warmup", "steps": 8,
                           "inner": {"type": "exponential", "lr": 0.1, "decayRate": 0.95, "decaySteps": 1}},
              "lrScaling": {"rule": "linear", "baseBatch": 256}},
             batch_size=B,
             desc="([LinearLR(start_factor=1/k=0.25, end_factor=1, total_iters=8), ExponentialLR(gamma=0.95)],"
                  " milestones=[8]) with initial lr 0.1*k, k=1024/256=4; startFactor omitted in the config "
                  "(contract default 1/k)")

    # ---- sequential
    seq_case("torch-sequential-constant-exponential", 1, 4, 5, [0.05],
             lambda o: [LRS.ConstantLR(o, factor=1.0, total_iters=6), LRS.ExponentialLR(o, gamma=0.8)], [6],
             {"schedule": {"type": "sequential", "parts": [
                 {"schedule": {"type": "constant", "lr": 0.05}, "length": 6},
                 {"schedule": {"type": "exponential", "lr": 0.05, "decayRate": 0.8, "decaySteps": 1},
                  "length": 100}]}},
             desc="([ConstantLR(factor=1, total_iters=6), ExponentialLR(gamma=0.8)], milestones=[6])")
    seq_case("torch-sequential-step-exponential", 1, 6, 4, [0.1],
             lambda o: [LRS.StepLR(o, step_size=3, gamma=0.5), LRS.ExponentialLR(o, gamma=0.7)], [8],
             {"schedule": {"type": "sequential", "parts": [
                 {"schedule": {"type": "step", "lr": 0.1, "factor": 0.5, "every": 3}, "length": 8},
                 {"schedule": {"type": "exponential", "lr": 0.1, "decayRate": 0.7, "decaySteps": 1},
                  "length": 1}]}},
             desc="([StepLR(step_size=3, gamma=0.5), ExponentialLR(gamma=0.7)], milestones=[8]); the last "
                  "part runs on past its length")
    seq_case("torch-sequential-three-parts-groups", 2, 4, 5, [0.01, 0.1],
             lambda o: [LRS.StepLR(o, step_size=2, gamma=0.5), LRS.ConstantLR(o, factor=1.0, total_iters=1),
                        LRS.ExponentialLR(o, gamma=0.9)], [5, 9],
             {"schedule": {"type": "sequential", "parts": [
                 {"schedule": {"type": "step", "lr": [0.01, 0.1], "factor": 0.5, "every": 2}, "length": 5},
                 {"schedule": {"type": "constant", "lr": [0.01, 0.1]}, "length": 4},
                 {"schedule": {"type": "exponential", "lr": [0.01, 0.1], "decayRate": 0.9, "decaySteps": 1},
                  "length": 4}]}},
             desc="([StepLR(step_size=2, gamma=0.5), ConstantLR(factor=1), ExponentialLR(gamma=0.9)], "
                  "milestones=[5, 9])")
    seq_case("torch-sequential-multistep-step", 1, 5, 6, [0.3],
             lambda o: [LRS.MultiStepLR(o, milestones=[2, 4], gamma=0.5), LRS.StepLR(o, step_size=5, gamma=0.2)],
             [7],
             {"schedule": {"type": "sequential", "parts": [
                 {"schedule": {"type": "multiStep", "lr": 0.3, "milestones": [2, 4], "factor": 0.5}, "length": 7},
                 {"schedule": {"type": "step", "lr": 0.3, "factor": 0.2, "every": 5}, "length": 23}]}},
             desc="([MultiStepLR(milestones=[2, 4], gamma=0.5), StepLR(step_size=5, gamma=0.2)], "
                  "milestones=[7])")


# ---------------------------------------------------------------------------
# Keras cases
# ---------------------------------------------------------------------------

KERAS_SCHED = "keras/src/optimizers/schedules/learning_rate_schedule.py %s.__call__ (Keras 3, float64)"
KERAS_LRS = ("keras/src/callbacks/learning_rate_scheduler.py LearningRateScheduler.on_epoch_begin "
             "(schedule(epoch), epoch 0-based, rate constant within the epoch) with ")


def per_group(v, n):
    return contract_resolve(v, n, 1.0)


def keras_rows(n, spe, E, fn, unit="step", offset=0):
    rows = []
    for t in range(E * spe):
        x = (t if unit == "step" else t // spe) + offset
        rows.append([fn(g, x) for g in range(n)])
    return rows


def keras_cases():
    def add(name, ref, sched, n, spe, E, fn, unit="step", offset=0):
        rows = keras_rows(n, spe, E, fn, unit, offset)
        add_case(name, "keras", ref, {"schedule": sched}, n, spe, E, rows, None)

    # ExponentialDecay
    s = {"type": "exponential", "lr": 0.1, "decayRate": 0.5, "decaySteps": 7, "staircase": False}
    add("keras-exponential-continuous", KERAS_SCHED % "ExponentialDecay", s, 1, 5, 6,
        lambda g, x: keras_exponential_decay(0.1, 7, 0.5, False, x))
    lr = [0.01, 0.1]
    s = {"type": "exponential", "lr": lr, "decayRate": 0.9, "decaySteps": 4, "staircase": True}
    add("keras-exponential-staircase-groups", KERAS_SCHED % "ExponentialDecay" + ", one schedule per group",
        s, 2, 6, 4, lambda g, x: keras_exponential_decay(lr[g], 4, 0.9, True, x))

    # PiecewiseConstantDecay (steps 5 and 12 are exactly on a boundary)
    s = {"type": "piecewise", "boundaries": [5, 12], "values": [0.1, 0.05, 0.01]}
    add("keras-piecewise-boundaries", KERAS_SCHED % "PiecewiseConstantDecay", s, 1, 5, 4,
        lambda g, x: keras_piecewise_constant_decay([5, 12], [0.1, 0.05, 0.01], x))
    vals = [{"slice": [1e-3, 1e-1]}, [0.005, 0.01, 0.02], 0.004, {"slice": [0.01]}]
    gv = [per_group(v, 3) for v in vals]
    s = {"type": "piecewise", "boundaries": [3, 7, 10], "values": vals}
    add("keras-piecewise-groups-slice", KERAS_SCHED % "PiecewiseConstantDecay"
        + ", one schedule per group with that group's values (slice per contract)", s, 3, 5, 3,
        lambda g, x: keras_piecewise_constant_decay([3, 7, 10], [v[g] for v in gv], x))

    # PolynomialDecay
    s = {"type": "polynomial", "lr": 0.1, "endLr": 0.001, "decaySteps": 15, "power": 1, "cycle": "none"}
    add("keras-polynomial-none-power1", KERAS_SCHED % "PolynomialDecay" + ", cycle=False", s, 1, 5, 5,
        lambda g, x: keras_polynomial_decay(0.1, 15, 0.001, 1.0, False, x))
    s = {"type": "polynomial", "lr": 0.05, "endLr": 0.0001, "decaySteps": 12, "power": 2, "cycle": "none"}
    add("keras-polynomial-none-power2", KERAS_SCHED % "PolynomialDecay" + ", cycle=False", s, 1, 5, 4,
        lambda g, x: keras_polynomial_decay(0.05, 12, 0.0001, 2.0, False, x))
    s = {"type": "polynomial", "lr": 0.1, "endLr": 0.01, "decaySteps": 6, "power": 1, "cycle": "keras"}
    add("keras-polynomial-cycle-power1", KERAS_SCHED % "PolynomialDecay" + ", cycle=True", s, 1, 5, 5,
        lambda g, x: keras_polynomial_decay(0.1, 6, 0.01, 1.0, True, x))
    lr, end = [0.02, 0.2], [0.0002, 0.002]
    s = {"type": "polynomial", "lr": lr, "endLr": end, "decaySteps": 5, "power": 2, "cycle": "keras"}
    add("keras-polynomial-cycle-power2-groups", KERAS_SCHED % "PolynomialDecay" + ", cycle=True, one per group",
        s, 2, 7, 3, lambda g, x: keras_polynomial_decay(lr[g], 5, end[g], 2.0, True, x))

    # InverseTimeDecay
    s = {"type": "inverseTime", "lr": 0.1, "decayRate": 0.5, "decaySteps": 3, "staircase": False}
    add("keras-inverse-time", KERAS_SCHED % "InverseTimeDecay", s, 1, 5, 4,
        lambda g, x: keras_inverse_time_decay(0.1, 3, 0.5, False, x))
    s = {"type": "inverseTime", "lr": 0.1, "decayRate": 1.0, "decaySteps": 4, "staircase": True}
    add("keras-inverse-time-staircase", KERAS_SCHED % "InverseTimeDecay", s, 1, 6, 4,
        lambda g, x: keras_inverse_time_decay(0.1, 4, 1.0, True, x))
    s = {"type": "inverseTime", "lr": 0.01, "decayRate": 0.01}
    add("keras-inverse-time-default-decaysteps", KERAS_SCHED % "InverseTimeDecay"
        + " with decay_steps=1 (old Keras decay=0.01); decaySteps omitted in the config", s, 1, 10, 2,
        lambda g, x: keras_inverse_time_decay(0.01, 1, 0.01, False, x))

    # CosineDecay
    s = {"type": "cosine", "lr": 0.1, "decaySteps": 20}
    add("keras-cosine", KERAS_SCHED % "CosineDecay", s, 1, 5, 5,
        lambda g, x: keras_cosine_decay(0.1, 20, 0.0, None, 0, x))
    lr = [0.01, 0.1]
    s = {"type": "cosine", "lr": lr, "decaySteps": 16, "alpha": 0.1}
    add("keras-cosine-alpha-groups", KERAS_SCHED % "CosineDecay" + ", one per group", s, 2, 6, 4,
        lambda g, x: keras_cosine_decay(lr[g], 16, 0.1, None, 0, x))
    s = {"type": "cosine", "lr": 0.001, "decaySteps": 15, "alpha": 0.0, "warmupSteps": 5, "warmupTarget": 0.1}
    add("keras-cosine-warmup", KERAS_SCHED % "CosineDecay" + " with warmup_target=0.1, warmup_steps=5", s,
        1, 5, 5, lambda g, x: keras_cosine_decay(0.001, 15, 0.0, 0.1, 5, x))
    wt = [0.01, 0.1]
    s = {"type": "cosine", "lr": 0.0, "decaySteps": 10, "alpha": 0.05, "warmupSteps": 4, "warmupTarget": wt}
    add("keras-cosine-warmup-alpha-groups", KERAS_SCHED % "CosineDecay"
        + " with initial_learning_rate=0, warmup_target per group, warmup_steps=4", s, 2, 6, 3,
        lambda g, x: keras_cosine_decay(0.0, 10, 0.05, wt[g], 4, x))

    # CosineDecayRestarts
    s = {"type": "cosineRestarts", "lr": 0.1, "firstDecaySteps": 5, "tMul": 1.0, "mMul": 1.0, "alpha": 0.0}
    add("keras-cosine-restarts-tmul1", KERAS_SCHED % "CosineDecayRestarts", s, 1, 5, 4,
        lambda g, x: keras_cosine_decay_restarts(0.1, 5, 1.0, 1.0, 0.0, x))
    s = {"type": "cosineRestarts", "lr": 0.1, "firstDecaySteps": 4, "tMul": 2.0, "mMul": 1.0, "alpha": 0.0}
    add("keras-cosine-restarts-tmul2", KERAS_SCHED % "CosineDecayRestarts", s, 1, 5, 6,
        lambda g, x: keras_cosine_decay_restarts(0.1, 4, 2.0, 1.0, 0.0, x))
    s = {"type": "cosineRestarts", "lr": 0.1, "firstDecaySteps": 5, "tMul": 1.5, "mMul": 0.5}
    add("keras-cosine-restarts-mmul", KERAS_SCHED % "CosineDecayRestarts"
        + " (t_mul=1.5, m_mul=0.5; alpha omitted = 0)", s, 1, 8, 5,
        lambda g, x: keras_cosine_decay_restarts(0.1, 5, 1.5, 0.5, 0.0, x))
    lr = [0.005, 0.05]
    s = {"type": "cosineRestarts", "lr": lr, "firstDecaySteps": 6, "tMul": 2.0, "mMul": 0.8, "alpha": 0.1}
    add("keras-cosine-restarts-alpha-groups", KERAS_SCHED % "CosineDecayRestarts" + ", one per group", s,
        2, 10, 4, lambda g, x: keras_cosine_decay_restarts(lr[g], 6, 2.0, 0.8, 0.1, x))
    s = {"type": "cosineRestarts", "lr": 0.1, "firstDecaySteps": 3}
    add("keras-cosine-restarts-defaults", KERAS_SCHED % "CosineDecayRestarts"
        + " with its defaults t_mul=2, m_mul=1, alpha=0 (omitted in the config)", s, 1, 5, 5,
        lambda g, x: keras_cosine_decay_restarts(0.1, 3, 2.0, 1.0, 0.0, x))

    # unit "epoch" / offset 1: keras.callbacks.LearningRateScheduler
    s = {"type": "exponential", "lr": 0.1, "decayRate": 0.5, "decaySteps": 3, "unit": "epoch"}
    add("keras-exponential-epoch", KERAS_LRS + "schedule(epoch) = ExponentialDecay(0.1, 3, 0.5)(epoch)", s,
        1, 4, 8, lambda g, x: keras_exponential_decay(0.1, 3, 0.5, False, x), unit="epoch")
    s = {"type": "piecewise", "boundaries": [2, 5], "values": [0.1, 0.01, 0.001], "unit": "epoch"}
    add("keras-piecewise-epoch", KERAS_LRS + "schedule(epoch) = PiecewiseConstantDecay([2, 5], "
        "[0.1, 0.01, 0.001])(epoch)", s, 1, 3, 8,
        lambda g, x: keras_piecewise_constant_decay([2, 5], [0.1, 0.01, 0.001], x), unit="epoch")

    def step_decay(epoch, lr0=0.1, drop=0.5, epochs_drop=3):
        # the classic Keras step-decay callback: lr0 * drop ** floor((1 + epoch) / epochs_drop)
        return lr0 * math.pow(drop, math.floor((1 + epoch) / epochs_drop))
    s = {"type": "step", "lr": 0.1, "factor": 0.5, "every": 3, "unit": "epoch", "offset": 1}
    add("keras-step-decay-epoch-offset1", KERAS_LRS + "schedule(epoch) = 0.1 * 0.5 ** floor((1 + epoch) / 3)",
        s, 1, 3, 10, lambda g, x: step_decay(x - 1), unit="epoch", offset=1)

    kk = 0.1

    def exp_decay(epoch, lr0=0.1):
        # lr0 * exp(-k * (epoch + 1)) == ExponentialDecay(lr0, 1, exp(-k)) at epoch + 1 (to ~1e-16)
        return lr0 * math.exp(-kk * (epoch + 1))
    s = {"type": "exponential", "lr": 0.1, "decayRate": math.exp(-kk), "decaySteps": 1, "unit": "epoch",
         "offset": 1}
    add("keras-exp-decay-epoch-offset1", KERAS_LRS + "schedule(epoch) = 0.1 * exp(-0.1 * (epoch + 1)); "
        "config decayRate = exp(-0.1)", s, 1, 2, 10, lambda g, x: exp_decay(x - 1), unit="epoch", offset=1)
    lr = [0.01, 0.1]
    s = {"type": "cosine", "lr": lr, "decaySteps": 8, "unit": "epoch", "offset": 1}
    add("keras-cosine-epoch-offset1-groups", KERAS_LRS + "schedule(epoch) = CosineDecay(lr, 8)(epoch + 1), "
        "one per group", s, 2, 3, 10, lambda g, x: keras_cosine_decay(lr[g], 8, 0.0, None, 0, x),
        unit="epoch", offset=1)


# ---------------------------------------------------------------------------
# fastai cases
# ---------------------------------------------------------------------------

FASTAI_REF = ("fastai/callback/schedule.py Learner.fit_one_cycle(n_epoch=%d, lr_max=%s, div=%r, div_final=%r, "
              "pct_start=%r, moms=(0.95,0.85,0.95)) -> combined_cos/combine_scheds/sched_cos, pct_train per "
              "fastai/callback/core.py TrainEvalCallback, slices per fastai/optimizer.py set_hyper + "
              "fastcore even_mults; float64. Contract finalDivFactor = div_final/div = %r (fastai ends at "
              "lr_max/div_final)")


def fastai_cases():
    worst_f32 = [0.0]

    def add(name, n, spe, E, lr_max_py, lr_max_cfg, pct, div=25.0, div_final=1e5, extra=""):
        rows, moms = fastai_fit_one_cycle(n, E, spe, lr_max_py, div=div, div_final=div_final, pct_start=pct)
        rows32, moms32 = fastai_fit_one_cycle(n, E, spe, lr_max_py, div=div, div_final=div_final,
                                              pct_start=pct, combine=fastai_combine_scheds_f32)
        d32 = max(max_rel_diff(rows, rows32), max_rel_diff(moms, moms32))
        worst_f32[0] = max(worst_f32[0], d32)
        fdiv = div_final / div
        lr_txt = repr(lr_max_py) if not isinstance(lr_max_py, slice) else \
            ("slice(%r, %r)" % (lr_max_py.start, lr_max_py.stop) if lr_max_py.start else
             "slice(%r)" % lr_max_py.stop)
        add_case(name, "fastai", FASTAI_REF % (E, lr_txt, div, div_final, pct, fdiv) + extra,
                 {"schedule": {"type": "oneCycle", "maxLr": lr_max_cfg, "totalSteps": E * spe, "pctStart": pct,
                               "divFactor": div, "finalDivFactor": fdiv, "anneal": "cos", "threePhase": False,
                               "cycleMomentum": True, "baseMomentum": 0.85, "maxMomentum": 0.95,
                               "convention": "fastai"}},
                 n, spe, E, rows, moms)

    add("fastai-one-cycle-number", 1, 10, 4, 0.01, 0.01, 0.25)
    add("fastai-one-cycle-slice-4groups", 4, 10, 3, slice(1e-5, 1e-3), {"slice": [1e-5, 1e-3]}, 0.3)
    add("fastai-one-cycle-slice-hi-3groups", 3, 8, 5, slice(3e-3), {"slice": [3e-3]}, 0.25)
    add("fastai-one-cycle-array-div10-pct03", 2, 9, 4, [1e-3, 1e-2], [1e-3, 1e-2], 0.3, div=10.0, div_final=1e4)
    # Learner.fine_tune(epochs=3, base_lr=2e-3, freeze_epochs=1, lr_mult=100, pct_start=0.3, div=5.0):
    add("fastai-fine-tune-stage1-frozen", 3, 20, 1, slice(2e-3), {"slice": [2e-3]}, 0.99,
        extra="; = stage 1 of Learner.fine_tune(base_lr=2e-3, freeze_epochs=1): "
              "fit_one_cycle(1, slice(base_lr), pct_start=0.99)")
    add("fastai-fine-tune-stage2", 3, 10, 3, slice(1e-3 / 100, 1e-3), {"slice": [1e-5, 1e-3]}, 0.3, div=5.0,
        extra="; = stage 2 of Learner.fine_tune(3, base_lr=2e-3, lr_mult=100, pct_start=0.3, div=5): "
              "fit_one_cycle(3, slice(base_lr/2/lr_mult, base_lr/2), pct_start=0.3, div=5)")
    note("fastai: real fastai combine_scheds keeps the phase boundaries in a float32 tensor, so its actual "
         "rates/momenta differ from the float64 values written here by up to %.3g relative "
         "(measured with torch float32); the golden values use float64." % worst_f32[0])


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: generate_schedules.py OUT.json")
    torch_cases()
    keras_cases()
    fastai_cases()

    out = {"generator": GENERATOR, "torch": torch.__version__, "cases": cases}
    # one case per line, fixed order; json's float repr is the shortest round-trip form
    text = ('{"generator": %s, "torch": %s, "cases": [\n' % (json.dumps(out["generator"]), json.dumps(out["torch"]))
            + ",\n".join(json.dumps(c, sort_keys=True, allow_nan=False) for c in cases)
            + "\n]}\n")
    with open(sys.argv[1], "w") as f:
        f.write(text)

    # verify what was written
    with open(sys.argv[1]) as f:
        back = json.load(f)
    assert len(back["cases"]) == len(cases)
    names = [c["name"] for c in back["cases"]]
    assert len(set(names)) == len(names)
    for c in back["cases"]:
        steps = c["epochs"] * c["stepsPerEpoch"]
        assert 10 <= steps <= 60, c["name"]
        assert 1 <= c["groups"] <= 4, c["name"]
        assert len(c["expected"]["lr"]) == steps, c["name"]
        assert all(len(r) == c["groups"] for r in c["expected"]["lr"]), c["name"]
        m = c["expected"]["momentum"]
        assert m is None or len(m) == steps, c["name"]
        if "metrics" in c:
            assert len(c["metrics"]) == c["epochs"], c["name"]

    for n in notes:
        print("note: " + n, file=sys.stderr)
    print("wrote %d cases to %s: %s" % (len(cases), sys.argv[1],
                                         ", ".join("%s=%d" % kv for kv in sorted(counts.items()))),
          file=sys.stderr)


if __name__ == "__main__":
    main()
