#!/usr/bin/python3
"""Writes schedule_traces.json: learning-rate traces of torch.optim.lr_scheduler and clip_grad_norm_/clip_grad_value_
results, replayed by ScheduleParityTests and ClippingParityTests.

Run from anywhere with Debian's PyTorch:  /usr/bin/python3 tests/Optimizers.Tests/Schedules/generate_schedule_traces.py

Each schedule trace holds the learning rate right after construction (epoch 0) and after each of `steps` calls of
scheduler.step() (each preceded by optimizer.step(), as torch expects), so `lrs` has steps + 1 entries.
ReduceLROnPlateau traces also hold the metric fed at each step (`lrs[0]` is the learning rate before the first one).
The `grouped` traces drive an SGD with two param groups of different learning rates (`base_lrs`); each entry of their
`lrs` is the pair of group learning rates at that epoch.
The `stacked` traces build two schedulers on one optimizer and step both each epoch (what ChainedScheduler does):
the second takes its base from the initial_lr the first recorded (see stacked_case).

torch 1.13 versus 2.x. The installed torch is 1.13; the C# library follows torch 2.x (read from the main branch,
torch/optim/lr_scheduler.py). For the way these traces drive the schedulers (fresh schedulers, last_epoch=-1,
step() without an epoch argument) the two versions compute the same numbers:
  * 2.x guards the constructor's initial step with a flag (_is_initial) where 1.13 tests last_epoch == 0; both are
    true exactly at the initial step here.
  * 2.x SequentialLR restarts a scheduler at a milestone with _update_lr(0), 1.13 with step(0); both set
    last_epoch = 0 and use the closed form (CosineAnnealingWarmRestarts, which has none, computes T_cur = 0 either
    way), and the recursive forms of later steps are the same code in both versions.
  * CosineAnnealingWarmRestarts wraps T_cur with T_cur % T_i (2.x) or T_cur - T_i (1.13): equal, as T_cur == T_i there.
  * clip_grad_norm_: 2.x computes per-tensor norms with torch._foreach_norm / linalg.vector_norm, 1.13 with
    torch.norm; both then take the norm of those norms and scale by clamp(max_norm / (total + 1e-6), max=1).
Cases where the versions do differ are avoided: resuming with last_epoch != -1, step(epoch), and the
CosineAnnealingLR branch that only such resuming reaches. OneCycleLR is run with cycle_momentum=False (the learning
rates do not depend on it). The linear OneCycleLR value one step past the cycle is negative in torch; it is recorded
as torch gives it, and the C# test documents the clamp at 0.

float32 clipping (sections clip_grad_norm_float32 and clip_grad_value_float32): the same cases, with the
gradients drawn in float64 as above and rounded to float32, and the same max_norm and clip_value (doubles). torch's
clip_grad_norm_ computes in the gradients' dtype: in float32 it accumulates each per-tensor norm in float32 (its error
grows with the length: measured 110 ulps for 10^6 elements), rounds each per-tensor norm to float32, and forms the
coefficient with float32 tensor ops. Each norm case therefore also holds the result of the other choice, a norm
accumulated in double (`total_norm_double`, `clip_coef_double`, `clipped_double_norm`; see clip_norm_float32), so that
a test can assert whichever the library documents. A float32 value is written as the repr() of the double it equals
exactly, so it reads back to the same float32.

Values are written with repr() precision (shortest round-trip), so they are torch's doubles exactly.
"""

import json
import math
import os
import warnings

import sys

import numpy as np
import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float64)

