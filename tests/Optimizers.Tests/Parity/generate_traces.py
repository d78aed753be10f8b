#!/usr/bin/python3
"""Writes the parity-trace fixtures that ParityTests.cs replays step by step, in float64 and in float32.

Run from anywhere with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tests/Optimizers.Tests/Parity/generate_traces.py

Every case feeds the same gradients to torch.optim and records, per step, the learning rate, the
gradients and the parameter values after the step. Output: one JSON file per case and precision,
"Fixtures/<Optimizer>.<case>.json" (float64) and "Fixtures32/<Optimizer>.<case>.json" (float32, with
"dtype": "float32"). Both precisions come from the same code path (generate() below). The output is
deterministic (seeded generators, fixed case list), so re-running the script reproduces the committed
files byte for byte.

Conventions (see README.md beside this script):
  * Each precision runs with torch's default dtype set to it, so that the per-parameter scalar state torch
    creates with torch.tensor(...) (NAdam's mu_product, the step counters) has the parameters' dtype, as
    in torch's own float32 and float64 paths. (In the float64 run, a float32 default would round NAdam's
    mu_product to single precision every step.)
  * "options" holds the arguments the C# constructor receives, under the C# parameter names; an absent
    option means "use the C# default", which must equal the torch default used here (DEFAULTS below).
  * The gradients are written into param.grad directly; there is no loss function.
  * The learning rate of step t is written into param_group['lr'] before step t. It is a Python double in
    both precisions.
  * float32: the initial values and gradients are drawn in float64 exactly as for the float64 fixture of the
    same case (same seed), then rounded to float32. Every float32 is exactly a double, so the fixtures hold
    each float32 value as the repr of that double (e.g. 0.10000000149011612), which reads back to the same
    double, and so to the same float32, exactly.

Where torch 1.13 differs from the current (2.x) torch.optim code, the case is generated through a
1.13 path whose arithmetic is the 2.x one:
  * NAdam: 1.13's default (single-tensor) path multiplies mu_t into mu_product_next twice (fixed in 2.0);
    its foreach=True path computes mu_product * mu_next like 2.x, so NAdam runs with foreach=True.
    In float32 this still holds: like 2.x, the foreach path keeps mu_product as a float32 tensor
    (mu_product *= mu rounds to float32), reads it with .item() and forms both coefficients, including
    mu_product * mu_next, in Python double. (1.13's single-tensor path would form mu_product_next as a
    float32 tensor.) The foreach path divides sqrt(v) by sqrt(1 - beta2^t) where 2.x takes
    sqrt(v / (1 - beta2^t)): the same value, rounded differently.
  * RAdam: 1.13's foreach path leaves eps out of the adaptive term; its single-tensor path has
    sqrt(1 - beta2^t) / (sqrt(v) + eps) like 2.x, so RAdam runs with foreach=False. In both versions that
    division of a Python double by a tensor is tensor.reciprocal() * double, in either dtype.
  * NAdam and RAdam have no `maximize` in 1.13. In 2.x, maximize negates the gradient before anything
    else (weight decay is added afterwards), which is exactly what feeding -g to maximize=False does.
    So for maximize=True those two are fed -g (negation is exact in both precisions) while the fixture
    records g.
  * Adamax, AdaGrad (lr decay by step count, initial accumulator), AdamW with amsgrad, Adam, RMSProp,
    AdaDelta and SGD: 1.13's single-tensor path has the same arithmetic as 2.x, so they run with
    foreach=False. 2.x updates the first moments of Adam, AdamW, Adamax, NAdam and RAdam, and RMSProp's
    centred average, with lerp_ where 1.13 has mul_().add_(): the same value, rounded differently.
    Adamax's norm is u = max(beta2 * u, |g| + eps) in both (eps inside the maximum), and AMSGrad keeps the
    maximum of the raw second moment and bias-corrects it afterwards in both Adam and AdamW.
  * In float32, both versions form bias corrections, step sizes and NAdam's coefficients in Python double
    and hand them to float32 tensor ops, which round them to float32; step counters are float32 tensors
    whose .item() is an exact integer. The only float32 value read back into a double expression is NAdam's
    mu_product (see above), in both versions.

Magnitudes: the replay compares with a tolerance relative to the values, so every expected value must
stay away from zero (MIN_MAGNITUDE); GradientDescent and Momentum, whose steps scale with the gradient,
therefore use small learning rates. The "tiny" gradient cases keep gradients near the default epsilons so
that the place where epsilon enters shows in the trace (in float64, changing epsilon by half moves those
traces by 1e-10 to 1e-2 relative, far beyond the 1e-12 tolerance; the float32 fixtures record how far
halving epsilon moves each trace, "epsilonHalvedScaledDifference").

Independent checks:
  * float64: every case is also computed by a small float64 reference written here from the 2.x update
    rules (plain Python floats, element by element). The script refuses to write a fixture unless torch and
    the reference agree within CROSS_CHECK_TOLERANCE at every step; the worst disagreement per case is
    stored in the fixture ("referenceMaxRelativeDifference") and printed.
  * float32: every case is also computed by a float32 reference in NumPy (Arithmetic32 below) that follows
    the 2.x order of operations and torch's casting rules, with every operation rounded on its own (as a
    C# loop computes it). Its worst disagreement with torch is stored per fixture, relative to the largest
    magnitude in the trace ("referenceMaxScaledDifference") and in float32 ulps ("referenceMaxUlps"), and
    printed with three variants (2.x order with fused multiply-adds, 1.13 order, 1.13 order with fused
    multiply-adds). The torch build used here (Debian's, GCC, AVX2) rounds a*b + c once inside add_(alpha),
    addcmul_ and lerp_; the 1.13-order model with fused multiply-adds must reproduce torch bit for bit (this
    checks the casting rules the reference is built on), else the script writes nothing.
  * float32 only: sub-half-ulp cases (GradientDescent and Adam, "sub-half-ulp") take 64 steps that are each
    smaller than half an ulp of theta (|theta| in [1.06, 1.94], ulp 2^-23). A float32 parameter updated step
    by step never changes; the same trajectory computed in float64 and rounded to float32 at the end moves by
    several ulps. The script verifies both and records them ("subHalfUlp").
"""

import contextlib
import json
import math
import os
import sys
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

STEPS = 64
SIZES = (7, 13)
NAMES = ("w", "b")

# float64: |torch - reference| <= CROSS_CHECK_TOLERANCE * max(|torch|, CROSS_CHECK_FLOOR) at every value and step.
CROSS_CHECK_TOLERANCE = 1e-13
CROSS_CHECK_FLOOR = 1e-300

# float32: max |torch - reference| <= CROSS_CHECK_TOLERANCE_32 * max |torch| over each trace. It only guards
# against a wrong reference or a wrong torch path (those differ by far more); the measured values are in the
# fixtures and in README.md.
CROSS_CHECK_TOLERANCE_32 = 1e-6

