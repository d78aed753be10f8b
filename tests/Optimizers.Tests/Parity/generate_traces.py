#!/usr/bin/python3
"""Writes the parity-trace fixtures that ParityTests.cs replays step by step.

Run from anywhere with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tests/Optimizers.Tests/Parity/generate_traces.py

Every case feeds the same gradients to torch.optim and records, per step, the learning rate, the
gradients and the parameter values after the step. Output: one JSON file per case in Fixtures/,
named "<Optimizer>.<case>.json". The output is deterministic (seeded generators, fixed case list),
so re-running the script reproduces the committed files byte for byte.

Conventions (see README.md beside this script):
  * float64 throughout: torch's default dtype is set to float64 so that the per-parameter scalar state
    torch 1.13 creates with torch.tensor(...) (NAdam's mu_product, the step counters) is float64 too.
    With the float32 default, NAdam's mu_product would be rounded to single precision every step.
  * "options" holds the arguments the C# constructor receives, under the C# parameter names; an absent
    option means "use the C# default", which must equal the torch default used here (DEFAULTS below).
  * The gradients are written into param.grad directly; there is no loss function.
  * The learning rate of step t is written into param_group['lr'] before step t.

Where torch 1.13 differs from the current (2.x) torch.optim code, the case is generated through a
1.13 path whose arithmetic is the 2.x one:
  * NAdam: 1.13's default (single-tensor) path multiplies mu_t into mu_product_next twice (fixed in 2.0);
    its foreach=True path computes mu_product * mu_next like 2.x, so NAdam runs with foreach=True.
  * RAdam: 1.13's foreach path leaves eps out of the adaptive term; its single-tensor path has
    sqrt(1 - beta2^t) / (sqrt(v) + eps) like 2.x, so RAdam runs with foreach=False.
  * NAdam and RAdam have no `maximize` in 1.13. In 2.x, maximize negates the gradient before anything
    else (weight decay is added afterwards), which is exactly what feeding -g to maximize=False does.
    So for maximize=True those two are fed -g (negation is exact) while the fixture records g.
  * Adamax, AdaGrad (lr decay by step count, initial accumulator), AdamW with amsgrad, Adam, RMSProp,
    AdaDelta and SGD: 1.13's single-tensor path has the same arithmetic as 2.x (2.x writes some moving
    averages with lerp_, which differs in rounding only), so they run with foreach=False. In particular
    Adamax's norm is u = max(beta2 * u, |g| + eps) in both (eps inside the maximum), and AMSGrad keeps the
    maximum of the raw second moment and bias-corrects it afterwards in both Adam and AdamW.

Magnitudes: the replay compares with a relative tolerance, so every expected value must stay away from
zero (MIN_MAGNITUDE); GradientDescent and Momentum, whose steps scale with the gradient, therefore use
small learning rates. The "tiny" gradient cases keep gradients near the default epsilons so that the
place where epsilon enters shows in the trace (changing epsilon by half moves those traces by 1e-10
to 1e-2 relative, far beyond the 1e-12 tolerance).

Independent check: every case is also computed by a small float64 reference written here from the 2.x
update rules (plain Python floats, element by element). The script refuses to write a fixture unless
torch and the reference agree within CROSS_CHECK_TOLERANCE at every step; the worst disagreement per
case is stored in the fixture ("referenceMaxRelativeDifference") and printed.
"""

import json
import math
import os
import sys
import zlib

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "Fixtures")

STEPS = 64
SIZES = (7, 13)
NAMES = ("w", "b")

# |torch - reference| <= CROSS_CHECK_TOLERANCE * max(|torch|, CROSS_CHECK_FLOOR) at every value and step.
CROSS_CHECK_TOLERANCE = 1e-13
CROSS_CHECK_FLOOR = 1e-300

# Every expected value stays at least this far from zero. The replay compares with a relative tolerance;
# near zero, the absolute rounding error carried from earlier, larger values would dominate it.
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
SCALES = {"wide": (-4, 3), "tiny": (-10, -5)}

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
]


# ----------------------------------------------------------------------------------------------------
# Inputs: initial values and gradients from a generator seeded by the case's name (CRC-32 of
# "<Optimizer>.<case>"), so adding or reordering cases leaves the other fixtures unchanged.