STEPS = 100
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def make_optimizer(base_lr):
    if isinstance(base_lr, list):
        return SGD([{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in base_lr], lr=base_lr[0])
    return SGD([torch.nn.Parameter(torch.zeros(2))], lr=base_lr)


def group_lrs(opt):
    lrs = [group["lr"] for group in opt.param_groups]
    return lrs if len(lrs) > 1 else lrs[0]


def build(kind, opt, args):
    if kind == "StepLR":
        return S.StepLR(opt, step_size=args["step_size"], gamma=args["gamma"])
    if kind == "MultiStepLR":
        return S.MultiStepLR(opt, milestones=args["milestones"], gamma=args["gamma"])
    if kind == "ExponentialLR":
        return S.ExponentialLR(opt, gamma=args["gamma"])
    if kind == "CosineAnnealingLR":
        return S.CosineAnnealingLR(opt, T_max=args["T_max"], eta_min=args["eta_min"])
    if kind == "CosineAnnealingWarmRestarts":
        return S.CosineAnnealingWarmRestarts(opt, T_0=args["T_0"], T_mult=args["T_mult"], eta_min=args["eta_min"])
    if kind == "LinearLR":
        return S.LinearLR(opt, start_factor=args["start_factor"], end_factor=args["end_factor"],
                          total_iters=args["total_iters"])
    if kind == "PolynomialLR":
        return S.PolynomialLR(opt, total_iters=args["total_iters"], power=args["power"])
    if kind == "OneCycleLR":
        return S.OneCycleLR(opt, max_lr=args["max_lr"], total_steps=args["total_steps"], pct_start=args["pct_start"],
                            anneal_strategy=args["anneal_strategy"], div_factor=args["div_factor"],
                            final_div_factor=args["final_div_factor"], three_phase=args["three_phase"],
                            cycle_momentum=False)
    raise ValueError(kind)


def trace(opt, sched, steps):
    lrs = [group_lrs(opt)]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(group_lrs(opt))
    return lrs


def single(kind, base_lr, args, steps=STEPS):
    opt = make_optimizer(base_lr)
    sched = build(kind, opt, args)
    return {"type": kind, "base_lr": base_lr, "args": args, "steps": steps, "lrs": trace(opt, sched, steps)}


def sequential(base_lr, children, milestones, construct_order=None, steps=STEPS):
    """children: list of (kind, args); construct_order: the order in which the children are constructed."""
    opt = make_optimizer(base_lr)
    order = construct_order or list(range(len(children)))
    built = [None] * len(children)
    for i in order:
        built[i] = build(children[i][0], opt, children[i][1])
    sched = S.SequentialLR(opt, schedulers=built, milestones=milestones)
    return {"type": "SequentialLR", "base_lr": base_lr,
            "children": [{"type": k, "args": a} for k, a in children],
            "milestones": milestones, "construct_order": order, "steps": steps, "lrs": trace(opt, sched, steps)}


def one_cycle(max_lr, total_steps, pct_start=0.3, anneal="cos", div=25.0, final_div=1e4, three=False, base_lr=0.5):
    args = {"max_lr": max_lr, "total_steps": total_steps, "pct_start": pct_start, "anneal_strategy": anneal,
            "div_factor": div, "final_div_factor": final_div, "three_phase": three}
    # base_lr is what the optimizer had before; OneCycleLR ignores it.
    return single("OneCycleLR", base_lr, args, steps=total_steps)


def schedules():
    out = []
    for base, step, gamma in [(0.1, 7, 0.5), (0.05, 1, 0.9), (1.0, 30, 0.1), (0.3, 10, 1.5)]:
        out.append(single("StepLR", base, {"step_size": step, "gamma": gamma}))
    for base, ms, gamma in [(0.1, [10, 25, 60], 0.1), (0.2, [5, 5, 40], 0.5), (1.0, [1], 0.3)]:
        out.append(single("MultiStepLR", base, {"milestones": ms, "gamma": gamma}))
    for base, gamma in [(0.1, 0.95), (1.0, 0.5), (0.01, 1.01)]:
        out.append(single("ExponentialLR", base, {"gamma": gamma}))
    for base, t, eta in [(0.1, 30, 0.0), (0.1, 30, 0.001), (0.05, 7, 0.0), (1.0, 1, 0.01), (0.1, 12, 0.2)]:
        out.append(single("CosineAnnealingLR", base, {"T_max": t, "eta_min": eta}))
    for base, t0, mult, eta in [(0.1, 10, 1, 0.0), (0.1, 5, 2, 0.001), (0.3, 1, 3, 0.0)]:
        out.append(single("CosineAnnealingWarmRestarts", base, {"T_0": t0, "T_mult": mult, "eta_min": eta}))
    for base, s, e, n in [(0.1, 1.0 / 3, 1.0, 5), (0.05, 0.05, 1.0, 40), (0.2, 1.0, 0.1, 30), (0.1, 0.5, 0.0, 10)]:
        out.append(single("LinearLR", base, {"start_factor": s, "end_factor": e, "total_iters": n}))
    for base, n, p in [(0.1, 5, 1.0), (0.05, 50, 0.9), (1.0, 20, 2.0), (0.3, 30, 0.5)]:
        out.append(single("PolynomialLR", base, {"total_iters": n, "power": p}))
    out.append(one_cycle(0.1, 100))
    out.append(one_cycle(0.1, 100, anneal="linear"))
    out.append(one_cycle(0.1, 100, three=True))
    out.append(one_cycle(1.0, 80, pct_start=0.25, anneal="linear", div=10.0, final_div=100.0, three=True))
    out.append(one_cycle(0.4, 37, pct_start=0.45, anneal="cos", div=4.0, final_div=1e3))
    out.append(sequential(0.1, [("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}),
                                ("CosineAnnealingLR", {"T_max": 95, "eta_min": 0.001})], [5]))
    out.append(sequential(0.1, [("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}),
                                ("CosineAnnealingLR", {"T_max": 95, "eta_min": 0.001})], [5], construct_order=[1, 0]))
    out.append(sequential(0.2, [("ExponentialLR", {"gamma": 0.9}),
                                ("StepLR", {"step_size": 10, "gamma": 0.5}),
                                ("MultiStepLR", {"milestones": [3, 20], "gamma": 0.1})], [10, 40]))
    out.append(sequential(0.1, [("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.0}),
                                ("CosineAnnealingWarmRestarts", {"T_0": 7, "T_mult": 2, "eta_min": 0.0}),
                                ("PolynomialLR", {"total_iters": 20, "power": 2.0})], [10, 50]))
    out.append(sequential(0.3, [("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4}),
                                ("ExponentialLR", {"gamma": 0.97})], [4]))
    out.append(sequential(0.05, [("PolynomialLR", {"total_iters": 8, "power": 1.0}),
                                 ("LinearLR", {"start_factor": 0.5, "end_factor": 0.0, "total_iters": 30})], [8]))
    return out


def stacked_case(base_lr, schedules, steps):
    """Several schedulers built one after another on one optimizer (each entry: kind, args, and for ReduceLROnPlateau
    the metrics it is stepped with right after it is built), then every LR scheduler stepped once per epoch in
    construction order, as ChainedScheduler does. Records each scheduler's base_lrs (the shared initial_lr per group:
    the first scheduler sets it, later ones reuse it, OneCycleLR replaces it, ReduceLROnPlateau neither sets nor
    reads it) and the learning rates."""
    opt = make_optimizer(base_lr)
    built, entries = [], []
    for kind, args, plateau_metrics in schedules:
        entry = {"type": kind, "args": args}
        if kind == "ReduceLROnPlateau":
            sched = S.ReduceLROnPlateau(opt, **args)
            for m in plateau_metrics:
                opt.step()
                sched.step(m)
            entry["metrics"] = plateau_metrics
        else:
            sched = build(kind, opt, args)
            built.append(sched)
            entry["base_lrs"] = list(sched.base_lrs)
        entry["lrs_after_construction"] = group_lrs(opt)
        entries.append(entry)
    lrs = [group_lrs(opt)]
    for _ in range(steps):
        opt.step()
        for sched in built:
            sched.step()
        lrs.append(group_lrs(opt))
    return {"base_lr": base_lr, "schedules": entries, "steps": steps, "lrs": lrs}


def stacked():
    return [
        # The case of the issue: torch starts the second schedule from initial_lr = 0.1, not from the 0.05 LinearLR set.
        stacked_case(0.1, [("LinearLR", {"start_factor": 0.5, "end_factor": 1.0, "total_iters": 4}, None),
                           ("CosineAnnealingWarmRestarts", {"T_0": 10, "T_mult": 1, "eta_min": 0.0}, None)], 30),
        stacked_case(0.1, [("ExponentialLR", {"gamma": 0.9}, None),
                           ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}, None)], 25),
        stacked_case(0.5, [("OneCycleLR", {"max_lr": 1.0, "total_steps": 20, "pct_start": 0.3, "anneal_strategy": "cos",
                                           "div_factor": 25.0, "final_div_factor": 1e4, "three_phase": False}, None),
                           ("ExponentialLR", {"gamma": 0.95}, None)], 20),
        stacked_case([0.1, 0.01], [("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 5}, None),
                                   ("CosineAnnealingWarmRestarts", {"T_0": 4, "T_mult": 2, "eta_min": 0.0005}, None)], 30),
        stacked_case(0.1, [("ReduceLROnPlateau", {"mode": "min", "factor": 0.5, "patience": 0, "threshold": 1e-4,
                                                  "threshold_mode": "rel", "cooldown": 0, "min_lr": 0.0, "eps": 1e-8},
                            [1.0, 2.0]),
                           ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 1, "eta_min": 0.0}, None)], 12),
    ]



# ---- ConstantLR, LambdaLR, MultiplicativeLR, CyclicLR, ChainedScheduler and momentum cycling (issue 15) ----
# A function argument (LambdaLR's lr_lambda, CyclicLR's scale_fn) is written as a named family {"fn", "a", "b"} that
# the C# test rebuilds: pow a**t, inv 1/(1 + a·t), const a, alt a at even t and b at odd t.
FUNCTIONS = {
    "pow": lambda a, b: (lambda t: a ** t),
    "inv": lambda a, b: (lambda t: 1.0 / (1.0 + a * t)),
    "const": lambda a, b: (lambda t: a),
    "alt": lambda a, b: (lambda t: a if t % 2 == 0 else b),
}


def function(spec):
    return FUNCTIONS[spec["fn"]](spec["a"], spec.get("b", 0.0))


def functions(spec):
    return [function(f) for f in spec] if isinstance(spec, list) else function(spec)


def make_rule(kind, base_lr):
    """SGD (no momentum: GradientDescent), SGD_momentum (Momentum, 0.9), Adam, RMSprop (momentum 0), over one parameter
    of three elements per group."""
    lrs = base_lr if isinstance(base_lr, list) else [base_lr]
    groups = [{"params": [torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]) * (g + 1))], "lr": lr} for g, lr in enumerate(lrs)]
    if kind == "SGD":
        return SGD(groups, lr=lrs[0])
    if kind == "SGD_momentum":
        return SGD(groups, lr=lrs[0], momentum=0.9)
    if kind == "Adam":
        return torch.optim.Adam(groups, lr=lrs[0])
    if kind == "RMSprop":
        return torch.optim.RMSprop(groups, lr=lrs[0])
    raise ValueError(kind)


