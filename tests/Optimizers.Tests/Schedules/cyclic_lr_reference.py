"""NumPy references for CyclicLR's momentum cycling of Adam's beta1, which torch 1.13 lacks (its CyclicLR cycles only
`momentum` and refuses an optimizer without it).

transcribed_cyclic_lr: a transcription of torch 2.x's CyclicLR (its constructor's use_beta1 / max_momentum set-up and
get_lr), read in torch/optim/lr_scheduler.py of cyyever/pytorch, a mirror of pytorch/pytorch, at commit
0011014f6f68f6fbcab776ee96d38e79d4086fae (class CyclicLR). Same operations in the same order, in Python doubles.

paper_cyclic_lr: a second, independent implementation from the paper's formula (L. N. Smith, "Cyclical Learning Rates
for Training Neural Networks", 2017, section 3.1 / the reference Keras code: cycle = floor(1 + t / (2·step)),
x = |t / step − 2·cycle + 1|, lr = base + (max − base)·max(0, 1 − x)·scale), generalised to unequal up/down steps.
It uses other operations, so the two agree to rounding, not bit for bit; check_references asserts < 1e-12 relative.
"""

import math

import numpy as np


def transcribed_cyclic_lr(base_lr, max_lr, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode,
                          base_momentum, max_momentum, steps):
    """(lrs, beta1s) at epochs 0 … steps of torch 2.x's CyclicLR on an optimizer with `betas` (one group)."""
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total_size = up + down
    step_ratio = up / total_size
    if scale_fn is None:
        if mode == "triangular":
            scale_fn, scale_mode = (lambda x: 1.0), "cycle"
        elif mode == "triangular2":
            scale_fn, scale_mode = (lambda x: 1 / (2.0 ** (x - 1))), "cycle"
        else:
            scale_fn, scale_mode = (lambda x: gamma ** x), "iterations"
    lrs, betas = [], []
    for last_epoch in range(steps + 1):
        cycle = math.floor(1 + last_epoch / total_size)
        x = 1.0 + last_epoch / total_size - cycle
        if x <= step_ratio:
            scale_factor = x / step_ratio
        else:
            scale_factor = (x - 1) / (step_ratio - 1)
        base_height = (max_lr - base_lr) * scale_factor
        arg = cycle if scale_mode == "cycle" else last_epoch
        lrs.append(base_lr + base_height * scale_fn(arg))
        base_height = (max_momentum - base_momentum) * scale_factor
        betas.append(max_momentum - base_height * scale_fn(arg))
    return lrs, betas


def paper_cyclic_lr(base_lr, max_lr, step_size_up, step_size_down, scale, by_cycle, base_momentum, max_momentum, steps):
    """The same quantities from the triangle's geometry: position within the cycle, then a rising or falling line."""
    down = step_size_down if step_size_down is not None else step_size_up
    period = step_size_up + down
    t = np.arange(steps + 1, dtype=np.float64)
    cycle = np.floor(t / period) + 1
    within = t - (cycle - 1) * period
    height = np.where(within <= step_size_up, within / step_size_up, 1.0 - (within - step_size_up) / down)
    s = np.array([scale(c if by_cycle else k) for c, k in zip(cycle, t)], dtype=np.float64)
    lrs = base_lr + (max_lr - base_lr) * height * s
    betas = max_momentum - (max_momentum - base_momentum) * height * s
    return lrs.tolist(), betas.tolist()


def check_references(cases):
    """Both implementations on every case; returns the worst relative difference (asserted < 1e-12)."""
    worst = 0.0
    for c in cases:
        a = transcribed_cyclic_lr(c["base_lr"], c["max_lr"], c["step_size_up"], c["step_size_down"], c["mode"],
                                  c["gamma"], None, "cycle", c["base_momentum"], c["max_momentum"], c["steps"])
        if c["mode"] == "triangular":
            scale, by_cycle = (lambda x: 1.0), True
        elif c["mode"] == "triangular2":
            scale, by_cycle = (lambda x: 0.5 ** (x - 1)), True
        else:
            g = c["gamma"]
            scale, by_cycle = (lambda x: math.exp(x * math.log(g))), False
        b = paper_cyclic_lr(c["base_lr"], c["max_lr"], c["step_size_up"], c["step_size_down"], scale, by_cycle,
                            c["base_momentum"], c["max_momentum"], c["steps"])
        for xs, ys in zip(a, b):
            for x, y in zip(xs, ys):
                if x != y:
                    worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
    assert worst < 1e-12, worst
    return worst