# Every expected value stays at least this far from zero. The replay compares with a tolerance relative to the
# values; near zero, the absolute rounding error carried from earlier, larger values would dominate it.
MIN_MAGNITUDE = 0.02
# The C# constructor defaults (issue 2 and issue 3 signatures); each equals torch.optim's default except
# Momentum's momentum (0.9 here, 0 in torch.optim.SGD, so it is always passed to torch explicitly).
DEFAULTS = {
    "GradientDescent": dict(weightDecay=0.0, maximize=False),
    "Momentum": dict(momentum=0.9, dampening=0.0, nesterov=False, weightDecay=0.0, maximize=False),
    "AdaGrad": dict(learningRate=0.01, lrDecay=0.0, weightDecay=0.0, initialAccumulatorValue=0.0,
                    epsilon=1e-10, maximize=False),
    "RMSProp": dict(learningRate=0.01, alpha=0.99, epsilon=1e-8, weightDecay=0.0, momentum=0.0,
                    centered=False, maximize=False),
    "AdaDelta": dict(learningRate=1.0, rho=0.9, epsilon=1e-6, weightDecay=0.0, maximize=False),
    "Adam": dict(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.0,
                 amsgrad=False, maximize=False),
    "AdamW": dict(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.01,
                  amsgrad=False, maximize=False),
    "Adamax": dict(learningRate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.0,
                   maximize=False),
    "NAdam": dict(learningRate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.0,
                  momentumDecay=0.004, maximize=False),
    "RAdam": dict(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.0,
                  maximize=False),
    "Rprop": dict(learningRate=0.01, etaMinus=0.5, etaPlus=1.2, minStepSize=1e-6, maxStepSize=50.0, maximize=False),
    "ASGD": dict(learningRate=0.01, **{"lambda": 1e-4}, alpha=0.75, t0=1e6, weightDecay=0.0, maximize=False),
}

# Learning-rate schedules: factor of the base rate at step t (1-based).
def constant(t):
    return 1.0

def piecewise(t):
    # down, further down, back up above the start, then down again
    if t <= 16:
        return 1.0
    if t <= 32:
        return 0.25
    if t <= 44:
        return 2.0
    return 0.1

def cosine(t):
    # a smooth per-step schedule: every step has its own rate
    return 0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * (t - 1) / (STEPS - 1)))

SCHEDULES = {"constant": constant, "piecewise": piecewise, "cosine": cosine}

# Gradient scale ranges: each step draws k uniformly from the range and scales N(0, 1) draws by 10^k.
# "wide" makes the moments see jumps over seven decades; "tiny" keeps every gradient near the default
# epsilons (1e-10 to 1e-6), so that where epsilon enters (inside or outside a root, before or after a
# maximum) changes the trace well beyond the test tolerance.
SCALES = {"wide": (-4, 3), "tiny": (-10, -5), "small": (-3, -1)}

# (optimizer, case name, C# options, learning-rate schedule, gradient scales)
CASES = [
    ("GradientDescent", "plain", dict(learningRate=5e-5), "constant", "wide"),
    ("GradientDescent", "decay-maximize-schedule", dict(learningRate=5e-5, weightDecay=0.1, maximize=True), "piecewise", "wide"),

    ("Momentum", "defaults", dict(learningRate=5e-6), "constant", "wide"),
    ("Momentum", "schedule", dict(learningRate=5e-6, momentum=0.9), "piecewise", "wide"),
    ("Momentum", "dampening-decay-maximize", dict(learningRate=1e-5, momentum=0.8, dampening=0.3, weightDecay=0.05, maximize=True), "cosine", "wide"),
    ("Momentum", "nesterov-decay", dict(learningRate=3e-6, momentum=0.95, nesterov=True, weightDecay=0.01), "piecewise", "wide"),

    ("AdaGrad", "defaults", dict(), "constant", "wide"),
    ("AdaGrad", "all-options-schedule", dict(learningRate=0.05, lrDecay=0.05, weightDecay=0.02, initialAccumulatorValue=0.1, epsilon=1e-6, maximize=True), "piecewise", "wide"),
    ("AdaGrad", "tiny-gradients", dict(), "constant", "tiny"),

    ("RMSProp", "defaults", dict(), "constant", "wide"),
    ("RMSProp", "centered-momentum-schedule", dict(learningRate=0.002, alpha=0.95, epsilon=1e-6, weightDecay=0.01, momentum=0.9, centered=True, maximize=True), "piecewise", "wide"),
    ("RMSProp", "centered", dict(centered=True), "cosine", "wide"),
    ("RMSProp", "momentum", dict(learningRate=0.002, momentum=0.5), "constant", "wide"),
    ("RMSProp", "tiny-gradients", dict(), "constant", "tiny"),

    ("AdaDelta", "defaults", dict(), "constant", "wide"),
    ("AdaDelta", "all-options-schedule", dict(learningRate=0.5, rho=0.95, epsilon=1e-5, weightDecay=0.01, maximize=True), "piecewise", "wide"),
    ("AdaDelta", "tiny-gradients", dict(), "constant", "tiny"),

    ("Adam", "defaults", dict(), "constant", "wide"),
    ("Adam", "schedule", dict(learningRate=0.01), "piecewise", "wide"),
    ("Adam", "amsgrad-all-options-cosine", dict(learningRate=0.005, beta1=0.8, beta2=0.99, epsilon=1e-6, weightDecay=0.01, amsgrad=True, maximize=True), "cosine", "wide"),
    ("Adam", "tiny-gradients-amsgrad", dict(amsgrad=True), "piecewise", "tiny"),

    ("AdamW", "defaults", dict(), "constant", "wide"),
    ("AdamW", "amsgrad-all-options-schedule", dict(learningRate=0.005, beta1=0.85, beta2=0.99, epsilon=1e-6, weightDecay=0.1, amsgrad=True, maximize=True), "piecewise", "wide"),
    ("AdamW", "tiny-gradients", dict(), "constant", "tiny"),

    ("Adamax", "defaults", dict(), "constant", "wide"),
    ("Adamax", "all-options-schedule", dict(learningRate=0.01, beta1=0.85, beta2=0.99, epsilon=1e-4, weightDecay=0.01, maximize=True), "piecewise", "wide"),
    ("Adamax", "tiny-gradients", dict(), "constant", "tiny"),

    ("NAdam", "defaults", dict(), "constant", "wide"),
    ("NAdam", "all-options-schedule", dict(learningRate=0.005, beta1=0.95, beta2=0.99, epsilon=1e-6, weightDecay=0.01, momentumDecay=0.01, maximize=True), "piecewise", "wide"),
    ("NAdam", "tiny-gradients", dict(), "constant", "tiny"),

    ("RAdam", "defaults", dict(), "constant", "wide"),
    ("RAdam", "all-options-schedule", dict(learningRate=0.005, beta1=0.8, beta2=0.99, epsilon=1e-6, weightDecay=0.01, maximize=True), "piecewise", "wide"),
    ("RAdam", "tiny-gradients", dict(), "constant", "tiny"),

    # Rprop reads the learning rate at its first step only: the schedules below change nothing after it (as in torch).
    ("Rprop", "defaults", dict(), "constant", "wide"),
    ("Rprop", "all-options-schedule", dict(learningRate=0.02, etaMinus=0.3, etaPlus=1.5, minStepSize=1e-3, maxStepSize=0.05, maximize=True), "piecewise", "wide"),
    ("Rprop", "tiny-gradients", dict(), "cosine", "tiny"),

    # ASGD: "decay-average" makes the step size decay (lambda*lr*t up to 2.6) and averages from step t0 + 2 = 7 on.
    ("ASGD", "defaults", dict(learningRate=5e-5), "constant", "wide"),
    ("ASGD", "all-options-schedule", dict(learningRate=1e-4, **{"lambda": 0.5}, alpha=0.5, t0=10.0, weightDecay=0.05, maximize=True), "piecewise", "wide"),
    ("ASGD", "decay-average", dict(learningRate=0.02, **{"lambda": 2.0}, t0=5.0), "cosine", "small"),
]


