#!/usr/bin/python3
"""Traces for Adafactor, from a NumPy transcription of torch.optim.Adafactor (PyTorch >= 2.5; not in Debian's 1.13).

Transcribed operation by operation (read, not copied into the library) from

  pytorch/pytorch, torch/optim/_adafactor.py, commit 051d6a09bb159a48ac11006c454c0c979511d0f3,
  function _single_tensor_adafactor (the default path: foreach=None selects it)

in the precision of the trace: every array op in that dtype, every Python scalar rounded to the dtype where torch
passes it to a tensor op (lerp weight, 1 - lr*wd, eps1, eps1*eps1, -alpha/denom); .item() norms read as Python floats.
torch's lerp (ATen: s + w(e - s) when |w| < 0.5, else e - (e - s)(1 - w)) is reproduced.

A second implementation, written independently from the paper's equations as torch's documentation states them
(plain Python floats, element by element, math.fsum for every sum, R and C as convex combinations rather than lerp,
U = G / max(sqrt(V), eps1) rather than G * rsqrt(max(V, eps1^2))), recomputes every float64 trace; the script writes
nothing unless the two agree within 1e-12 relative at every value.

Parameters: rank-2 ones (tall, wide, square) are NumPy arrays of shape (rows, columns) here, written to the fixtures
column-major (element (i, j) at i + j*rows, MathNet's order) with their "shape"; rank-1 ones have shape [n].
Run: /usr/bin/python3 tests/Optimizers.Tests/Parity/Adafactor/generate_traces.py (deterministic: a second run writes
the same bytes).
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 64
SOURCE = "pytorch/pytorch torch/optim/_adafactor.py _single_tensor_adafactor @ 051d6a09bb159a48ac11006c454c0c979511d0f3"
DEFAULTS = dict(learningRate=1e-2, beta2Decay=-0.8, epsilon1=None, epsilon2=1e-3, d=1.0, weightDecay=0.0, maximize=False)


# ---------------------------------------------------------------- transcription (NumPy, in the trace's dtype)

def torch_lerp(start, end, weight, s):
    """ATen's lerp with a scalar weight, in the dtype (weight already rounded to it)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (s(1) - weight)


class AdafactorReference:
    """_adafactor.py: Adafactor._init_group (state) and _single_tensor_adafactor (the step), one parameter group."""

    def __init__(self, params, o, s, dtype):
        self.o, self.s, self.dtype = o, s, dtype
        self.state = []
        for p in params:
            if p.ndim > 1:
                row_shape = list(p.shape); row_shape[-1] = 1                      # row_var: [rows, 1]
                col_shape = list(p.shape); col_shape[-2] = 1                      # col_var: [1, columns]
                self.state.append(dict(step=0.0, row_var=np.zeros(row_shape, dtype), col_var=np.zeros(col_shape, dtype),
                                       variance=None))
            else:
                self.state.append(dict(step=0.0, row_var=None, col_var=None, variance=np.zeros_like(p)))

    def step(self, params, grads, lr):
        s, o = self.s, self.o
        eps1, eps2 = o["epsilon1"], o["epsilon2"]
        for param, g, st in zip(params, grads, self.state):
            grad = g if not o["maximize"] else -g
            if eps1 is None:
                eps1 = float(np.finfo(self.dtype).eps)                           # torch.finfo(param.dtype).eps
            st["step"] += 1                                                      # step_t += 1
            step_float = st["step"]
            one_minus_beta2_t = step_float ** o["beta2Decay"]
            rho_t = min(lr, 1 / (step_float ** 0.5))
            alpha = max(eps2, float(np.linalg.norm(param)) / (param.size ** 0.5)) * rho_t
            if o["weightDecay"] != 0:
                param *= s(1 - lr * o["weightDecay"])                            # param.mul_(1 - lr * weight_decay)
            if grad.ndim > 1:
                row_var, col_var = st["row_var"], st["col_var"]
                # vector_norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1))
                row_mean = np.square(np.sqrt(np.sum(grad * grad, axis=-1, keepdims=True))) / s(grad.shape[-1])
                row_var[...] = torch_lerp(row_var, row_mean, s(one_minus_beta2_t), s)
                col_mean = np.square(np.sqrt(np.sum(grad * grad, axis=-2, keepdims=True))) / s(grad.shape[-2])
                col_var[...] = torch_lerp(col_var, col_mean, s(one_minus_beta2_t), s)
                var_estimate = row_var @ col_var                                 # [rows, 1] @ [1, columns]
                var_estimate = var_estimate / np.maximum(row_var.mean(axis=-2, keepdims=True), s(eps1))  # .clamp_(min=eps1)
            else:
                variance = st["variance"]
                grad_squared = grad * grad
                variance[...] = torch_lerp(variance, grad_squared, s(one_minus_beta2_t), s)
                var_estimate = variance.copy()
            update = s(1) / np.sqrt(np.maximum(var_estimate, s(eps1 * eps1)))    # clamp_(min=eps1*eps1).rsqrt_()
            update = update * grad                                               # .mul_(grad)
            denom = max(1.0, float(np.linalg.norm(update)) / ((update.size ** 0.5) * o["d"]))
            param += s(-alpha / denom) * update                                  # param.add_(update, alpha=-alpha/denom)
            assert param.dtype == self.dtype and update.dtype == self.dtype