def cycled_momentum(opt):
    ms = [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]
    return ms if len(ms) > 1 else ms[0]


def build_more(kind, opt, args):
    if kind == "ConstantLR":
        return S.ConstantLR(opt, factor=args["factor"], total_iters=args["total_iters"])
    if kind == "LambdaLR":
        return S.LambdaLR(opt, lr_lambda=functions(args["lr_lambda"]))
    if kind == "MultiplicativeLR":
        return S.MultiplicativeLR(opt, lr_lambda=functions(args["lr_lambda"]))
    if kind == "CyclicLR":
        return S.CyclicLR(opt, base_lr=args["base_lr"], max_lr=args["max_lr"], step_size_up=args["step_size_up"],
                          step_size_down=args["step_size_down"], mode=args["mode"], gamma=args["gamma"],
                          scale_fn=None if args["scale_fn"] is None else function(args["scale_fn"]),
                          scale_mode=args["scale_mode"], cycle_momentum=args["cycle_momentum"],
                          base_momentum=args["base_momentum"], max_momentum=args["max_momentum"])
    if kind == "OneCycleLR":
        return S.OneCycleLR(opt, max_lr=args["max_lr"], total_steps=args["total_steps"], pct_start=args["pct_start"],
                            anneal_strategy=args["anneal_strategy"], div_factor=args["div_factor"],
                            final_div_factor=args["final_div_factor"], three_phase=args["three_phase"],
                            cycle_momentum=args["cycle_momentum"], base_momentum=args["base_momentum"],
                            max_momentum=args["max_momentum"])
    return build(kind, opt, args)