# float32 only: every step is smaller than half an ulp of theta, so a float32 parameter never changes, while
# the same steps summed in float64 and rounded to float32 at the end move it (verified in sub_half_ulp_facts).
# |g| <= 1.5 and |theta| in [1.0625, 1.9375] (ulp 2^-23, half an ulp 5.96e-8): the GradientDescent step
# lr * |g| is at most 3e-8; Adam's step is about lr * |m^| / sqrt(v^) <= lr = 2e-8.
SUB_HALF_ULP_CASES = [
    ("GradientDescent", "sub-half-ulp", dict(learningRate=2e-8), "constant", "steady"),
    ("Adam", "sub-half-ulp", dict(learningRate=2e-8), "constant", "steady"),
]


# ----------------------------------------------------------------------------------------------------
# Inputs: initial values and gradients from a generator seeded by the case's name (CRC-32 of
# "<Optimizer>.<case>"), so adding or reordering cases leaves the other fixtures unchanged.

def make_inputs(seed, scales):
    if scales == "steady":
        return make_steady_inputs(seed)
    low, high = SCALES[scales]
    rng = np.random.default_rng(seed)
    initial = []
    for n in SIZES:
        magnitude = rng.uniform(0.5, 2.0, n)
        sign = rng.choice([-1.0, 1.0], n)
        initial.append([float(x) for x in magnitude * sign])
    grads = []
    for t in range(1, STEPS + 1):
        # one scale per step, 10^k with k drawn from [low, high]
        k = int(rng.integers(low, high + 1))
        scale = 10.0 ** k
        step = []
        for n in SIZES:
            g = rng.standard_normal(n) * scale
            if t % 9 == 1:
                g[0] = 0.0  # an exact zero now and then (0 / (sqrt(v) + eps), max with a zero, ...)
            step.append([float(x) for x in g])
        grads.append(step)
    return initial, grads


def make_steady_inputs(seed):
    """|theta| inside [1, 2) away from its ends (one ulp, 2^-23, on both sides), and gradients that keep one
    sign per element, so that the float64 trajectory drifts steadily in one direction."""
    rng = np.random.default_rng(seed)
    initial, direction = [], []
    for n in SIZES:
        magnitude = rng.uniform(1.0625, 1.9375, n)
        sign = rng.choice([-1.0, 1.0], n)
        initial.append([float(x) for x in magnitude * sign])
        direction.append(rng.choice([-1.0, 1.0], n))
    grads = []
    for t in range(1, STEPS + 1):
        step = []
        for k, n in enumerate(SIZES):
            g = rng.uniform(0.5, 1.5, n) * direction[k]
            if t % 9 == 1:
                g[0] = 0.0
            step.append([float(x) for x in g])
        grads.append(step)
    return initial, grads


def describe_scales(scales):
    if scales == "steady":
        return "steady: |g| drawn per step from [0.5, 1.5], one sign per element for all steps"
    return "10^k, k drawn per step from [%d, %d]" % SCALES[scales]


# ----------------------------------------------------------------------------------------------------
# torch.optim 1.13, driven so that its arithmetic is the 2.x arithmetic (see the module docstring).

def torch_spec(name, o):
    """The torch.optim class and keyword arguments that reproduce rule `name` with C# options `o`."""
    betas = (o.get("beta1"), o.get("beta2"))
    if name == "GradientDescent":
        return torch.optim.SGD, dict(lr=o["learningRate"], momentum=0.0, weight_decay=o["weightDecay"],
                                     maximize=o["maximize"], foreach=False)
    if name == "Momentum":
        return torch.optim.SGD, dict(lr=o["learningRate"], momentum=o["momentum"], dampening=o["dampening"],
                                     nesterov=o["nesterov"], weight_decay=o["weightDecay"], maximize=o["maximize"],
                                     foreach=False)
    if name == "AdaGrad":
        return torch.optim.Adagrad, dict(lr=o["learningRate"], lr_decay=o["lrDecay"], weight_decay=o["weightDecay"],
                                         initial_accumulator_value=o["initialAccumulatorValue"], eps=o["epsilon"],
                                         maximize=o["maximize"], foreach=False)
    if name == "RMSProp":
        return torch.optim.RMSprop, dict(lr=o["learningRate"], alpha=o["alpha"], eps=o["epsilon"],
                                         weight_decay=o["weightDecay"], momentum=o["momentum"], centered=o["centered"],
                                         maximize=o["maximize"], foreach=False)
    if name == "AdaDelta":
        return torch.optim.Adadelta, dict(lr=o["learningRate"], rho=o["rho"], eps=o["epsilon"],
                                          weight_decay=o["weightDecay"], maximize=o["maximize"], foreach=False)
    if name in ("Adam", "AdamW"):
        cls = torch.optim.Adam if name == "Adam" else torch.optim.AdamW
        return cls, dict(lr=o["learningRate"], betas=betas, eps=o["epsilon"], weight_decay=o["weightDecay"],
                         amsgrad=o["amsgrad"], maximize=o["maximize"], foreach=False)
    if name == "Adamax":
        return torch.optim.Adamax, dict(lr=o["learningRate"], betas=betas, eps=o["epsilon"],
                                        weight_decay=o["weightDecay"], maximize=o["maximize"], foreach=False)
    if name == "NAdam":
        # foreach=True: the 1.13 single-tensor path has the doubled mu_t bug; maximize: see NEGATE_FOR_MAXIMIZE
        return torch.optim.NAdam, dict(lr=o["learningRate"], betas=betas, eps=o["epsilon"],
                                       weight_decay=o["weightDecay"], momentum_decay=o["momentumDecay"], foreach=True)
    if name == "RAdam":
        # foreach=False: the 1.13 foreach path drops eps; maximize: see NEGATE_FOR_MAXIMIZE
        return torch.optim.RAdam, dict(lr=o["learningRate"], betas=betas, eps=o["epsilon"],
                                       weight_decay=o["weightDecay"], foreach=False)
    if name == "Rprop":
        return torch.optim.Rprop, dict(lr=o["learningRate"], etas=(o["etaMinus"], o["etaPlus"]),
                                       step_sizes=(o["minStepSize"], o["maxStepSize"]), maximize=o["maximize"],
                                       foreach=False)
    if name == "ASGD":
        return torch.optim.ASGD, dict(lr=o["learningRate"], lambd=o["lambda"], alpha=o["alpha"], t0=o["t0"],
                                      weight_decay=o["weightDecay"], maximize=o["maximize"], foreach=False)
    raise KeyError(name)