def make_inputs(seed, scales):
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
    raise KeyError(name)


# Optimizers whose 1.13 class has no maximize argument: fed -g instead (2.x negates g first, then decays).
NEGATE_FOR_MAXIMIZE = {"NAdam", "RAdam"}


def run_torch(name, o, initial, grads, lrs):
    params = [torch.tensor(v, dtype=torch.float64) for v in initial]
    cls, kwargs = torch_spec(name, o)
    opt = cls(params, **kwargs)
    sign = -1.0 if (name in NEGATE_FOR_MAXIMIZE and o["maximize"]) else 1.0
    after = []
    with torch.no_grad():
        for t in range(STEPS):
            for group in opt.param_groups:
                group["lr"] = lrs[t]
            for p, g in zip(params, grads[t]):
                p.grad = torch.tensor(g, dtype=torch.float64) * sign
            opt.step()
            after.append([[float(x) for x in p.tolist()] for p in params])
    for state in opt.state.values():
        for key, value in state.items():
            if torch.is_tensor(value) and value.is_floating_point() and value.dtype != torch.float64:
                raise RuntimeError(f"{name}: state '{key}' is {value.dtype}, not float64")
    return after


# ----------------------------------------------------------------------------------------------------
# The float64 reference: the 2.x update rules, element by element on Python floats.

def reference_step(name, o, st, theta, grad, lr, t):
    """One step of rule `name` on the list `theta` (updated in place); `st` is this parameter's state."""
    n = len(theta)
    s = -1.0 if o["maximize"] else 1.0
    wd = o["weightDecay"]
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


def run_reference(name, o, initial, grads, lrs):
    theta = [list(v) for v in initial]
    states = [dict() for _ in initial]
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


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".json"):
            os.remove(os.path.join(OUT, old))

    covered = {name: set() for name in DEFAULTS}
    for name, case, options, schedule, scales in CASES:
        seed = zlib.crc32(f"{name}.{case}".encode("ascii"))
        unknown = set(options) - set(DEFAULTS[name]) - {"learningRate"}
        if unknown:
            raise KeyError(f"{name}.{case}: unknown options {sorted(unknown)}")
        full = dict(DEFAULTS[name])
        full.update(options)
        covered[name].update(k for k, v in options.items() if k == "learningRate" or v != DEFAULTS[name].get(k))

        base = full["learningRate"]
        lrs = [base * SCHEDULES[schedule](t) for t in range(1, STEPS + 1)]
        initial, grads = make_inputs(seed, scales)

        expected = run_torch(name, full, initial, grads, lrs)
        reference = run_reference(name, full, initial, grads, lrs)
        values = [x for after in expected for p in after for x in p]
        if not all(math.isfinite(x) for x in values):
            raise RuntimeError(f"{name}.{case}: a value is not finite")
        if min(abs(x) for x in values) < MIN_MAGNITUDE:
            raise RuntimeError(f"{name}.{case}: a value comes within {MIN_MAGNITUDE} of zero; lower the rate")
        diff = max_relative_difference(expected, reference, CROSS_CHECK_FLOOR)
        if diff > CROSS_CHECK_TOLERANCE:
            raise RuntimeError(f"{name}.{case}: torch and the reference differ by {diff:.3e} (relative)")

        header = {
            "optimizer": name,
            "case": case,
            "source": torch_call(name, full),
            "schedule": schedule,
            "gradientScales": "10^k, k drawn per step from [%d, %d]" % SCALES[scales],
            "options": options,
            "referenceMaxRelativeDifference": diff,
            "parameters": [{"name": NAMES[k], "initial": initial[k]} for k in range(len(SIZES))],
        }
        steps = [{"learningRate": lrs[t], "gradients": grads[t], "expected": expected[t]} for t in range(STEPS)]
        write_fixture(os.path.join(OUT, f"{name}.{case}.json"), header, steps)
        print(f"{name:16} {case:32} torch vs reference: {diff:.2e}")

    # every option of every signature is exercised with a non-default value somewhere
    missing = {name: sorted(set(DEFAULTS[name]) - covered[name] - {"learningRate"})
               for name in DEFAULTS}
    missing = {k: v for k, v in missing.items() if v}
    if missing:
        raise RuntimeError(f"options never exercised: {missing}")


if __name__ == "__main__":
    sys.exit(main())