def more_case(kind, base_lr, args, steps=60, rule="SGD", children=None):
    """One trace of a new schedule: learning rates (and the cycled momentum when the schedule cycles it) at epochs
    0 … steps. ChainedScheduler: `children` are (kind, args) built in order on the optimizer, then chained."""
    opt = make_rule(rule, base_lr)
    if kind == "ChainedScheduler":
        sched = S.ChainedScheduler([build_more(k, opt, a) for k, a in children])
    else:
        sched = build_more(kind, opt, args)
    cycles = kind in ("CyclicLR", "OneCycleLR") and args["cycle_momentum"]
    lrs, ms = [group_lrs(opt)], [cycled_momentum(opt)] if cycles else None
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(group_lrs(opt))
        if cycles:
            ms.append(cycled_momentum(opt))
    out = {"type": kind, "rule": rule, "base_lr": base_lr, "args": args, "steps": steps, "lrs": lrs}
    if children is not None:
        out["children"] = [{"type": k, "args": a} for k, a in children]
    if cycles:
        out["momentums"] = ms
    return out


def cyclic(base_lr, max_lr, up, down=None, mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
           cycle_momentum=False, base_momentum=0.8, max_momentum=0.9):
    return {"base_lr": base_lr, "max_lr": max_lr, "step_size_up": up, "step_size_down": down, "mode": mode,
            "gamma": gamma, "scale_fn": scale_fn, "scale_mode": scale_mode, "cycle_momentum": cycle_momentum,
            "base_momentum": base_momentum, "max_momentum": max_momentum}


def one_cycle_args(max_lr, total_steps, pct_start=0.3, anneal="cos", div=25.0, final_div=1e4, three=False,
                   cycle_momentum=True, base_momentum=0.85, max_momentum=0.95):
    return {"max_lr": max_lr, "total_steps": total_steps, "pct_start": pct_start, "anneal_strategy": anneal,
            "div_factor": div, "final_div_factor": final_div, "three_phase": three, "cycle_momentum": cycle_momentum,
            "base_momentum": base_momentum, "max_momentum": max_momentum}


def more_schedules():
    """Every new schedule, on one group and on two (base_lr a list), the learning rate only (SGD without momentum)."""
    out = []
    for base in [0.1, [0.1, 0.01]]:
        out.append(more_case("ConstantLR", base, {"factor": 1.0 / 3, "total_iters": 5}, steps=12))
        out.append(more_case("ConstantLR", base, {"factor": 0.5, "total_iters": 1}, steps=5))
        out.append(more_case("ConstantLR", base, {"factor": 1.0, "total_iters": 3}, steps=5))
        out.append(more_case("LambdaLR", base, {"lr_lambda": {"fn": "pow", "a": 0.95}}))
        out.append(more_case("LambdaLR", base, {"lr_lambda": {"fn": "inv", "a": 0.3}}))
        out.append(more_case("MultiplicativeLR", base, {"lr_lambda": {"fn": "const", "a": 0.9}}))
        out.append(more_case("MultiplicativeLR", base, {"lr_lambda": {"fn": "alt", "a": 0.97, "b": 1.01}}))
        out.append(more_case("CyclicLR", base, cyclic(0.01, 0.1, 5), steps=40))
        out.append(more_case("CyclicLR", base, cyclic(0.001, 0.3, 4, 7, mode="triangular2"), steps=60))
        out.append(more_case("CyclicLR", base, cyclic(0.02, 0.2, 6, 3, mode="exp_range", gamma=0.97), steps=60))
        out.append(more_case("CyclicLR", base, cyclic(0.05, 0.5, 3, 5, scale_fn={"fn": "inv", "a": 0.5}), steps=50))
        out.append(more_case("CyclicLR", base, cyclic(0.05, 0.5, 3, 5, scale_fn={"fn": "pow", "a": 0.99},
                                                      scale_mode="iterations"), steps=50))
        out.append(more_case("ChainedScheduler", base, None, steps=30,
                             children=[("ConstantLR", {"factor": 0.5, "total_iters": 4}), ("ExponentialLR", {"gamma": 0.9})]))
        out.append(more_case("ChainedScheduler", base, None, steps=40,
                             children=[("LinearLR", {"start_factor": 0.2, "end_factor": 1.0, "total_iters": 6}),
                                       ("CosineAnnealingWarmRestarts", {"T_0": 7, "T_mult": 2, "eta_min": 0.0}),
                                       ("MultiplicativeLR", {"lr_lambda": {"fn": "const", "a": 0.99}})]))
    # per-group functions
    out.append(more_case("LambdaLR", [0.1, 0.01], {"lr_lambda": [{"fn": "pow", "a": 0.9}, {"fn": "inv", "a": 0.2}]}))
    out.append(more_case("MultiplicativeLR", [0.1, 0.01], {"lr_lambda": [{"fn": "const", "a": 0.95}, {"fn": "alt", "a": 1.0, "b": 0.8}]}))
    return out