# Optimizers whose 1.13 class has no maximize argument: fed -g instead (2.x negates g first, then decays).
NEGATE_FOR_MAXIMIZE = {"NAdam", "RAdam"}


@contextlib.contextmanager
def default_dtype(dtype):
    """torch's default dtype for the block: the dtype of the scalar state torch 1.13 creates with torch.tensor()."""
    saved = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(saved)


def run_torch(name, o, initial, grads, lrs, dtype, averages=None):
    """The trace of torch.optim in `dtype` (initial values and gradients must already be values of that dtype).
    For ASGD, `averages` (a list) receives torch's state['ax'] of every parameter after the last step."""
    with default_dtype(dtype):
        params = [torch.tensor(v, dtype=dtype) for v in initial]
        cls, kwargs = torch_spec(name, o)
        opt = cls(params, **kwargs)
        sign = -1.0 if (name in NEGATE_FOR_MAXIMIZE and o["maximize"]) else 1.0
        after = []
        with torch.no_grad():
            for t in range(STEPS):
                for group in opt.param_groups:
                    group["lr"] = lrs[t]
                for p, g in zip(params, grads[t]):
                    p.grad = torch.tensor(g, dtype=dtype) * sign
                opt.step()
                after.append([[float(x) for x in p.tolist()] for p in params])
        if averages is not None:
            averages.extend([float(x) for x in opt.state[p]["ax"].tolist()] for p in params)
        for state in opt.state.values():
            for key, value in state.items():
                if torch.is_tensor(value) and value.is_floating_point() and value.dtype != dtype:
                    raise RuntimeError(f"{name}: state '{key}' is {value.dtype}, not {dtype}")
    return after


# ----------------------------------------------------------------------------------------------------
# The float64 reference: the 2.x update rules, element by element on Python floats.

def reference_step(name, o, st, theta, grad, lr, t):
    """One step of rule `name` on the list `theta` (updated in place); `st` is this parameter's state."""
    n = len(theta)
    s = -1.0 if o["maximize"] else 1.0
    wd = o.get("weightDecay", 0.0)
    if name == "AdamW":
        for i in range(n):
            theta[i] *= 1.0 - lr * wd
        wd = 0.0  # decoupled: nothing is added to the gradient
    g = [s * grad[i] + wd * theta[i] for i in range(n)]

    if name == "GradientDescent":
        for i in range(n):
            theta[i] -= lr * g[i]
    elif name == "Momentum":
        mu, tau = o["momentum"], o["dampening"]
        b = st.setdefault("momentum_buffer", None)
        if b is None:
            b = list(g)
        else:
            b = [mu * b[i] + (1.0 - tau) * g[i] for i in range(n)]
        st["momentum_buffer"] = b
        for i in range(n):
            d = g[i] + mu * b[i] if o["nesterov"] else b[i]
            theta[i] -= lr * d
    elif name == "AdaGrad":
        acc = st.setdefault("sum", [o["initialAccumulatorValue"]] * n)
        clr = lr / (1.0 + (t - 1) * o["lrDecay"])
        for i in range(n):
            acc[i] += g[i] * g[i]
            theta[i] -= clr * g[i] / (math.sqrt(acc[i]) + o["epsilon"])
    elif name == "RMSProp":
        a = o["alpha"]
        v = st.setdefault("square_avg", [0.0] * n)
        gbar = st.setdefault("grad_avg", [0.0] * n)
        buf = st.setdefault("momentum_buffer", [0.0] * n)
        for i in range(n):
            v[i] = a * v[i] + (1.0 - a) * g[i] * g[i]
            if o["centered"]:
                gbar[i] = a * gbar[i] + (1.0 - a) * g[i]
                avg = math.sqrt(v[i] - gbar[i] * gbar[i]) + o["epsilon"]
            else:
                avg = math.sqrt(v[i]) + o["epsilon"]
            if o["momentum"] > 0:
                buf[i] = o["momentum"] * buf[i] + g[i] / avg
                theta[i] -= lr * buf[i]
            else:
                theta[i] -= lr * g[i] / avg
    elif name == "AdaDelta":
        rho, eps = o["rho"], o["epsilon"]
        v = st.setdefault("square_avg", [0.0] * n)
        u = st.setdefault("acc_delta", [0.0] * n)
        for i in range(n):
            v[i] = rho * v[i] + (1.0 - rho) * g[i] * g[i]
            delta = math.sqrt(u[i] + eps) / math.sqrt(v[i] + eps) * g[i]
            u[i] = rho * u[i] + (1.0 - rho) * delta * delta
            theta[i] -= lr * delta
    elif name in ("Adam", "AdamW"):
        b1, b2, eps = o["beta1"], o["beta2"], o["epsilon"]
        m = st.setdefault("exp_avg", [0.0] * n)
        v = st.setdefault("exp_avg_sq", [0.0] * n)
        vmax = st.setdefault("max_exp_avg_sq", [0.0] * n)
        bc1 = 1.0 - b1 ** t
        bc2 = 1.0 - b2 ** t
        for i in range(n):
            m[i] = b1 * m[i] + (1.0 - b1) * g[i]
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i]
            if o["amsgrad"]:
                vmax[i] = max(vmax[i], v[i])  # the raw second moment; bias-corrected below
                second = vmax[i]
            else:
                second = v[i]
            denom = math.sqrt(second) / math.sqrt(bc2) + eps
            theta[i] -= (lr / bc1) * m[i] / denom
    elif name == "Adamax":
        b1, b2, eps = o["beta1"], o["beta2"], o["epsilon"]
        m = st.setdefault("exp_avg", [0.0] * n)
        u = st.setdefault("exp_inf", [0.0] * n)
        for i in range(n):
            m[i] = b1 * m[i] + (1.0 - b1) * g[i]
            u[i] = max(b2 * u[i], abs(g[i]) + eps)
            theta[i] -= (lr / (1.0 - b1 ** t)) * m[i] / u[i]
    elif name == "NAdam":
        b1, b2, eps, psi = o["beta1"], o["beta2"], o["epsilon"], o["momentumDecay"]
        m = st.setdefault("exp_avg", [0.0] * n)
        v = st.setdefault("exp_avg_sq", [0.0] * n)
        mu_t = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        st["mu_product"] = st.get("mu_product", 1.0) * mu_t
        prod = st["mu_product"]
        bc2 = 1.0 - b2 ** t
        c_grad = lr * (1.0 - mu_t) / (1.0 - prod)
        c_avg = lr * mu_next / (1.0 - prod * mu_next)
        for i in range(n):
            m[i] = b1 * m[i] + (1.0 - b1) * g[i]
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i]
            denom = math.sqrt(v[i] / bc2) + eps
            theta[i] -= c_grad * g[i] / denom
            theta[i] -= c_avg * m[i] / denom
    elif name == "Rprop":
        # torch's single-tensor Rprop: the step sizes start at the lr of the first step
        prev = st.setdefault("prev", [0.0] * n)
        size = st.setdefault("step_size", [lr] * n)
        for i in range(n):
            p = g[i] * prev[i]
            if p > 0:
                size[i] = min(max(size[i] * o["etaPlus"], o["minStepSize"]), o["maxStepSize"])
            elif p < 0:
                size[i] = min(max(size[i] * o["etaMinus"], o["minStepSize"]), o["maxStepSize"])
                g[i] = 0.0
            else:
                size[i] = min(max(size[i], o["minStepSize"]), o["maxStepSize"])
            theta[i] -= math.copysign(size[i], g[i]) if g[i] != 0 else 0.0
            prev[i] = g[i]
    elif name == "ASGD":
        # torch's single-tensor ASGD: eta and mu are the values formed at the end of the previous step
        eta = st.setdefault("eta", lr)
        mu = st.setdefault("mu", 1.0)
        ax = st.setdefault("ax", [0.0] * n)
        for i in range(n):
            theta[i] = theta[i] * (1.0 - o["lambda"] * eta) - eta * g[i]
            ax[i] = theta[i] if mu == 1 else ax[i] + (theta[i] - ax[i]) * mu
        st["eta"] = lr / math.pow(1.0 + o["lambda"] * lr * t, o["alpha"])
        st["mu"] = 1.0 / max(1.0, t - o["t0"])
    elif name == "RAdam":
        b1, b2, eps = o["beta1"], o["beta2"], o["epsilon"]
        m = st.setdefault("exp_avg", [0.0] * n)
        v = st.setdefault("exp_avg_sq", [0.0] * n)
        bc1 = 1.0 - b1 ** t
        bc2 = 1.0 - b2 ** t
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        rho_t = rho_inf - 2.0 * t * b2 ** t / bc2
        for i in range(n):
            m[i] = b1 * m[i] + (1.0 - b1) * g[i]
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i]
            m_hat = m[i] / bc1
            if rho_t > 5.0:
                rect = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                adaptive = math.sqrt(bc2) / (math.sqrt(v[i]) + eps)
                theta[i] -= m_hat * lr * adaptive * rect
            else:
                theta[i] -= m_hat * lr
    else:
        raise KeyError(name)


