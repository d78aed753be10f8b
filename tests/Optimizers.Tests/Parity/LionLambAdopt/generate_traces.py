#!/usr/bin/python3
"""Traces for Lion, Lamb and Adopt, from NumPy transcriptions of the authors' reference code.

No installed library runs these rules (torch 1.13 has none of them, JAX is not installed), so each is transcribed
here, operation by operation, from the code below (read, not copied into the library):

  Lion   google/automl, lion/lion_pytorch.py, commit 87461ee96d8bbfcaf1edd4fbd8659d31d3760a50 (Lion.step)
  Adopt  iShohei220/adopt, src/adopt/adopt.py, commit 6468572b4b3688a2f056b796b071da540568520e
         (_single_tensor_adopt, with its default clip_lambda = step ** 0.25)
  Lamb   google-deepmind/optax, commit 2edbcbe2390da13983b92cbef94ac0460ecde1c5: optax/_src/alias.py (lamb =
         chain(scale_by_adam(b1, b2, eps, eps_root), add_decayed_weights(weight_decay), scale_by_trust_ratio(),
         scale_by_learning_rate(lr))), optax/_src/transform.py (scale_by_adam, scale_by_trust_ratio),
         optax/transforms/_adding.py (add_decayed_weights), optax/tree_utils/_tree_math.py (tree_update_moment,
         tree_update_moment_per_elem_norm, tree_bias_correction), optax/_src/numerics.py (safe_norm)

Each transcription runs in the precision of the trace: every array op in that dtype, every Python scalar rounded to
the dtype where the reference passes it to a tensor op (torch's float32 path; for Lamb the library's convention is
used for the bias corrections: 1 - b**t formed in double, where Optax without x64 forms it in float32).

A second implementation, written independently from the papers' equations (plain Python floats, element by element,
math.fsum for norms), recomputes every float64 trace; the script writes nothing unless the two agree within 1e-12
relative at every value. Run: /usr/bin/python3 tests/Optimizers.Tests/Parity/LionLambAdopt/generate_traces.py
(deterministic: a second run writes the same bytes).
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 64
REFERENCES = {
    "Lion": "google/automl lion/lion_pytorch.py @ 87461ee96d8bbfcaf1edd4fbd8659d31d3760a50",
    "Adopt": "iShohei220/adopt src/adopt/adopt.py @ 6468572b4b3688a2f056b796b071da540568520e",
    "Lamb": "google-deepmind/optax optax/_src/alias.py lamb @ 2edbcbe2390da13983b92cbef94ac0460ecde1c5",
}
DEFAULTS = {
    "Lion": dict(learningRate=1e-4, beta1=0.9, beta2=0.99, weightDecay=0.0),
    "Adopt": dict(learningRate=1e-3, beta1=0.9, beta2=0.9999, epsilon=1e-6, weightDecay=0.0, decoupled=False,
                  maximize=False),
    "Lamb": dict(learningRate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-6, epsilonRoot=0.0, weightDecay=0.0),
}


# ---------------------------------------------------------------- transcriptions (NumPy, in the trace's dtype)

class LionReference:
    """lion_pytorch.py, Lion.step, for one parameter list."""

    def __init__(self, params, o, dt):
        self.o, self.dt = o, dt
        self.exp_avg = [np.zeros_like(p) for p in params]

    def step(self, params, grads, lr):
        s = self.dt
        o = self.o
        for p, grad, exp_avg in zip(params, grads, self.exp_avg):
            p *= s(1 - lr * o["weightDecay"])                                 # p.data.mul_(1 - lr * wd)
            update = exp_avg * s(o["beta1"]) + grad * s(1 - o["beta1"])       # exp_avg * beta1 + grad * (1 - beta1)
            p += s(-lr) * np.sign(update)                                     # p.add_(update.sign_(), alpha=-lr)
            exp_avg *= s(o["beta2"])                                          # exp_avg.mul_(beta2)
            exp_avg += s(1 - o["beta2"]) * grad                               #        .add_(grad, alpha=1 - beta2)


def torch_lerp(start, end, weight, s):
    """ATen's lerp with a scalar weight, in the dtype (weight already rounded to it)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (s(1) - weight)