def sequential_more():
    """SequentialLR over the new schedules: MultiplicativeLR keeps the learning rate of the milestone (get_lr at epoch 0),
    LambdaLR and ConstantLR restart from the closed form."""
    out = []
    for children, milestones in [
        ([("ConstantLR", {"factor": 0.25, "total_iters": 3}), ("MultiplicativeLR", {"lr_lambda": {"fn": "const", "a": 0.9}})], [5]),
        ([("ExponentialLR", {"gamma": 0.8}), ("LambdaLR", {"lr_lambda": {"fn": "pow", "a": 0.95}}),
          ("ConstantLR", {"factor": 0.5, "total_iters": 2})], [4, 10]),
    ]:
        opt = make_rule("SGD", 0.1)
        built = [build_more(k, opt, a) for k, a in children]
        sched = S.SequentialLR(opt, schedulers=built, milestones=milestones)
        out.append({"type": "SequentialLR", "base_lr": 0.1, "children": [{"type": k, "args": a} for k, a in children],
                    "milestones": milestones, "steps": 20, "lrs": trace(opt, sched, 20)})
    return out


def momentum_runs():
    """Momentum cycling with real steps: OneCycleLR (torch 1.13 cycles `momentum` or betas[0]) and CyclicLR (1.13 cycles
    `momentum` only) on SGD with momentum, Adam and RMSprop; the gradient of each step is drawn from a fixed seed, and
    the parameters after every step are recorded with the learning rates and the cycled momentum."""
    out = []
    cases = [
        ("OneCycleLR", "SGD_momentum", 0.1, one_cycle_args(0.5, 30)),
        ("OneCycleLR", "Adam", 0.1, one_cycle_args(0.05, 30, anneal="linear", three=True)),
        ("OneCycleLR", "RMSprop", 0.1, one_cycle_args(0.01, 25, pct_start=0.4, base_momentum=0.8, max_momentum=0.9)),
        ("OneCycleLR", "Adam", [0.1, 0.01], one_cycle_args(0.02, 20)),
        ("CyclicLR", "SGD_momentum", 0.1, cyclic(0.01, 0.1, 4, 6, cycle_momentum=True)),
        ("CyclicLR", "SGD_momentum", [0.1, 0.01], cyclic(0.01, 0.2, 3, mode="exp_range", gamma=0.95, cycle_momentum=True,
                                                        base_momentum=0.7, max_momentum=0.95)),
        ("CyclicLR", "RMSprop", 0.1, cyclic(0.001, 0.01, 5, mode="triangular2", cycle_momentum=True)),
    ]
    for kind, rule, base, args in cases:
        out.append(stepped_run(kind, rule, base, args))
    return out


def stepped_run(kind, rule, base, args, steps=30):
    opt = make_rule(rule, base)
    sched = build_more(kind, opt, args)
    steps = min(steps, args["total_steps"]) if kind == "OneCycleLR" else steps
    g = torch.Generator().manual_seed(5)
    grads, params, lrs, ms = [], [], [group_lrs(opt)], [cycled_momentum(opt)]
    for _ in range(steps):
        step_grads = []
        for group in opt.param_groups:
            for p in group["params"]:
                p.grad = torch.randn(p.shape, generator=g, dtype=torch.float64)
                step_grads.append(p.grad.tolist())
        grads.append(step_grads)
        opt.step()
        sched.step()
        params.append([p.tolist() for group in opt.param_groups for p in group["params"]])
        lrs.append(group_lrs(opt))
        ms.append(cycled_momentum(opt))
    return {"type": kind, "rule": rule, "base_lr": base, "args": args, "steps": steps, "grads": grads,
            "params": params, "lrs": lrs, "momentums": ms}


