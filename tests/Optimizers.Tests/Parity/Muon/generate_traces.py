#!/usr/bin/python3
"""Traces for Muon, from a NumPy transcription of torch.optim.Muon (PyTorch 2.9).

torch 1.13 (the installed PyTorch) has no Muon, so its current code is transcribed here, operation by operation, from
(read, not copied into the library):

  pytorch/pytorch, torch/optim/_muon.py, commit 098e03f91de9384cc3afdf5c8b9a6bbc442bd66a
  (_single_tensor_muon, _zeropower_via_newtonschulz with use_addmm=False, _adjust_lr)

One departure, asked for by the issue: torch runs the Newton-Schulz iteration in bfloat16 (grad.bfloat16()); the
transcription runs it in the trace's dtype (float64 or float32), which is what the library does.

Each transcription runs in the precision of the trace: every array op in that dtype, every Python scalar rounded to
the dtype where torch passes it to a tensor op (lerp weights, the multiplier 1 - lr*wd, alpha=-adjusted_lr, the
coefficients a, b, c, the clamp bound eps); ATen's lerp formula with its two branches.

A second implementation, written independently from the algorithm's equations (plain Python floats, lists of rows,
moving averages written as mu*B + (1-mu)*g, the Frobenius norm with math.fsum, and for a tall matrix the
right-handed iteration X <- aX + X(bM + cM^2) with M = X^T X instead of a transpose), recomputes every float64 trace;
the script writes nothing unless the two agree within 1e-12 relative at every value.

Fixture layout: as ../README.md, plus "shape": [rows, columns] per parameter; every array of a rank-2 parameter
(initial, gradients, expected) is in column-major order, element (i, j) at i + j*rows, the library's memory order.

Run: /usr/bin/python3 tests/Optimizers.Tests/Parity/Muon/generate_traces.py (NumPy only; deterministic).
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 64
SOURCE = "pytorch/pytorch torch/optim/_muon.py @ 098e03f91de9384cc3afdf5c8b9a6bbc442bd66a (Newton-Schulz in the trace's dtype, not bfloat16)"
DEFAULTS = dict(learningRate=1e-3, weightDecay=0.1, momentum=0.95, nesterov=True, nsA=3.4445, nsB=-4.7750, nsC=2.0315,
                epsilon=1e-7, nsSteps=5, adjustLearningRate=0)   # 0 = Original ("original"), 1 = MatchRmsAdamW
ADJUST = {0: "original", 1: "match_rms_adamw"}


# ---------------------------------------------------------------- transcription (NumPy, in the trace's dtype)

def torch_lerp(start, end, weight, s):
    """ATen's lerp with a scalar weight, in the dtype (weight already rounded to it)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (s(1) - weight)


def zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps, s):
    """_zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps, use_addmm=False), in grad's dtype."""
    assert ns_steps < 100 and grad.ndim == 2 and len(ns_coefficients) == 3
    a, b, c = ns_coefficients
    ortho_grad = grad.copy()                                            # grad.bfloat16(): here the trace's dtype
    if grad.shape[0] > grad.shape[1]:
        ortho_grad = ortho_grad.T
    ortho_grad = ortho_grad / np.maximum(np.linalg.norm(ortho_grad), s(eps))   # div_(norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = s(b) * gram_matrix + s(c) * (gram_matrix @ gram_matrix)
        ortho_grad = s(a) * ortho_grad + gram_update @ ortho_grad
    if grad.shape[0] > grad.shape[1]:
        ortho_grad = ortho_grad.T
    return ortho_grad