def run_reference(name, o, initial, grads, lrs, states=None):
    theta = [list(v) for v in initial]
    states = [dict() for _ in initial] if states is None else states
    states.extend(dict() for _ in range(len(initial) - len(states)))
    after = []
    for t in range(1, STEPS + 1):
        for k in range(len(theta)):
            reference_step(name, o, states[k], theta[k], grads[t - 1][k], lrs[t - 1], t)
        after.append([list(v) for v in theta])
    return after


def max_relative_difference(a, b, floor):
    worst = 0.0
    for step_a, step_b in zip(a, b):
        for pa, pb in zip(step_a, step_b):
            for x, y in zip(pa, pb):
                worst = max(worst, abs(x - y) / max(abs(x), floor))
    return worst


# ----------------------------------------------------------------------------------------------------
# The float32 reference: torch's float32 kernels, operation by operation, on NumPy float32 arrays.
#
# Casting rules (torch's CPU kernels, 1.13 and 2.x): a Python double that a tensor op takes as a scalar
# (alpha=, value=, a multiplier or divisor, eps in add_(eps), a lerp weight) is rounded to float32 first
# (scalar_t(value)); the op then computes in float32 and rounds its result to float32. Scalars formed in Python
# (bias corrections, step sizes, clr, NAdam's coefficients, RAdam's rectification) stay doubles until that
# point. A double divided by a tensor is tensor.reciprocal() * double (torch's Tensor.__rtruediv__). Scalar state
# that torch keeps as a tensor (NAdam's mu_product) is float32.

F32 = np.float32


def f32(x):
    """A Python double used as the scalar of a float32 tensor op: rounded to the nearest float32."""
    return F32(x)


def fma32(a, b, c):
    """a*b + c rounded once to float32 (float32 inputs). a*b is exact in float64; s = a*b + c is rounded once
    to double, and rounding s to float32 is the correctly rounded result unless s lands exactly on a float32
    midpoint while a*b + c does not, which the exact error of the addition (TwoSum) settles."""
    a64, b64, c64 = (np.asarray(x, dtype=F32).astype(np.float64) for x in np.broadcast_arrays(a, b, c))
    p = a64 * b64
    s = p + c64
    bb = s - p
    err = (p - (s - bb)) + (c64 - bb)
    r = s.astype(F32)
    r64 = r.astype(np.float64)
    other = np.nextafter(r, np.where(s > r64, F32(np.inf), F32(-np.inf)))
    midpoint = (r64 + other.astype(np.float64)) / 2
    beyond = (s != r64) & (s == midpoint) & (err != 0) & (np.sign(err) == np.sign(s - r64))
    return np.where(beyond, other, r)


class Arithmetic32:
    """torch's float32 tensor ops in NumPy, in one of two orders of operations and with or without fused
    multiply-adds.

    order "2.x": moving averages with lerp_ (first moments, RMSProp's centred average), NAdam's denominator
    sqrt(v / (1 - beta2^t)), square roots of doubles written x**0.5. order "1.13": mul_().add_(),
    NAdam's foreach denominator sqrt(v) / sqrt(1 - beta2^t), math.sqrt.
    fused: add_(b, alpha), addcmul_ and lerp_ round a*b + c once (as the torch build used here does: GCC
    contracts the kernels' a + alpha*b, self + value*t1*t2 and lerp formulas into FMA instructions);
    otherwise every operation is rounded on its own, as a C# loop computes it (the .NET JIT does not contract).
    """

    def __init__(self, order, fused):
        self.order = order
        self.fused = fused

    def _mul_add(self, a, b, c):
        return fma32(a, b, c) if self.fused else a * b + c

    def add(self, a, b, alpha):
        """a.add(b, alpha=alpha): a + alpha*b."""
        return self._mul_add(f32(alpha), b, a)

    def addcmul(self, s, t1, t2, value):
        """s.addcmul(t1, t2, value=value): s + (value*t1)*t2."""
        return self._mul_add(f32(value) * t1, t2, s)

    @staticmethod
    def addcdiv(s, t1, t2, value):
        """s.addcdiv(t1, t2, value=value): s + (value*t1)/t2 (a division: never fused)."""
        return s + (f32(value) * t1) / t2

    def lerp(self, s, e, w):
        """s.lerp(e, w): s + w*(e - s) when |w| < 0.5, else e - (e - s)*(1 - w), w rounded to float32."""
        w = f32(w)
        if abs(w) < 0.5:
            return self._mul_add(w, e - s, s)
        return self._mul_add(-(e - s), F32(1) - w, e)

    def average(self, avg, x, beta):
        """The moving average beta*avg + (1 - beta)*x: lerp_ in 2.x, mul_(beta).add_(x, alpha=1 - beta) in 1.13."""
        if self.order == "2.x":
            return self.lerp(avg, x, 1 - beta)
        return self.add(avg * f32(beta), x, 1 - beta)

    def root(self, x):
        """The square root of a Python double: x ** 0.5 in 2.x, math.sqrt(x) in 1.13."""
        return x ** 0.5 if self.order == "2.x" else math.sqrt(x)