def beta1_cyclic():
    """CyclicLR cycling Adam's beta1 (torch 2.x; not in 1.13): from the transcribed reference (cyclic_lr_reference.py),
    checked against the independent paper formula, and against torch 1.13's own `momentum` cycling of SGD, whose
    numbers torch 2.x's beta1 path repeats."""
    import cyclic_lr_reference as ref
    cases = [
        {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4, "step_size_down": 6, "mode": "triangular", "gamma": 1.0,
         "base_momentum": 0.8, "max_momentum": 0.9, "steps": 40},
        {"base_lr": 0.002, "max_lr": 0.02, "step_size_up": 3, "step_size_down": None, "mode": "triangular2", "gamma": 1.0,
         "base_momentum": 0.85, "max_momentum": 0.95, "steps": 40},
        {"base_lr": 0.001, "max_lr": 0.05, "step_size_up": 5, "step_size_down": 2, "mode": "exp_range", "gamma": 0.96,
         "base_momentum": 0.7, "max_momentum": 0.9, "steps": 40},
    ]
    worst = ref.check_references(cases)
    out = []
    for c in cases:
        lrs, betas = ref.transcribed_cyclic_lr(c["base_lr"], c["max_lr"], c["step_size_up"], c["step_size_down"], c["mode"],
                                               c["gamma"], None, "cycle", c["base_momentum"], c["max_momentum"], c["steps"])
        run = more_case("CyclicLR", 0.5, cyclic(c["base_lr"], c["max_lr"], c["step_size_up"], c["step_size_down"], mode=c["mode"],
                                                gamma=c["gamma"], cycle_momentum=True, base_momentum=c["base_momentum"],
                                                max_momentum=c["max_momentum"]), steps=c["steps"], rule="SGD_momentum")
        assert run["lrs"] == lrs and run["momentums"] == betas, "torch 1.13's momentum cycling differs from the transcription"
        out.append({"type": "CyclicLR", "rule": "Adam", "base_lr": 0.5, "args": run["args"], "steps": c["steps"],
                    "lrs": lrs, "momentums": betas})
    print(f"  CyclicLR beta1 reference: transcription vs paper formula worst relative difference {worst:.3g}; "
          "equal bit for bit to torch 1.13's momentum cycling")
    return out



def swalr_runs():
    """torch.optim.swa_utils.SWALR from a learning rate, on one group and two; a MultiplicativeLR decays before."""
    from torch.optim import swa_utils
    out = []
    for base, swa_lr, epochs, strategy in [(1.0, 0.1, 2, "linear"), (0.5, 0.05, 10, "cos"), (0.1, 0.3, 5, "linear"),
                                           (0.2, 0.01, 1, "cos"), (0.2, 0.01, 0, "cos"), ([0.1, 0.02], 0.05, 4, "cos")]:
        opt = make_rule("SGD", base)
        sched = swa_utils.SWALR(opt, swa_lr=swa_lr, anneal_epochs=epochs, anneal_strategy=strategy)
        out.append({"type": "SWALR", "base_lr": base, "args": {"swa_lr": swa_lr, "anneal_epochs": epochs,
                                                               "anneal_strategy": strategy},
                    "steps": 15, "lrs": trace(opt, sched, 15)})
    return out


def averaged_runs():
    """torch.optim.swa_utils.AveragedModel over two parameters whose values are drawn anew before each
    update_parameters: SWA (the default avg_fn) and EMA (avg_fn = decay·a + (1 − decay)·θ, torch 2.x's
    get_ema_avg_fn), in float64 and float32. Records the values fed and the averages after each update."""
    from torch.optim import swa_utils
    out = []
    for dtype, name in [(torch.float64, "float64"), (torch.float32, "float32")]:
        for decay in [None, 0.9, 0.5]:
            model = torch.nn.Module()
            model.a = torch.nn.Parameter(torch.zeros(5, dtype=dtype))
            model.b = torch.nn.Parameter(torch.zeros(3, dtype=dtype))
            avg_fn = None if decay is None else (lambda a, m, n, d=decay: d * a + (1 - d) * m)
            averaged = swa_utils.AveragedModel(model, avg_fn=avg_fn)
            g = torch.Generator().manual_seed(21)
            values, averages = [], []
            for _ in range(12):
                with torch.no_grad():
                    for p in model.parameters():
                        p.copy_((torch.randn(p.shape, generator=g, dtype=torch.float64) * 3).to(dtype))
                averaged.update_parameters(model)
                values.append([p.tolist() for p in model.parameters()])
                averages.append([p.tolist() for p in averaged.module.parameters()])
            out.append({"dtype": name, "decay": decay, "values": values, "averages": averages,
                        "n_averaged": int(averaged.n_averaged)})
    return out


def metrics(kind, n):
    """Deterministic metric sequences with improvements, plateaus and noise."""
    vals = []
    for t in range(n):
        if kind == "loss":
            v = 1.0 / (1.0 + 0.08 * min(t, 25)) + 0.01 * math.sin(1.7 * t)
            if 40 <= t < 60:
                v -= 0.002 * (t - 40)
        else:
            v = 0.5 + 0.4 * (1.0 - math.exp(-0.1 * min(t, 30))) + 0.005 * math.cos(2.3 * t)
            if t >= 70:
                v += 0.001 * (t - 70)
        vals.append(v)
    return vals