class AdoptReference:
    """adopt.py, _single_tensor_adopt, for one parameter list (state step starts at 0)."""

    def __init__(self, params, o, dt):
        self.o, self.dt = o, dt
        self.exp_avg = [np.zeros_like(p) for p in params]
        self.exp_avg_sq = [np.zeros_like(p) for p in params]
        self.step_t = 0.0

    def step(self, params, grads, lr):
        s, o = self.dt, self.o
        wd, beta1, beta2, eps = o["weightDecay"], o["beta1"], o["beta2"], o["epsilon"]
        step = self.step_t
        for param, grad, exp_avg, exp_avg_sq in zip(params, grads, self.exp_avg, self.exp_avg_sq):
            grad = grad if not o["maximize"] else -grad
            if wd != 0 and not o["decoupled"]:
                grad = grad + s(wd) * param                                  # grad.add(param, alpha=wd)
            if step == 0:
                exp_avg_sq += grad * grad                                    # exp_avg_sq.addcmul_(grad, grad.conj())
                continue
            if wd != 0 and o["decoupled"]:
                param += s(-lr * wd) * param                                 # param.add_(param, alpha=-lr*wd)
            denom = np.maximum(np.sqrt(exp_avg_sq), s(eps))                  # torch.clamp(exp_avg_sq.sqrt(), eps)
            normed_grad = grad / denom                                       # grad.div(denom)
            clip = step ** 0.25                                              # clip_lambda(step), Python float
            normed_grad = np.minimum(np.maximum(normed_grad, s(-clip)), s(clip))   # clamp_(-clip, clip)
            exp_avg[...] = torch_lerp(exp_avg, normed_grad, s(1 - beta1), s)  # exp_avg.lerp_(normed_grad, 1 - beta1)
            param += s(-lr) * exp_avg                                        # param.add_(exp_avg, alpha=-lr)
            exp_avg_sq *= s(beta2)                                           # exp_avg_sq.mul_(beta2)
            exp_avg_sq += (s(1 - beta2) * grad) * grad                       #   .addcmul_(grad, grad, value=1 - beta2)
        self.step_t += 1


class LambReference:
    """optax.lamb: scale_by_adam -> add_decayed_weights -> scale_by_trust_ratio -> scale_by_learning_rate."""

    def __init__(self, params, o, dt):
        self.o, self.dt = o, dt
        self.mu = [np.zeros_like(p) for p in params]
        self.nu = [np.zeros_like(p) for p in params]
        self.count = 0

    def step(self, params, grads, lr):
        s, o = self.dt, self.o
        b1, b2 = o["beta1"], o["beta2"]
        count_inc = self.count + 1
        for k, (p, g) in enumerate(zip(params, grads)):
            mu = s(1 - b1) * g + s(b1) * self.mu[k]                          # tree_update_moment(order 1)
            nu = s(1 - b2) * (g * g) + s(b2) * self.nu[k]                    # tree_update_moment_per_elem_norm(order 2)
            mu_hat = mu / s(1 - b1 ** count_inc)                             # tree_bias_correction
            nu_hat = nu / s(1 - b2 ** count_inc)
            u = mu_hat / (np.sqrt(nu_hat + s(o["epsilonRoot"])) + s(o["epsilon"]))
            if o["weightDecay"] != 0.0:
                u = u + s(o["weightDecay"]) * p                              # add_decayed_weights: g + s * p
            param_norm = np.linalg.norm(p)                                   # safe_norm(param, 0)
            update_norm = np.linalg.norm(u)                                  # safe_norm(update, 0)
            trust_ratio = param_norm / (update_norm + s(0.0))
            if param_norm == 0.0 or update_norm == 0.0:
                trust_ratio = s(1.0)
            u = u * trust_ratio
            u = u * s(-lr)                                                   # scale_by_learning_rate: scale(-lr)
            p += u                                                           # apply_updates
            self.mu[k], self.nu[k] = mu, nu
        self.count = count_inc


TRANSCRIPTIONS = {"Lion": LionReference, "Adopt": AdoptReference, "Lamb": LambReference}


# ---------------------------------------------------------------- independent implementation (float64, Python floats)