# ---------------------------------------------------------------- independent implementation (float64, Python floats)

def independent(o, shapes, initial, grads_at, lrs):
    """From the algorithm as torch's documentation writes it (after Shazeer & Stern 2018); values after every step."""
    eps1 = o["epsilon1"] if o["epsilon1"] is not None else 2.0 ** -52
    theta = [[list(map(float, row)) for row in p] if len(sh) == 2 else list(map(float, p)) for p, sh in zip(initial, shapes)]
    R = [[0.0] * sh[0] if len(sh) == 2 else None for sh in shapes]
    C = [[0.0] * sh[1] if len(sh) == 2 else None for sh in shapes]
    V = [[0.0] * sh[0] if len(sh) == 1 else None for sh in shapes]
    out = []
    for t in range(1, len(lrs) + 1):
        gamma = lrs[t - 1]
        beta2 = 1 - t ** o["beta2Decay"]
        rho = min(gamma, 1 / math.sqrt(t))
        for k, sh in enumerate(shapes):
            G = grads_at(t)[k]
            sign = -1.0 if o["maximize"] else 1.0
            if len(sh) == 2:
                n_, m_ = sh
                G = [[sign * float(G[i][j]) for j in range(m_)] for i in range(n_)]
                flat = [x for row in theta[k] for x in row]
                a = max(o["epsilon2"], math.sqrt(math.fsum(x * x for x in flat) / len(flat))) * rho
                for i in range(n_):
                    R[k][i] = beta2 * R[k][i] + (1 - beta2) * math.fsum(G[i][j] ** 2 for j in range(m_)) / m_
                for j in range(m_):
                    C[k][j] = beta2 * C[k][j] + (1 - beta2) * math.fsum(G[i][j] ** 2 for i in range(n_)) / n_
                rmean = max(math.fsum(R[k]) / n_, eps1)
                U = [[G[i][j] / max(math.sqrt(R[k][i] * C[k][j] / rmean), eps1) for j in range(m_)] for i in range(n_)]
                rms_u = math.sqrt(math.fsum(u * u for row in U for u in row) / (n_ * m_))
                c = max(1.0, rms_u / o["d"])
                theta[k] = [[theta[k][i][j] * (1 - gamma * o["weightDecay"]) - a * U[i][j] / c for j in range(m_)]
                            for i in range(n_)]
            else:
                n_ = sh[0]
                G = [sign * float(x) for x in G]
                a = max(o["epsilon2"], math.sqrt(math.fsum(x * x for x in theta[k]) / n_)) * rho
                for i in range(n_):
                    V[k][i] = beta2 * V[k][i] + (1 - beta2) * G[i] ** 2
                U = [G[i] / max(math.sqrt(V[k][i]), eps1) for i in range(n_)]
                c = max(1.0, math.sqrt(math.fsum(u * u for u in U) / n_) / o["d"])
                theta[k] = [theta[k][i] * (1 - gamma * o["weightDecay"]) - a * U[i] / c for i in range(n_)]
        out.append([np.array(p, dtype=np.float64) for p in theta])
    return out


# ---------------------------------------------------------------- cases