def grouped():
    """Two param groups with different learning rates: every group is a target with its own initial_lr."""
    two = [0.1, 0.01]
    out = [
        single("StepLR", two, {"step_size": 3, "gamma": 0.5}, steps=40),
        single("MultiStepLR", [0.2, 0.05], {"milestones": [4, 4, 15], "gamma": 0.3}, steps=40),
        single("ExponentialLR", two, {"gamma": 0.93}, steps=40),
        single("CosineAnnealingLR", [0.1, 0.003], {"T_max": 12, "eta_min": 0.001}, steps=40),
        single("CosineAnnealingWarmRestarts", two, {"T_0": 4, "T_mult": 2, "eta_min": 0.0005}, steps=40),
        single("LinearLR", [0.3, 0.02], {"start_factor": 0.2, "end_factor": 1.0, "total_iters": 7}, steps=40),
        single("PolynomialLR", two, {"total_iters": 25, "power": 1.5}, steps=40),
        one_cycle(0.1, 40, pct_start=0.25, base_lr=two),
        one_cycle(0.5, 30, anneal="linear", three=True, base_lr=[0.3, 0.7]),
        sequential(two, [("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}),
                         ("CosineAnnealingLR", {"T_max": 35, "eta_min": 0.0001})], [5], steps=40),
        sequential([0.2, 0.05], [("ExponentialLR", {"gamma": 0.9}),
                                 ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.0}),
                                 ("StepLR", {"step_size": 4, "gamma": 0.5})], [8, 20], construct_order=[2, 0, 1], steps=40),
    ]
    for base, kind, args in [
        ([0.1, 0.01], "loss", {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.01, "threshold_mode": "abs",
                               "cooldown": 3, "min_lr": 0.004, "eps": 1e-8}),
        ([0.2, 0.02], "acc", {"mode": "max", "factor": 0.3, "patience": 0, "threshold": 0.05, "threshold_mode": "rel",
                              "cooldown": 1, "min_lr": 0.0, "eps": 0.005}),
    ]:
        out.append(plateau_run(base, kind, args, STEPS))
    return out


def plateau_run(base, kind, args, n):
    opt = make_optimizer(base)
    sched = S.ReduceLROnPlateau(opt, **args)
    ms = metrics(kind, n)
    lrs = [group_lrs(opt)]
    for m in ms:
        opt.step()
        sched.step(m)
        lrs.append(group_lrs(opt))
    return {"type": "ReduceLROnPlateau", "base_lr": base, "args": args, "metrics": ms, "lrs": lrs}


def plateau():
    out = []
    configs = [
        (0.1, "loss", {"mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4, "threshold_mode": "rel",
                       "cooldown": 0, "min_lr": 0.0, "eps": 1e-8}),
        (0.1, "loss", {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.01, "threshold_mode": "abs",
                       "cooldown": 3, "min_lr": 0.001, "eps": 1e-8}),
        (0.2, "acc", {"mode": "max", "factor": 0.3, "patience": 0, "threshold": 0.05, "threshold_mode": "rel",
                      "cooldown": 1, "min_lr": 0.0, "eps": 1e-8}),
        (0.1, "acc", {"mode": "max", "factor": 0.5, "patience": 3, "threshold": 0.0, "threshold_mode": "abs",
                      "cooldown": 0, "min_lr": 0.0, "eps": 0.02}),
        (1.0, "loss", {"mode": "min", "factor": 0.0, "patience": 5, "threshold": 0.2, "threshold_mode": "rel",
                       "cooldown": 2, "min_lr": 0.05, "eps": 1e-8}),
    ]
    for base, kind, args in configs:
        out.append(plateau_run(base, kind, args, STEPS))
    return out


def grads(seed, sizes, scale):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, generator=g, dtype=torch.float64) * scale for n in sizes]


def clip_norm_inputs():
    """(float64 gradients, max_norm, norm_type) of every clip_grad_norm case."""
    sizes = [3, 5, 17, 1]
    cases = [(1, 3.0, 1.0, 2.0), (2, 3.0, 100.0, 2.0), (3, 1.0, 2.0, 1.0), (4, 2.0, 0.5, math.inf),
             (5, 1.0, 1.0, 3.0), (6, 0.5, 0.7, 1.5), (7, 1e-3, 1e-4, 2.0), (8, 10.0, 0.0, 2.0)]
    for seed, scale, max_norm, p in cases:
        yield grads(seed, sizes, scale), max_norm, p
    # Just above the norm: torch still scales, since max_norm < total + 1e-6.
    gs = grads(9, sizes, 1.0)
    total = float(torch.norm(torch.stack([torch.norm(x, 2.0) for x in gs]), 2.0))
    yield gs, total + 5e-7, 2.0


def clip_norm():
    return [clip_case(gs, max_norm, p) for gs, max_norm, p in clip_norm_inputs()]