def adjust_lr(lr, adjust_lr_fn, param_shape):
    """_adjust_lr."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        adjusted_ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        adjusted_ratio = 0.2 * math.sqrt(max(A, B))
    else:
        adjusted_ratio = 1.0
    return lr * adjusted_ratio


class MuonReference:
    """_single_tensor_muon over one parameter list (matrices in logical [rows, columns] shape)."""

    def __init__(self, params, o, s):
        self.o, self.s = o, s
        self.bufs = [np.zeros_like(p) for p in params]                   # state["momentum_buffer"] = zeros_like(grad)

    def step(self, params, grads, lr):
        s, o = self.s, self.o
        momentum, wd = o["momentum"], o["weightDecay"]
        for param, grad, buf in zip(params, grads, self.bufs):
            buf[...] = torch_lerp(buf, grad, s(1 - momentum), s)        # buf.lerp_(grad, 1 - momentum)
            update = torch_lerp(grad, buf, s(momentum), s) if o["nesterov"] else buf
            update = zeropower_via_newtonschulz(update, (o["nsA"], o["nsB"], o["nsC"]), o["nsSteps"], o["epsilon"], s)
            adjusted_lr = adjust_lr(lr, ADJUST[o["adjustLearningRate"]], param.shape)
            param *= s(1 - lr * wd)                                      # param.mul_(1 - lr * weight_decay)
            param += s(-adjusted_lr) * update                            # param.add_(update, alpha=-adjusted_lr)
            assert param.dtype == buf.dtype == update.dtype


# ---------------------------------------------------------------- independent implementation (float64, Python floats)

def mat_mul(x, y):
    return [[math.fsum(x[i][k] * y[k][j] for k in range(len(y))) for j in range(len(y[0]))] for i in range(len(x))]


def transpose(x):
    return [list(r) for r in zip(*x)]


def independent(o, shapes, initial, grads_per_step, lrs):
    """From the equations: B = mu B + (1 - mu) g; U = (1 - mu) g + mu B or B; O = NS(U / max(|U|_F, eps));
    theta = theta (1 - lr wd) - lr' O. Tall matrices iterate on the right (M = X^T X), never transposed."""
    mu, a, b, c = o["momentum"], o["nsA"], o["nsB"], o["nsC"]
    theta = [[[p[i + j * r] for j in range(cc)] for i in range(r)] for p, (r, cc) in zip(initial, shapes)]
    buf = [[[0.0] * cc for _ in range(r)] for (r, cc) in shapes]
    out = []
    for t, lr in enumerate(lrs):
        for k, (r, cc) in enumerate(shapes):
            g = [[grads_per_step[t][k][i + j * r] for j in range(cc)] for i in range(r)]
            buf[k] = [[mu * buf[k][i][j] + (1 - mu) * g[i][j] for j in range(cc)] for i in range(r)]
            u = [[(1 - mu) * g[i][j] + mu * buf[k][i][j] for j in range(cc)] for i in range(r)] if o["nesterov"] else buf[k]
            norm = math.sqrt(math.fsum(v * v for row in u for v in row))
            x = [[v / max(norm, o["epsilon"]) for v in row] for row in u]
            for _ in range(o["nsSteps"]):
                if r > cc:
                    m = mat_mul(transpose(x), x)
                    poly = [[b * m[i][j] + c * mm for j, mm in enumerate(row)] for i, row in enumerate(mat_mul(m, m))]
                    xp = mat_mul(x, poly)
                else:
                    m = mat_mul(x, transpose(x))
                    poly = [[b * m[i][j] + c * mm for j, mm in enumerate(row)] for i, row in enumerate(mat_mul(m, m))]
                    xp = mat_mul(poly, x)
                x = [[a * x[i][j] + xp[i][j] for j in range(cc)] for i in range(r)]
            if o["adjustLearningRate"] == 0:
                step = lr * math.sqrt(max(1.0, r / cc))
            else:
                step = lr * 0.2 * math.sqrt(max(r, cc))
            theta[k] = [[theta[k][i][j] - lr * o["weightDecay"] * theta[k][i][j] - step * x[i][j] for j in range(cc)]
                        for i in range(r)]
        out.append([[theta[k][i][j] for j in range(cc) for i in range(r)] for k, (r, cc) in enumerate(shapes)])
    return out


# ---------------------------------------------------------------- cases