def reference32_step(name, o, st, theta, grad, lr, t, ar):
    """One float32 step of rule `name`, following torch.optim's single-tensor code (NAdam: see `ar.order`);
    returns the new theta. `st` is this parameter's state, `ar` an Arithmetic32."""
    n = theta.size
    wd = o.get("weightDecay", 0.0)
    eps = o.get("epsilon")
    g = -grad if o["maximize"] else grad
    if name == "AdamW":
        theta = theta * f32(1 - lr * wd)        # param.mul_(1 - lr * weight_decay)
    elif wd != 0:
        g = ar.add(g, theta, wd)                # grad.add(param, alpha=weight_decay)

    if name == "GradientDescent":
        return ar.add(theta, g, -lr)
    if name == "Momentum":
        mu, tau = o["momentum"], o["dampening"]
        if "momentum_buffer" not in st:
            st["momentum_buffer"] = g.copy()
        else:
            st["momentum_buffer"] = ar.add(st["momentum_buffer"] * f32(mu), g, 1 - tau)
        d = ar.add(g, st["momentum_buffer"], mu) if o["nesterov"] else st["momentum_buffer"]
        return ar.add(theta, d, -lr)
    if name == "AdaGrad":
        acc = st.get("sum", np.full(n, f32(o["initialAccumulatorValue"]), dtype=F32))
        clr = lr / (1 + (t - 1) * o["lrDecay"])
        acc = st["sum"] = ar.addcmul(acc, g, g, 1)
        std = np.sqrt(acc) + f32(eps)
        return ar.addcdiv(theta, g, std, -clr)
    if name == "RMSProp":
        a = o["alpha"]
        v = st["square_avg"] = ar.addcmul(st.get("square_avg", np.zeros(n, F32)) * f32(a), g, g, 1 - a)
        if o["centered"]:
            gbar = st["grad_avg"] = ar.average(st.get("grad_avg", np.zeros(n, F32)), g, a)
            avg = np.sqrt(ar.addcmul(v, gbar, gbar, -1))
        else:
            avg = np.sqrt(v)
        avg = avg + f32(eps)
        if o["momentum"] > 0:
            buf = st["momentum_buffer"] = ar.addcdiv(st.get("momentum_buffer", np.zeros(n, F32)) * f32(o["momentum"]), g, avg, 1)
            return ar.add(theta, buf, -lr)
        return ar.addcdiv(theta, g, avg, -lr)
    if name == "AdaDelta":
        rho = o["rho"]
        v = st["square_avg"] = ar.addcmul(st.get("square_avg", np.zeros(n, F32)) * f32(rho), g, g, 1 - rho)
        u = st.get("acc_delta", np.zeros(n, F32))
        std = np.sqrt(v + f32(eps))
        delta = np.sqrt(u + f32(eps)) / std * g
        st["acc_delta"] = ar.addcmul(u * f32(rho), delta, delta, 1 - rho)
        return ar.add(theta, delta, -lr)

    if name == "Rprop":
        prev = st.get("prev", np.zeros(n, F32))
        size = st.get("step_size", np.full(n, f32(lr), dtype=F32))
        p = g * prev
        factor = np.where(p > 0, f32(o["etaPlus"]), np.where(p < 0, f32(o["etaMinus"]), F32(1)))
        size = st["step_size"] = np.minimum(np.maximum(size * factor, f32(o["minStepSize"])), f32(o["maxStepSize"]))
        g = st["prev"] = np.where(p < 0, F32(0), g)
        return ar.addcmul(theta, np.sign(g), size, -1)     # param.addcmul_(grad.sign(), step_size, value=-1)
    if name == "ASGD":
        eta = st.get("eta", f32(lr))                          # float32 tensors in torch, read with .item()
        mu = st.get("mu", F32(1))
        theta = theta * f32(1 - o["lambda"] * float(eta))    # param.mul_(1 - lambd * eta.item())
        theta = ar.add(theta, g, -float(eta))                # param.add_(grad, alpha=-eta.item())
        st["ax"] = st.get("ax", np.zeros(n, F32)) + (theta - st.get("ax", np.zeros(n, F32))) * mu if mu != 1 else theta.copy()
        st["eta"] = f32(lr / math.pow(1 + o["lambda"] * lr * t, o["alpha"]))
        st["mu"] = f32(1 / max(1, t - o["t0"]))
        return theta

    b1, b2 = o["beta1"], o["beta2"]
    m = st["exp_avg"] = ar.average(st.get("exp_avg", np.zeros(n, F32)), g, b1)
    if name == "Adamax":
        u = st["exp_inf"] = np.maximum(st.get("exp_inf", np.zeros(n, F32)) * f32(b2), np.abs(g) + f32(eps))
        clr = lr / (1 - b1 ** t)
        return ar.addcdiv(theta, m, u, -clr)

    v = st["exp_avg_sq"] = ar.addcmul(st.get("exp_avg_sq", np.zeros(n, F32)) * f32(b2), g, g, 1 - b2)
    bc1 = 1 - b1 ** t
    bc2 = 1 - b2 ** t
    if name in ("Adam", "AdamW"):
        step_size = lr / bc1
        second = v
        if o["amsgrad"]:
            second = st["max_exp_avg_sq"] = np.maximum(st.get("max_exp_avg_sq", np.zeros(n, F32)), v)
        denom = np.sqrt(second) / f32(ar.root(bc2)) + f32(eps)
        return ar.addcdiv(theta, m, denom, -step_size)
    if name == "NAdam":
        psi = o["momentumDecay"]
        mu = b1 * (1. - 0.5 * (0.96 ** (t * psi)))
        mu_next = b1 * (1. - 0.5 * (0.96 ** ((t + 1) * psi)))
        prod = st["mu_product"] = st.get("mu_product", F32(1)) * f32(mu)   # a float32 tensor in torch
        if ar.order == "2.x":
            denom = np.sqrt(v / f32(bc2)) + f32(eps)
            mu_product_next = float(prod) * mu_next
            c_grad = -lr * (1. - mu) / (1. - float(prod))
            c_avg = (-lr * mu_next) / (1. - mu_product_next)
        else:
            denom = np.sqrt(v) / f32(math.sqrt(bc2)) + f32(eps)
            c_grad = (lr * (1. - mu) / (1. - float(prod))) * -1
            c_avg = (lr * mu_next / (1. - float(prod) * mu_next)) * -1
        theta = ar.addcdiv(theta, g, denom, c_grad)
        return ar.addcdiv(theta, m, denom, c_avg)
    if name == "RAdam":
        m_hat = m / f32(bc1)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * (b2 ** t) / bc2
        if rho_t > 5.:
            rect = ar.root((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = (F32(1) / (np.sqrt(v) + f32(eps))) * f32(ar.root(bc2))   # double / tensor
            return ar.add(theta, m_hat * f32(lr) * adaptive * f32(rect), -1.0)
        return ar.add(theta, m_hat * f32(lr), -1.0)
    raise KeyError(name)


def run_reference32(name, o, initial, grads, lrs, ar, states=None):
    theta = [np.array(v, dtype=F32) for v in initial]
    states = [dict() for _ in initial] if states is None else states
    states.extend(dict() for _ in range(len(initial) - len(states)))
    after = []
    for t in range(1, STEPS + 1):
        for k in range(len(theta)):
            theta[k] = reference32_step(name, o, states[k], theta[k], np.array(grads[t - 1][k], dtype=F32),
                                        lrs[t - 1], float(t), ar)
        after.append([[float(x) for x in v] for v in theta])
    return after


# The reference itself, and three variants printed beside it (see Arithmetic32).
REFERENCE_32 = Arithmetic32("2.x", fused=False)
VARIANTS_32 = {
    "2.x+fma": Arithmetic32("2.x", fused=True),
    "1.13": Arithmetic32("1.13", fused=False),
    "1.13+fma": Arithmetic32("1.13", fused=True),
}


def flat(trace):
    return np.array([x for after in trace for p in after for x in p], dtype=np.float64)


def ulps32(a, b):
    """How many float32 values lie from a to b, element by element (0 when equal)."""
    def ordered(x):
        i = np.asarray(x, dtype=F32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    return np.abs(ordered(a) - ordered(b))


def scaled_difference(a, b):
    """max |a - b| relative to the largest magnitude of a over the whole trace (a: torch)."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(a)))


# ----------------------------------------------------------------------------------------------------

def torch_call(name, o):
    """The torch call as text, for the reader of a fixture."""
    cls, kwargs = torch_spec(name, o)
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    text = f"torch {torch.__version__}: torch.optim.{cls.__name__}(params, {args})"
    if name in NEGATE_FOR_MAXIMIZE and o["maximize"]:
        text += "; maximize=True (2.x) reproduced by feeding -g, since 1.13 lacks the argument"
    return text


def write_fixture(path, header, steps):
    """JSON with one step per line. json writes floats with repr(), the shortest text that reads back
    to the same double, so no precision is lost."""
    compact = dict(separators=(",", ":"))
    lines = ["{"]
    for key, value in header.items():
        lines.append(f"  {json.dumps(key)}:{json.dumps(value, **compact)},")
    lines.append('  "steps":[')
    lines.extend("    " + json.dumps(step, **compact) + ("," if i + 1 < len(steps) else "")
                 for i, step in enumerate(steps))
    lines.append("  ]")
    lines.append("}")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    with open(path, encoding="utf-8") as f:
        back = json.load(f)
    if back["steps"] != steps or back["parameters"] != header["parameters"]:
        raise RuntimeError(f"{path}: does not read back to the same numbers")


def numbers(value):
    """Every float in a JSON value."""
    if isinstance(value, float):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from numbers(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers(item)


def sub_half_ulp_facts(name, o, initial, grads, lrs, expected):
    """Checks, for a float32 sub-half-ulp case, that every step is smaller than half an ulp of theta and that
    torch's float32 parameters therefore never change, while the float64 trajectory of the same inputs, rounded
    to float32 at the end, has moved every element. Returns the measured facts for the fixture."""
    theta0 = np.array([x for v in initial for x in v], dtype=F32)
    if not (flat(expected).reshape(STEPS, -1) == theta0).all():
        raise RuntimeError(f"{name}.sub-half-ulp: a float32 parameter changed")
    trajectory = run_torch(name, o, initial, grads, lrs, torch.float64)
    diff = max_relative_difference(trajectory, run_reference(name, o, initial, grads, lrs), CROSS_CHECK_FLOOR)
    if diff > CROSS_CHECK_TOLERANCE:
        raise RuntimeError(f"{name}.sub-half-ulp: float64 torch and the float64 reference differ by {diff:.3e}")
    path = np.vstack([theta0.astype(np.float64), flat(trajectory).reshape(STEPS, -1)])
    largest_step = float(np.max(np.abs(np.diff(path, axis=0))))
    below = theta0.astype(np.float64) - np.nextafter(theta0, F32(-np.inf))
    above = np.nextafter(theta0, F32(np.inf)) - theta0.astype(np.float64)
    half_ulp = float(np.min(np.minimum(below, above))) / 2
    if not largest_step < half_ulp:
        raise RuntimeError(f"{name}.sub-half-ulp: a step of {largest_step:.3e} is not below half an ulp ({half_ulp:.3e})")
    moved = ulps32(path[-1].astype(F32), theta0)
    if moved.min() < 1:
        raise RuntimeError(f"{name}.sub-half-ulp: the float64 trajectory rounded at the end leaves an element unchanged")
    return {
        "halfUlpOfTheta": half_ulp,
        "largestStepInFloat64": largest_step,
        "float32ParametersNeverChange": True,
        "float64RoundedAtTheEndMovesUlps": [int(moved.min()), int(moved.max())],
    }


# ----------------------------------------------------------------------------------------------------
# The two precisions: the folder, the dtype torch runs in, the rounding of the inputs, the cases, and the
# independent check, which returns the fixture entries that record it.

class Float64:
    dtype = torch.float64
    folder = os.path.join(HERE, "Fixtures")
    cases = CASES
    header = {}

    @staticmethod
    def inputs(initial, grads):
        return initial, grads

    @staticmethod
    def source(name, o):
        return torch_call(name, o)

    @staticmethod
    def check(name, case, o, scales, initial, grads, lrs, expected):
        reference = run_reference(name, o, initial, grads, lrs)
        diff = max_relative_difference(expected, reference, CROSS_CHECK_FLOOR)
        if diff > CROSS_CHECK_TOLERANCE:
            raise RuntimeError(f"{name}.{case}: torch and the reference differ by {diff:.3e} (relative)")
        print(f"{name:16} {case:32} torch vs reference: {diff:.2e}")
        return {"referenceMaxRelativeDifference": diff}

    @staticmethod
    def summary():
        pass


class Float32:
    dtype = torch.float32
    folder = os.path.join(HERE, "Fixtures32")
    cases = CASES + SUB_HALF_ULP_CASES
    header = {
        "dtype": "float32",
        "inputs": "initial values and gradients drawn in float64 from the generator seeded by the case name "
                  "(the draws of the float64 fixture of the same name), then rounded to float32; "
                  "learning rates are doubles",
    }

    def __init__(self):
        self.rows = []

    @staticmethod
    def inputs(initial, grads):
        def rounded(values):
            return [float(F32(x)) for x in values]
        return [rounded(v) for v in initial], [[rounded(g) for g in step] for step in grads]

    @staticmethod
    def source(name, o):
        return torch_call(name, o) + "; float32 parameters and gradients, torch.set_default_dtype(torch.float32)"

    def check(self, name, case, o, scales, initial, grads, lrs, expected):
        t = flat(expected)
        reference = flat(run_reference32(name, o, initial, grads, lrs, REFERENCE_32))
        scaled, ulps = scaled_difference(t, reference), int(ulps32(t, reference).max())
        variants = {}
        for label, ar in VARIANTS_32.items():
            r = flat(run_reference32(name, o, initial, grads, lrs, ar))
            variants[label] = (scaled_difference(t, r), int(ulps32(t, r).max()))
        if variants["1.13+fma"][1] != 0:
            raise RuntimeError(
                f"{name}.{case}: the 1.13-order model with fused multiply-adds is {variants['1.13+fma'][1]} ulps from "
                "torch; the casting rules the float32 reference is built on do not describe this torch build")
        if scaled > CROSS_CHECK_TOLERANCE_32:
            raise RuntimeError(f"{name}.{case}: torch and the float32 reference differ by {scaled:.3e} (scaled)")
        entries = {"referenceMaxScaledDifference": scaled, "referenceMaxUlps": ulps}
        halved = None
        if "epsilon" in o:
            r = flat(run_reference32(name, dict(o, epsilon=o["epsilon"] / 2), initial, grads, lrs, REFERENCE_32))
            halved = entries["epsilonHalvedScaledDifference"] = scaled_difference(reference, r)
        if scales == "steady":
            entries["subHalfUlp"] = sub_half_ulp_facts(name, o, initial, grads, lrs, expected)
        largest = float(np.max(np.abs(t)))
        at_largest = float(np.max(np.abs(t - reference))) / float(np.spacing(F32(largest)))
        self.rows.append((name, case, scaled, at_largest, ulps, variants, halved))
        return entries

    def summary(self):
        print()
        print("float32: torch 1.13 against the float32 reference (2.x order, every operation rounded on its own),")
        print("and against three variants of it. scaled: max |torch - reference| / max |torch| over the trace;")
        print("at max: the same difference in ulps of the largest |value|; ulps: max ulps between the two, element by element.")
        print(f"{'':45} {'reference':^23} | {'max ulps of the variants':^24} | {'worst':>8} | eps/2")
        print(f"{'optimizer':16} {'case':28} {'scaled':>9} {'at max':>7} {'ulps':>5} | "
              f"{'2.x+fma':>7} {'1.13':>6} {'1.13+fma':>9} | {'scaled':>8} | moves")
        for name, case, scaled, at_largest, ulps, v, halved in self.rows:
            eps = f"{halved:.1e}" if halved is not None else "-"
            worst = max([scaled] + [d for d, u in v.values()])
            print(f"{name:16} {case:28} {scaled:9.2e} {at_largest:7.1f} {ulps:5d} | "
                  f"{v['2.x+fma'][1]:7d} {v['1.13'][1]:6d} {v['1.13+fma'][1]:9d} | {worst:8.2e} | {eps}")
        print()
        print("worst per rule (reference): scaled difference, ulps of the largest value, max ulps")
        for name in DEFAULTS:
            rows = [r for r in self.rows if r[0] == name]
            print(f"{name:16} {max(r[2] for r in rows):9.2e} {max(r[3] for r in rows):5.1f} {max(r[4] for r in rows):5d}")


def full_options(name, case, options):
    """The options torch receives: the C# defaults, overridden by the case's options."""
    unknown = set(options) - set(DEFAULTS[name]) - {"learningRate"}
    if unknown:
        raise KeyError(f"{name}.{case}: unknown options {sorted(unknown)}")
    full = dict(DEFAULTS[name])
    full.update(options)
    return full


def check_coverage():
    """Every option of every signature is exercised with a non-default value somewhere."""
    covered = {name: set() for name in DEFAULTS}
    for name, case, options, schedule, scales in CASES:
        covered[name].update(k for k, v in options.items() if k == "learningRate" or v != DEFAULTS[name].get(k))
    missing = {name: sorted(set(DEFAULTS[name]) - covered[name] - {"learningRate"}) for name in DEFAULTS}
    missing = {k: v for k, v in missing.items() if v}
    if missing:
        raise RuntimeError(f"options never exercised: {missing}")


def check_averages(name, case, o, initial, grads, lrs, averages, dtype):
    """ASGD: torch's final state['ax'] against the reference's (float64: relative per element; float32: relative to
    the largest |ax|). Returns the difference, recorded in the fixture as "finalAveragesReferenceDifference"."""
    states = []
    if dtype == torch.float64:
        run_reference(name, o, initial, grads, lrs, states)
        diff = max_relative_difference([averages], [[st["ax"] for st in states]], CROSS_CHECK_FLOOR)
        limit = CROSS_CHECK_TOLERANCE
    else:
        run_reference32(name, o, initial, grads, lrs, REFERENCE_32, states)
        t = np.array([x for v in averages for x in v])
        diff = scaled_difference(t, np.array([float(x) for st in states for x in st["ax"]]))
        limit = CROSS_CHECK_TOLERANCE_32
    if diff > limit:
        raise RuntimeError(f"{name}.{case}: torch's averages and the reference's differ by {diff:.3e}")
    print(f"{name:16} {case:32} averages, torch vs reference: {diff:.2e}")
    return diff


def generate(precision):
    os.makedirs(precision.folder, exist_ok=True)
    for old in os.listdir(precision.folder):
        if old.endswith(".json"):
            os.remove(os.path.join(precision.folder, old))

    for name, case, options, schedule, scales in precision.cases:
        seed = zlib.crc32(f"{name}.{case}".encode("ascii"))
        full = full_options(name, case, options)
        base = full["learningRate"]
        lrs = [base * SCHEDULES[schedule](t) for t in range(1, STEPS + 1)]
        initial, grads = precision.inputs(*make_inputs(seed, scales))

        averages = [] if name == "ASGD" else None
        expected = run_torch(name, full, initial, grads, lrs, precision.dtype, averages)
        values = [x for after in expected for p in after for x in p]
        if not all(math.isfinite(x) for x in values):
            raise RuntimeError(f"{name}.{case}: a value is not finite")
        if min(abs(x) for x in values) < MIN_MAGNITUDE:
            raise RuntimeError(f"{name}.{case}: a value comes within {MIN_MAGNITUDE} of zero; lower the rate")
        checks = precision.check(name, case, full, scales, initial, grads, lrs, expected)
        if averages is not None:
            checks = dict(checks, finalAverages=averages,
                          finalAveragesReferenceDifference=check_averages(name, case, full, initial, grads, lrs,
                                                                          averages, precision.dtype))

        header = {
            "optimizer": name,
            "case": case,
            **precision.header,
            "source": precision.source(name, full),
            "schedule": schedule,
            "gradientScales": describe_scales(scales),
            "options": options,
            **checks,
            "parameters": [{"name": NAMES[k], "initial": initial[k]} for k in range(len(SIZES))],
        }
        steps = [{"learningRate": lrs[t], "gradients": grads[t], "expected": expected[t]} for t in range(STEPS)]
        path = os.path.join(precision.folder, f"{name}.{case}.json")
        write_fixture(path, header, steps)
        if precision.dtype == torch.float32:
            data = [header["parameters"], [(s["gradients"], s["expected"]) for s in steps]]
            if any(float(F32(x)) != x for x in numbers(json.loads(json.dumps(data)))):
                raise RuntimeError(f"{path}: a value is not a float32")
    precision.summary()


def main():
    check_coverage()
    generate(Float64)
    generate(Float32())


if __name__ == "__main__":
    sys.exit(main())