def clip_norm_float32():
    """The clip_grad_norm cases with the same gradients rounded to float32 (and the same max_norm, a double).

    torch's clip_grad_norm_ computes in the gradients' dtype: in float32 each per-tensor norm is a float32
    reduction, the norm of the norms too, and the coefficient is max_norm / (total + 1e-6) formed by float32 tensor
    ops (a double divided by a tensor is tensor.reciprocal() * double), so `total_norm` and `clipped` carry
    float32 rounding. For a library that accumulates the norm in double instead, each case also holds
    `total_norm_double` (torch's float64 norm of the same float32 values), `clip_coef_double` =
    max_norm / (total_norm_double + 1e-6) formed in double, and `clipped_double_norm`: every float32 gradient
    times float32(clip_coef_double), multiplied in float32, when the coefficient is below 1 (else unchanged)."""
    out = []
    for gs, max_norm, p in clip_norm_inputs():
        gs32 = [x.to(torch.float32) for x in gs]
        case = clip_case(gs32, max_norm, p)
        total_double = clip_case([x.to(torch.float64) for x in gs32], max_norm, p)["total_norm"]
        coef = max_norm / (total_double + 1e-6)
        scale = np.float32(coef)
        clipped = [[float(v) for v in (x.numpy() * scale if coef < 1 else x.numpy())] for x in gs32]
        case.update(total_norm_double=total_double, clip_coef_double=coef, clipped_double_norm=clipped)
        out.append(case)
    return out


def clip_case(gs, max_norm, p):
    params = [torch.nn.Parameter(torch.zeros_like(x)) for x in gs]
    for prm, x in zip(params, gs):
        prm.grad = x.clone()
    before = [x.tolist() for x in gs]
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=p)
    return {"grads": before, "max_norm": max_norm, "norm_type": "inf" if math.isinf(p) else p,
            "total_norm": float(total), "clipped": [prm.grad.tolist() for prm in params]}


def clip_value(dtype=torch.float64):
    """The clip_grad_value cases; with dtype=torch.float32, the same gradients rounded to float32."""
    out = []
    for seed, scale, clip in [(11, 1.0, 0.5), (12, 3.0, 2.0), (13, 0.1, 1.0), (14, 1.0, 0.0)]:
        gs = [x.to(dtype) for x in grads(seed, [4, 9, 2], scale)]
        params = [torch.nn.Parameter(torch.zeros_like(x)) for x in gs]
        for prm, x in zip(params, gs):
            prm.grad = x.clone()
        torch.nn.utils.clip_grad_value_(params, clip)
        out.append({"grads": [x.tolist() for x in gs], "clip_value": clip,
                    "clipped": [prm.grad.tolist() for prm in params]})
    return out


def ulps32(a, b):
    """How many float32 values lie from a to b."""
    def ordered(x):
        i = int(np.array(x, dtype=np.float32).view(np.int32))
        return -(i & 0x7FFFFFFF) if i < 0 else i
    return abs(ordered(a) - ordered(b))


def report_float32(cases):
    """How far torch's float32 clipping is from the double-norm choice, case by case."""
    for i, c in enumerate(cases):
        total = ulps32(c["total_norm"], c["total_norm_double"])
        grads_apart = max(ulps32(x, y) for gx, gy in zip(c["clipped"], c["clipped_double_norm"]) for x, y in zip(gx, gy))
        print(f"  float32 clip_grad_norm case {i} (p={c['norm_type']}): total norm {total} ulps from the double norm, "
              f"clipped gradients at most {grads_apart} ulps apart")


def dumps(data):
    """JSON with one trace or case per line, so that a regenerated fixture diffs readably."""
    lines = ["{"]
    keys = list(data)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list):
            lines.append(f' "{key}": [')
            for j, item in enumerate(value):
                sep = "," if j < len(value) - 1 else ""
                lines.append("  " + json.dumps(item, allow_nan=False) + sep)
            lines.append(" ]" + comma)
        else:
            lines.append(f' "{key}": ' + json.dumps(value, allow_nan=False) + comma)
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    data = {
        "generator": "tests/Optimizers.Tests/Schedules/generate_schedule_traces.py",
        "torch_version": torch.__version__,
        "schedules": schedules(),
        "plateau": plateau(),
        "grouped": grouped(),
        "stacked": stacked(),
        "more_schedules": more_schedules(),
        "sequential_more": sequential_more(),
        "momentum_runs": momentum_runs(),
        "beta1_cyclic": beta1_cyclic(),
        "swalr": swalr_runs(),
        "averaged": averaged_runs(),
        "clip_grad_norm": clip_norm(),
        "clip_grad_value": clip_value(),
        "clip_grad_norm_float32": clip_norm_float32(),
        "clip_grad_value_float32": clip_value(torch.float32),
    }
    path = os.path.join(HERE, "schedule_traces.json")
    with open(path, "w") as f:
        f.write(dumps(data))
    print(f"wrote {path}: {len(data['schedules'])} schedules, {len(data['plateau'])} plateau runs, "
          f"{len(data['grouped'])} two-group runs, {len(data['stacked'])} runs of schedules stacked on one optimizer, {len(data['clip_grad_norm'])} norm clips, {len(data['clip_grad_value'])} value clips, "
          f"and the clips again in float32")
    report_float32(data["clip_grad_norm_float32"])


if __name__ == "__main__":
    main()