def independent(rule, o, initial, gradient_at, lrs):
    """From the papers' equations, element by element; returns the values after every step."""
    theta = [list(map(float, p)) for p in initial]
    m = [[0.0] * len(p) for p in theta]
    v = [[0.0] * len(p) for p in theta]
    out = []
    grads_seen = []
    for t in range(1, len(lrs) + 1):
        a = lrs[t - 1]
        grads = [list(map(float, g)) for g in gradient_at(t, theta)]
        grads_seen.append(grads)
        for k in range(len(theta)):
            if rule == "Lion":
                for i in range(len(theta[k])):
                    g = grads[k][i]
                    c = o["beta1"] * m[k][i] + (1 - o["beta1"]) * g
                    sgn = (c > 0) - (c < 0)
                    theta[k][i] = theta[k][i] - a * o["weightDecay"] * theta[k][i] - a * sgn
                    m[k][i] = o["beta2"] * m[k][i] + (1 - o["beta2"]) * g
            elif rule == "Adopt":
                for i in range(len(theta[k])):
                    g = -grads[k][i] if o["maximize"] else grads[k][i]
                    if not o["decoupled"]:
                        g += o["weightDecay"] * theta[k][i]
                    if t == 1:
                        v[k][i] = g * g
                        continue
                    bound = (t - 1) ** 0.25
                    n = max(-bound, min(bound, g / max(math.sqrt(v[k][i]), o["epsilon"])))
                    m[k][i] = o["beta1"] * m[k][i] + (1 - o["beta1"]) * n
                    decay = a * o["weightDecay"] * theta[k][i] if o["decoupled"] else 0.0
                    theta[k][i] = theta[k][i] - decay - a * m[k][i]
                    v[k][i] = o["beta2"] * v[k][i] + (1 - o["beta2"]) * g * g
            else:
                u = []
                for i in range(len(theta[k])):
                    g = grads[k][i]
                    m[k][i] = o["beta1"] * m[k][i] + (1 - o["beta1"]) * g
                    v[k][i] = o["beta2"] * v[k][i] + (1 - o["beta2"]) * g * g
                    mh = m[k][i] / (1 - o["beta1"] ** t)
                    vh = v[k][i] / (1 - o["beta2"] ** t)
                    u.append(mh / (math.sqrt(vh + o["epsilonRoot"]) + o["epsilon"]) + o["weightDecay"] * theta[k][i])
                pn = math.sqrt(math.fsum(x * x for x in theta[k]))
                un = math.sqrt(math.fsum(x * x for x in u))
                r = 1.0 if pn == 0 or un == 0 else pn / un
                theta[k] = [x - a * r * ui for x, ui in zip(theta[k], u)]
        out.append([list(p) for p in theta])
    return out, grads_seen


# ---------------------------------------------------------------- cases

def piecewise(base, n=STEPS):
    factors = [1.0, 0.25, 2.0, 0.1]
    return [base * factors[min(3, 4 * t // n)] for t in range(n)]


def open_loop(seed, lengths=(7, 13)):
    rng = np.random.default_rng(seed)
    initial = []
    for n in lengths:
        x = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)
        initial.append(x)
    table = []
    for t in range(1, STEPS + 1):
        k = rng.uniform(-2.0, 1.0)               # scales 10^k, k in [-2, 1]: 1e-2 to 10
        gs = [rng.standard_normal(n) * 10.0 ** k for n in lengths]
        if t % 9 == 1:
            for g in gs:
                g[t % len(g)] = 0.0
        table.append(gs)
    return initial, (lambda t, theta: table[t - 1]), "N(0,1)·10^k, k drawn per step from [-2, 1]; one element 0 at steps 1, 10, 19, …"


def rosenbrock():
    def gradient(t, theta):
        x, y = theta[0][0], theta[0][1]
        return [np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])]
    return [np.array([-1.2, 1.0])], gradient, "closed loop on Rosenbrock f(x, y) = (1 − x)² + 100(y − x²)², from (−1.2, 1)"


CASES = [
    ("Lion", "defaults", {}, None, 11),
    ("Lion", "all-options-schedule", dict(learningRate=3e-3, beta1=0.8, beta2=0.95, weightDecay=0.5), "piecewise", 12),
    ("Lion", "rosenbrock", dict(learningRate=1e-2), None, "rosenbrock"),
    ("Adopt", "defaults", {}, None, 21),
    ("Adopt", "coupled-decay", dict(learningRate=2e-3, weightDecay=0.05), None, 22),
    ("Adopt", "decoupled-all-options-schedule",
     dict(learningRate=3e-3, beta1=0.8, beta2=0.99, epsilon=1e-3, weightDecay=0.2, decoupled=True, maximize=True),
     "piecewise", 23),
    ("Adopt", "rosenbrock", dict(learningRate=1e-2), None, "rosenbrock"),
    ("Lamb", "defaults", {}, None, 31),
    ("Lamb", "all-options-schedule",
     dict(learningRate=5e-3, beta1=0.8, beta2=0.99, epsilon=1e-3, epsilonRoot=1e-4, weightDecay=0.1), "piecewise", 32),
    ("Lamb", "rosenbrock", dict(learningRate=1e-2), None, "rosenbrock"),
]