def piecewise(base, n=STEPS):
    factors = [1.0, 0.25, 2.0, 0.1]
    return [base * factors[min(3, 4 * t // n)] for t in range(n)]


def open_loop(seed, shapes, low, high):
    rng = np.random.default_rng(seed)
    initial = [rng.uniform(1.0, 2.0, sh) * rng.choice([-1.0, 1.0], sh) for sh in shapes]
    table = []
    for t in range(1, STEPS + 1):
        k = rng.uniform(low, high)
        gs = [rng.standard_normal(sh) * 10.0 ** k for sh in shapes]
        if t % 9 == 1:
            for g in gs:
                g.flat[t % g.size] = 0.0
        table.append(gs)
    return initial, table, f"N(0,1)·10^k, k drawn per step from [{low:g}, {high:g}]; one element 0 at steps 1, 10, 19, …"


WIDE = (-2.0, 1.0)      # scales 1e-2 to 10
TINY = (-5.0, -3.0)     # g² below eps1² = 1e-6: the floors decide
CASES = [
    # name, options, schedule, seed, shapes (2-D: rows, columns), gradient scales
    ("defaults", {}, None, 41, [(5, 3), (4,)], WIDE),
    ("wide-square-weight-decay-schedule", dict(learningRate=0.02, weightDecay=0.2), "piecewise", 42, [(3, 6), (4, 4), (5,)], WIDE),
    ("tall-maximize-d-beta2decay", dict(beta2Decay=-0.5, d=2.0, maximize=True, epsilon2=2.0), None, 43, [(7, 2), (3,)], WIDE),
    ("epsilon1-tiny-gradients", dict(epsilon1=1e-3, learningRate=0.02), None, 44, [(4, 5), (6,)], TINY),
    ("rank1-only", dict(learningRate=0.03, weightDecay=0.2, d=1.5), "piecewise", 45, [(2,), (9,)], WIDE),
]


def run_transcription(o, initial, table, lrs, dtype):
    s = (lambda x: np.float32(x)) if dtype == np.float32 else (lambda x: np.float64(x))
    params = [np.array(p, dtype=dtype) for p in initial]
    ref = AdafactorReference(params, o, s, dtype)
    steps, states = [], []
    for t in range(1, len(lrs) + 1):
        grads = [np.asarray(g, dtype=np.float64).astype(dtype) for g in table[t - 1]]
        ref.step(params, grads, lrs[t - 1])
        steps.append(dict(learningRate=lrs[t - 1], gradients=[col_major(g) for g in grads],
                          expected=[col_major(p) for p in params]))
        states.append([p.astype(np.float64) for p in params])
    final_state = [dict(rowVar=[float(x) for x in st["row_var"].ravel()] if st["row_var"] is not None else [],
                        colVar=[float(x) for x in st["col_var"].ravel()] if st["col_var"] is not None else [],
                        variance=[float(x) for x in st["variance"]] if st["variance"] is not None else [])
                   for st in ref.state]
    return steps, states, final_state


def col_major(a):
    return [float(x) for x in np.asarray(a).ravel(order="F")]


def write(case, options, schedule, source, dtype, initial, shapes, steps, final_state, extra):
    smallest = min(abs(x) for s in steps for p in s["expected"] for x in p)
    assert smallest >= 0.02, f"Adafactor.{case}: a value came within {smallest} of zero"
    names = [("w" if len(sh) == 2 else "b") + str(k) for k, sh in enumerate(shapes)]
    doc = dict(optimizer="Adafactor", case=case, source=SOURCE, schedule=schedule or "constant", gradientScales=source,
               options=options)
    if dtype == np.float32:
        doc["dtype"] = "float32"
    doc.update(extra)
    doc["finalState"] = final_state
    doc["parameters"] = [dict(name=n, shape=list(sh), initial=col_major(np.asarray(p, dtype=dtype)))
                         for n, sh, p in zip(names, shapes, initial)]
    folder = os.path.join(HERE, "Fixtures32" if dtype == np.float32 else "Fixtures")
    os.makedirs(folder, exist_ok=True)
    head = json.dumps(doc, ensure_ascii=False)[1:-1]
    text = "{" + head + ',\n"steps": [\n' + ",\n".join(json.dumps(s) for s in steps) + "\n]}\n"
    with open(os.path.join(folder, f"Adafactor.{case}.json"), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    report = []
    for case, options, schedule, seed, shapes, scales in CASES:
        o = dict(DEFAULTS, **options)
        lrs = piecewise(o["learningRate"]) if schedule == "piecewise" else [o["learningRate"]] * STEPS
        initial, table, source = open_loop(seed, shapes, *scales)

        steps64, states64, final64 = run_transcription(o, initial, table, lrs, np.float64)
        values = independent(o, shapes, initial, lambda t: table[t - 1], lrs)
        worst = max(float(np.max(np.abs(a - b) / np.abs(b))) for st, v in zip(states64, values) for a, b in zip(st, v))
        assert worst < 1e-12, f"Adafactor.{case}: transcription and independent implementation differ by {worst:.3e}"
        write(case, options, schedule, source, np.float64, initial, shapes, steps64, final64,
              dict(referenceMaxRelativeDifference=worst))

        initial32 = [np.asarray(p, dtype=np.float32) for p in initial]
        table32 = [[np.asarray(g, dtype=np.float32) for g in gs] for gs in table]
        steps32, states32, final32 = run_transcription(o, initial32, table32, lrs, np.float32)
        o64 = dict(o, epsilon1=o["epsilon1"] if o["epsilon1"] is not None else float(np.finfo(np.float32).eps))
        values64 = independent(o64, shapes, initial32, lambda t: table32[t - 1], lrs)
        largest = max(abs(x) for s in steps32 for p in s["expected"] for x in p)
        drift = max(float(np.max(np.abs(a - b))) for st, v in zip(states32, values64) for a, b in zip(st, v)) / largest
        write(case, options, schedule, source, np.float32, initial32, shapes, steps32, final32,
              dict(inputs="initial values and gradients of the float64 case rounded to float32; learning rates are doubles",
                   float64ScaledDifference=drift))
        report.append(f"Adafactor {case:36} independent vs transcription {worst:.2e}   float32 vs float64 {drift:.2e}")
    print("\n".join(report))


if __name__ == "__main__":
    main()