def piecewise(base, n=STEPS):
    factors = [1.0, 0.25, 2.0, 0.1]
    return [base * factors[min(3, 4 * t // n)] for t in range(n)]


def open_loop(seed, shapes, low=-2.0, high=1.0):
    """Initial values uniform in ±[0.5, 2]; gradients N(0,1)·10^k with k drawn per step from [low, high]; logical
    [rows, columns] arrays (the writer flattens them column by column)."""
    rng = np.random.default_rng(seed)
    initial = [rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape) for shape in shapes]
    table = []
    for t in range(1, STEPS + 1):
        k = rng.uniform(low, high)
        gs = [rng.standard_normal(shape) * 10.0 ** k for shape in shapes]
        if t % 9 == 1:
            for g in gs:
                g.flat[t % g.size] = 0.0
        table.append(gs)
    return initial, table, f"N(0,1)·10^k, k drawn per step from [{low:g}, {high:g}]; one element 0 at steps 1, 10, 19, …"


TALL, WIDE = (5, 3), (3, 7)
CASES = [
    # name, options, schedule, seed, shapes, gradient exponent range
    ("defaults", {}, None, 41, [TALL, WIDE], (-2.0, 1.0)),
    ("tall-original", dict(learningRate=0.005, weightDecay=0.0), None, 42, [(7, 2), (4, 3)], (-2.0, 1.0)),
    ("match-rms-adamw", dict(learningRate=0.01, weightDecay=0.05, adjustLearningRate=1), "piecewise", 43,
     [(4, 4), (6, 2), (2, 5)], (-2.0, 1.0)),
    ("no-nesterov-all-options-schedule",
     dict(learningRate=5e-3, weightDecay=0.2, momentum=0.8, nesterov=False, nsA=1.875, nsB=-1.25, nsC=0.375,
          epsilon=1e-4, nsSteps=3, adjustLearningRate=0), "piecewise", 44, [TALL, WIDE, (3, 3)], (-2.0, 1.0)),
    ("tiny-gradients", dict(learningRate=0.01), None, 45, [TALL, WIDE], (-11.0, -9.0)),
]


def col_major(x):
    return [float(v) for v in np.asarray(x).flatten(order="F")]


def run_transcription(o, initial, table, lrs, dtype):
    s = (lambda x: np.float32(x)) if dtype == np.float32 else (lambda x: np.float64(x))
    params = [np.array(p, dtype=dtype) for p in initial]
    ref = MuonReference(params, o, s)
    steps = []
    for t in range(1, len(lrs) + 1):
        grads = [np.asarray(g, dtype=np.float64).astype(dtype) for g in table[t - 1]]
        ref.step(params, grads, lrs[t - 1])
        for p in params:
            assert p.dtype == dtype
        steps.append(dict(learningRate=lrs[t - 1], gradients=[col_major(g) for g in grads],
                          expected=[col_major(p) for p in params]))
    return steps


def write(case, options, schedule, source, dtype, initial, steps, extra):
    smallest = min(abs(x) for s in steps for p in s["expected"] for x in p)
    assert smallest >= 0.02, f"Muon.{case}: a value came within {smallest} of zero"
    names = ["w", "v", "u"][:len(initial)]
    doc = dict(optimizer="Muon", case=case, source=SOURCE, schedule=schedule or "constant",
               gradientScales=source, options=options)
    if dtype == np.float32:
        doc["dtype"] = "float32"
    doc.update(extra)
    doc["parameters"] = [dict(name=n, shape=list(np.shape(p)), initial=col_major(np.asarray(p, dtype=dtype)))
                         for n, p in zip(names, initial)]
    folder = os.path.join(HERE, "Fixtures32" if dtype == np.float32 else "Fixtures")
    os.makedirs(folder, exist_ok=True)
    head = json.dumps(doc, ensure_ascii=False)[1:-1]
    with open(os.path.join(folder, f"Muon.{case}.json"), "w", encoding="utf-8") as f:
        f.write("{\n" + head + ',\n"steps": [\n' + ",\n".join(json.dumps(s) for s in steps) + "\n]}\n")


def main():
    report = []
    for case, options, schedule, seed, shapes, (low, high) in CASES:
        o = dict(DEFAULTS, **options)
        lrs = piecewise(o["learningRate"]) if schedule == "piecewise" else [o["learningRate"]] * STEPS
        initial, table, source = open_loop(seed, shapes, low, high)

        steps64 = run_transcription(o, initial, table, lrs, np.float64)
        values = independent(o, shapes, [col_major(p) for p in initial], [s["gradients"] for s in steps64], lrs)
        worst = max(abs(a - b) / abs(b) for s, v in zip(steps64, values)
                    for pa, pb in zip(s["expected"], v) for a, b in zip(pa, pb))
        assert worst < 1e-12, f"Muon.{case}: transcription and independent implementation differ by {worst:.3e}"
        write(case, options, schedule, source, np.float64, initial, steps64,
              dict(referenceMaxRelativeDifference=worst))

        initial32 = [np.asarray(p, dtype=np.float32) for p in initial]
        steps32 = run_transcription(o, initial32, table, lrs, np.float32)
        values64 = independent(o, shapes, [col_major(p) for p in initial32], [s["gradients"] for s in steps32], lrs)
        largest = max(abs(x) for s in steps32 for p in s["expected"] for x in p)
        drift = max(abs(a - b) for s, v in zip(steps32, values64) for pa, pb in zip(s["expected"], v)
                    for a, b in zip(pa, pb)) / largest
        write(case, options, schedule, source, np.float32, initial32, steps32,
              dict(inputs="initial values and gradients of the float64 case rounded to float32; learning rates are doubles",
                   float64ScaledDifference=drift))
        report.append(f"Muon {case:34} independent vs transcription {worst:.2e}   float32 vs float64 {drift:.2e}")
    print("\n".join(report))


if __name__ == "__main__":
    main()