def run_transcription(rule, o, initial, gradient_at, lrs, dtype):
    s = (lambda x: np.float32(x)) if dtype == np.float32 else (lambda x: np.float64(x))
    params = [np.array(p, dtype=dtype) for p in initial]
    ref = TRANSCRIPTIONS[rule](params, o, s)
    steps = []
    for t in range(1, len(lrs) + 1):
        grads = [np.asarray(g, dtype=np.float64).astype(dtype) for g in gradient_at(t, [p.astype(np.float64) for p in params])]
        ref.step(params, grads, lrs[t - 1])
        for p in params:
            assert p.dtype == dtype
        steps.append(dict(learningRate=lrs[t - 1], gradients=[[float(x) for x in g] for g in grads],
                          expected=[[float(x) for x in p] for p in params]))
    return steps


def write(rule, case, options, schedule, source, dtype, initial, steps, extra):
    o_full = dict(DEFAULTS[rule], **options)
    largest = max(abs(x) for s in steps for p in s["expected"] for x in p)
    smallest = min(abs(x) for s in steps for p in s["expected"] for x in p)
    assert smallest >= 0.02, f"{rule}.{case}: a value came within {smallest} of zero"
    names = ["w", "b"] if len(initial) == 2 else ["xy"]
    doc = dict(optimizer=rule, case=case, source=REFERENCES[rule], schedule=schedule or "constant",
               gradientScales=source, options=options)
    if dtype == np.float32:
        doc["dtype"] = "float32"
    doc.update(extra)
    doc["parameters"] = [dict(name=n, initial=[float(x) for x in np.asarray(p, dtype=dtype)]) for n, p in zip(names, initial)]
    folder = os.path.join(HERE, "Fixtures32" if dtype == np.float32 else "Fixtures")
    os.makedirs(folder, exist_ok=True)
    lines = ["{"]
    head = json.dumps(doc, ensure_ascii=False)[1:-1]
    lines.append(head + ',\n"steps": [')
    lines.append(",\n".join(json.dumps(s) for s in steps))
    lines.append("]}\n")
    with open(os.path.join(folder, f"{rule}.{case}.json"), "w", encoding="utf-8") as f:
        f.write("".join(lines[:1]) + "\n".join(lines[1:]))
    return largest


def main():
    report = []
    for rule, case, options, schedule, seed in CASES:
        o = dict(DEFAULTS[rule], **options)
        lrs = piecewise(o["learningRate"]) if schedule == "piecewise" else [o["learningRate"]] * STEPS
        initial, gradient_at, source = rosenbrock() if seed == "rosenbrock" else open_loop(seed)

        steps64 = run_transcription(rule, o, initial, gradient_at, lrs, np.float64)
        # The independent implementation, fed the transcription's own gradients (so a closed loop compares like with like).
        recorded = [s["gradients"] for s in steps64]
        values, _ = independent(rule, o, initial, lambda t, theta: recorded[t - 1], lrs)
        worst = max(abs(a - b) / abs(b) for s, v in zip(steps64, values)
                    for pa, pb in zip(s["expected"], v) for a, b in zip(pa, pb))
        assert worst < 1e-12, f"{rule}.{case}: transcription and independent implementation differ by {worst:.3e}"
        write(rule, case, options, schedule, source, np.float64, initial, steps64,
              dict(referenceMaxRelativeDifference=worst))

        initial32 = [np.asarray(p, dtype=np.float32) for p in initial]
        steps32 = run_transcription(rule, o, initial32, gradient_at, lrs, np.float32)
        # How far float32 arithmetic is from the float64 run of the same rounded inputs (for the reader).
        values64, _ = independent(rule, o, initial32, lambda t, theta: steps32[t - 1]["gradients"], lrs)
        largest = max(abs(x) for s in steps32 for p in s["expected"] for x in p)
        drift = max(abs(a - b) for s, v in zip(steps32, values64) for pa, pb in zip(s["expected"], v) for a, b in zip(pa, pb)) / largest
        write(rule, case, options, schedule, source, np.float32, initial32, steps32,
              dict(inputs="initial values and gradients of the float64 case rounded to float32 (closed loops: gradients "
                          "from the float32 parameters, rounded); learning rates are doubles",
                   float64ScaledDifference=drift))
        report.append(f"{rule:6} {case:34} independent vs transcription {worst:.2e}   float32 vs float64 {drift:.2e}")
    print("\n".join(report))


if __name__ == "__main__":
    main()
