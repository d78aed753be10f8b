#!/usr/bin/python3
"""Traces for NAdam and RAdam with decoupled weight decay (torch 2.x's decoupled_weight_decay=True: NAdamW, RAdamW).

The installed torch (Debian's 1.13) has no decoupled_weight_decay for NAdam or RAdam, so torch 2.x's single-tensor
code is transcribed here, operation by operation, into NumPy, from (read, not copied into the library):

  NAdam  torch/optim/nadam.py, _single_tensor_nadam, as stored in paolodedios/pytorch (a mirror of pytorch/pytorch)
         at commit 1ba7dffc9d61bebab20887a4caa59dff99dd1970 (pytorch/pytorch's own stored copy predates the option)
  RAdam  pytorch/pytorch, torch/optim/radam.py, _single_tensor_radam, commit 6a57601b5e8f7daad1a6621cb3c95bc046a804b8

In both, when weight_decay != 0 and decoupled_weight_decay: param.mul_(1 - lr * weight_decay) before anything else,
and the gradient is left without the L2 term; the rest of the step is the usual one.

Each transcription runs in the precision of the trace: every array op in that dtype, every Python scalar rounded to the
dtype where torch passes it to a tensor op (alpha=, value=, multipliers, divisors, lerp weights, add_(eps)); NAdam's
mu_product is a tensor of the trace's dtype (as in the library and the torch 1.13 traces of ../generate_traces.py),
read back with .item() into the double formulas; RAdam's sqrt(1 - beta2^t) / (sqrt(v) + eps) is a double divided by a
tensor, i.e. reciprocal() times the double.

Three checks, or the script writes nothing:
  1. independent(): a second implementation written from the update equations (Python floats, element by element),
     recomputes every float64 trace: within 1e-12 relative at every value.
  2. torch 1.13 with decoupled off: the transcriptions with decoupled_weight_decay=False are run on the same inputs
     against torch.optim.NAdam (foreach=True, whose mu_product arithmetic is 2.x's) and torch.optim.RAdam
     (foreach=False, whose single-tensor path keeps eps), with -g fed for maximize (1.13 has no maximize for these):
     float64 within 1e-13 relative at every value, float32 within 1e-6 of the trace's largest |value|.
  3. every expected |value| >= 0.02, so a relative bound means something.
Run: /usr/bin/python3 tests/Optimizers.Tests/Parity/Decoupled/generate_traces.py (deterministic).
"""
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 64
REFERENCES = {
    "NAdam": "torch 2.x torch/optim/nadam.py _single_tensor_nadam (paolodedios/pytorch @ 1ba7dffc9d61bebab20887a4caa59dff99dd1970), "
             "transcribed to NumPy",
    "RAdam": "torch 2.x torch/optim/radam.py _single_tensor_radam (pytorch/pytorch @ 6a57601b5e8f7daad1a6621cb3c95bc046a804b8), "
             "transcribed to NumPy",
}
DEFAULTS = {
    "NAdam": dict(learningRate=2e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.0, momentumDecay=4e-3,
                  maximize=False, decoupledWeightDecay=False),
    "RAdam": dict(learningRate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.0, maximize=False,
                  decoupledWeightDecay=False),
}


# ---------------------------------------------------------------- transcriptions (NumPy, in the trace's dtype)

def torch_lerp(start, end, weight, s):
    """ATen's lerp with a scalar weight, in the dtype (weight already rounded to it)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (s(1) - weight)


class NAdamReference:
    """_single_tensor_nadam (not differentiable, not capturable), for one parameter list."""

    def __init__(self, params, o, s):
        self.o, self.s = o, s
        self.exp_avg = [np.zeros_like(p) for p in params]
        self.exp_avg_sq = [np.zeros_like(p) for p in params]
        self.mu_product = [s(1.0) for _ in params]
        self.step_t = 0.0

    def step(self, params, grads, lr):
        s, o = self.s, self.o
        beta1, beta2, wd, eps, psi = o["beta1"], o["beta2"], o["weightDecay"], o["epsilon"], o["momentumDecay"]
        self.step_t += 1
        step = self.step_t                                                  # _get_value(step_t): an exact integer
        for k, param in enumerate(params):
            grad = grads[k] if not o["maximize"] else -grads[k]
            exp_avg, exp_avg_sq = self.exp_avg[k], self.exp_avg_sq[k]
            bias_correction2 = 1 - beta2 ** step
            if wd != 0:
                if o["decoupledWeightDecay"]:
                    param *= s(1 - lr * wd)                                 # param.mul_(1 - lr * weight_decay)
                else:
                    grad = grad + s(wd) * param                             # grad.add(param, alpha=weight_decay)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
            self.mu_product[k] = self.mu_product[k] * s(mu)                 # mu_product *= mu (a tensor of the dtype)
            exp_avg[...] = torch_lerp(exp_avg, grad, s(1 - beta1), s)      # exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq *= s(beta2)                                          # exp_avg_sq.mul_(beta2)
            exp_avg_sq += (s(1 - beta2) * grad) * grad                      #   .addcmul_(grad, grad, value=1 - beta2)
            denom = np.sqrt(exp_avg_sq / s(bias_correction2))               # exp_avg_sq.div(bias_correction2).sqrt()
            mu_product = float(self.mu_product[k])                          # _get_value(mu_product)
            mu_product_next = mu_product * mu_next
            denom = denom + s(eps)                                          # denom.add_(eps)
            param += s(-lr * (1.0 - mu) / (1.0 - mu_product)) * (grad / denom)     # param.addcdiv_(grad, denom, value=…)
            param += s((-lr * mu_next) / (1.0 - mu_product_next)) * (exp_avg / denom)  # param.addcdiv_(exp_avg, denom, value=…)


class RAdamReference:
    """_single_tensor_radam (not differentiable, not capturable), for one parameter list."""

    def __init__(self, params, o, s):
        self.o, self.s = o, s
        self.exp_avg = [np.zeros_like(p) for p in params]
        self.exp_avg_sq = [np.zeros_like(p) for p in params]
        self.step_t = 0.0

    def step(self, params, grads, lr):
        s, o = self.s, self.o
        beta1, beta2, wd, eps = o["beta1"], o["beta2"], o["weightDecay"], o["epsilon"]
        self.step_t += 1
        step = self.step_t
        for k, param in enumerate(params):
            grad = grads[k] if not o["maximize"] else -grads[k]
            exp_avg, exp_avg_sq = self.exp_avg[k], self.exp_avg_sq[k]
            if wd != 0:
                if o["decoupledWeightDecay"]:
                    param *= s(1 - lr * wd)                                 # param.mul_(1 - lr * weight_decay)
                else:
                    grad = grad + s(wd) * param                             # grad.add(param, alpha=weight_decay)
            exp_avg[...] = torch_lerp(exp_avg, grad, s(1 - beta1), s)      # exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq *= s(beta2)                                          # exp_avg_sq.mul_(beta2)
            exp_avg_sq += (s(1 - beta2) * grad) * grad                      #   .addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            bias_corrected_exp_avg = exp_avg / s(bias_correction1)          # exp_avg / bias_correction1
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                exp_avg_sq_sqrt = np.sqrt(exp_avg_sq) + s(eps)              # exp_avg_sq.sqrt().add_(eps)
                adaptive_lr = (s(1) / exp_avg_sq_sqrt) * s(bias_correction2 ** 0.5)   # double / tensor
                update = ((bias_corrected_exp_avg * s(lr)) * adaptive_lr) * s(rect)
                param += s(-1.0) * update                                   # param.add_(…, alpha=-1.0)
            else:
                param += s(-1.0) * (bias_corrected_exp_avg * s(lr))         # param.add_(m̂ * lr, alpha=-1.0)


TRANSCRIPTIONS = {"NAdam": NAdamReference, "RAdam": RAdamReference}


# ---------------------------------------------------------------- independent implementation (float64, Python floats)

def independent(rule, o, initial, grads_at, lrs):
    """From the update equations, element by element; returns the values after every step."""
    theta = [list(map(float, p)) for p in initial]
    m = [[0.0] * len(p) for p in theta]
    v = [[0.0] * len(p) for p in theta]
    product = [1.0] * len(theta)
    b1, b2, lam, eps = o["beta1"], o["beta2"], o["weightDecay"], o["epsilon"]
    out = []
    for t in range(1, len(lrs) + 1):
        a = lrs[t - 1]
        grads = grads_at(t)
        for k in range(len(theta)):
            if rule == "NAdam":
                mu_t = b1 * (1 - 0.5 * 0.96 ** (t * o["momentumDecay"]))
                mu_n = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * o["momentumDecay"]))
                product[k] *= mu_t
            for i in range(len(theta[k])):
                g = -grads[k][i] if o["maximize"] else grads[k][i]
                x = theta[k][i]
                if o["decoupledWeightDecay"]:
                    x = x - a * lam * x
                else:
                    g = g + lam * x
                m[k][i] = b1 * m[k][i] + (1 - b1) * g
                v[k][i] = b2 * v[k][i] + (1 - b2) * g * g
                if rule == "NAdam":
                    d = math.sqrt(v[k][i] / (1 - b2 ** t)) + eps
                    x = x - a * (1 - mu_t) / (1 - product[k]) * g / d - a * mu_n / (1 - product[k] * mu_n) * m[k][i] / d
                else:
                    m_hat = m[k][i] / (1 - b1 ** t)
                    rho_inf = 2 / (1 - b2) - 1
                    rho = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
                    if rho > 5:
                        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
                        x = x - a * m_hat * r * math.sqrt(1 - b2 ** t) / (math.sqrt(v[k][i]) + eps)
                    else:
                        x = x - a * m_hat
                theta[k][i] = x
        out.append([list(p) for p in theta])
    return out


# ---------------------------------------------------------------- torch 1.13, decoupled off

def torch_run(rule, o, initial, grads_at, lrs, dtype):
    """torch.optim.NAdam (foreach=True) or RAdam (foreach=False) of the installed torch; maximize fed as −g."""
    torch.set_default_dtype(dtype)
    params = [torch.tensor(np.asarray(p), dtype=dtype) for p in initial]
    betas = (o["beta1"], o["beta2"])
    if rule == "NAdam":
        opt = torch.optim.NAdam(params, lr=lrs[0], betas=betas, eps=o["epsilon"], weight_decay=o["weightDecay"],
                                momentum_decay=o["momentumDecay"], foreach=True)
    else:
        opt = torch.optim.RAdam(params, lr=lrs[0], betas=betas, eps=o["epsilon"], weight_decay=o["weightDecay"],
                                foreach=False)
    out = []
    for t in range(1, len(lrs) + 1):
        opt.param_groups[0]["lr"] = lrs[t - 1]
        for p, g in zip(params, grads_at(t)):
            g = torch.tensor(np.asarray(g), dtype=dtype)
            p.grad = -g if o["maximize"] else g
        opt.step()
        for state in opt.state.values():
            for value in state.values():
                assert not torch.is_tensor(value) or value.dtype == dtype, "all torch state in the trace's dtype"
        out.append([p.detach().numpy().astype(np.float64).tolist() for p in params])
    torch.set_default_dtype(torch.float64)
    return out


# ---------------------------------------------------------------- cases

def piecewise(base, n=STEPS):
    factors = [1.0, 0.25, 2.0, 0.1]
    return [base * factors[min(3, 4 * t // n)] for t in range(n)]


def open_loop(seed, lengths=(7, 13)):
    rng = np.random.default_rng(seed)
    initial = [rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n) for n in lengths]
    table = []
    for t in range(1, STEPS + 1):
        k = rng.uniform(-2.0, 1.0)               # scales 10^k, k in [-2, 1]: 1e-2 to 10
        gs = [rng.standard_normal(n) * 10.0 ** k for n in lengths]
        if t % 9 == 1:
            for g in gs:
                g[t % len(g)] = 0.0
        table.append(gs)
    return initial, table, "N(0,1)·10^k, k drawn per step from [-2, 1]; one element 0 at steps 1, 10, 19, …"


CASES = [
    ("NAdam", "decoupled", dict(weightDecay=0.5, decoupledWeightDecay=True), None, 41),
    ("NAdam", "decoupled-all-options-schedule",
     dict(learningRate=0.01, beta1=0.8, beta2=0.99, epsilon=1e-6, weightDecay=0.3, momentumDecay=0.01, maximize=True,
          decoupledWeightDecay=True), "piecewise", 42),
    ("RAdam", "decoupled", dict(weightDecay=0.5, decoupledWeightDecay=True), None, 51),
    ("RAdam", "decoupled-all-options-schedule",
     dict(learningRate=0.01, beta1=0.8, beta2=0.95, epsilon=1e-6, weightDecay=0.3, maximize=True,
          decoupledWeightDecay=True), "piecewise", 52),
]


def run_transcription(rule, o, initial, table, lrs, dtype):
    s = (lambda x: np.float32(x)) if dtype == np.float32 else (lambda x: np.float64(x))
    params = [np.array(p, dtype=dtype) for p in initial]
    ref = TRANSCRIPTIONS[rule](params, o, s)
    steps = []
    for t in range(1, len(lrs) + 1):
        grads = [np.asarray(g, dtype=np.float64).astype(dtype) for g in table[t - 1]]
        ref.step(params, grads, lrs[t - 1])
        for p in params:
            assert p.dtype == dtype
        steps.append(dict(learningRate=lrs[t - 1], gradients=[[float(x) for x in g] for g in grads],
                          expected=[[float(x) for x in p] for p in params]))
    return steps


def relative(a_steps, b_values):
    return max(abs(a - b) / abs(b) for s, v in zip(a_steps, b_values) for pa, pb in zip(s["expected"], v) for a, b in zip(pa, pb))


def scaled(a_steps, b_values):
    largest = max(abs(x) for s in a_steps for p in s["expected"] for x in p)
    return max(abs(a - b) for s, v in zip(a_steps, b_values) for pa, pb in zip(s["expected"], v) for a, b in zip(pa, pb)) / largest


def write(rule, case, options, schedule, source, dtype, initial, steps, extra):
    smallest = min(abs(x) for s in steps for p in s["expected"] for x in p)
    assert smallest >= 0.02, f"{rule}.{case}: a value came within {smallest} of zero"
    doc = dict(optimizer=rule, case=case, source=REFERENCES[rule], schedule=schedule or "constant",
               gradientScales=source, options=options)
    if dtype == np.float32:
        doc["dtype"] = "float32"
    doc.update(extra)
    doc["parameters"] = [dict(name=n, initial=[float(x) for x in np.asarray(p, dtype=dtype)]) for n, p in zip(["w", "b"], initial)]
    folder = os.path.join(HERE, "Fixtures32" if dtype == np.float32 else "Fixtures")
    os.makedirs(folder, exist_ok=True)
    head = json.dumps(doc, ensure_ascii=False)[1:-1]
    text = "{" + head + ',\n"steps": [\n' + ",\n".join(json.dumps(s) for s in steps) + "\n]}\n"
    return os.path.join(folder, f"{rule}.{case}.json"), text


def main():
    torch.set_default_dtype(torch.float64)
    report, files = [], []
    for rule, case, options, schedule, seed in CASES:
        o = dict(DEFAULTS[rule], **options)
        lrs = piecewise(o["learningRate"]) if schedule == "piecewise" else [o["learningRate"]] * STEPS
        initial, table, source = open_loop(seed)
        initial32 = [np.asarray(p, dtype=np.float32) for p in initial]
        table32 = [[np.asarray(g, dtype=np.float32) for g in gs] for gs in table]

        # 1. the transcription against the independent implementation (float64)
        steps64 = run_transcription(rule, o, initial, table, lrs, np.float64)
        worst = relative(steps64, independent(rule, o, initial, lambda t: table[t - 1], lrs))
        assert worst < 1e-12, f"{rule}.{case}: transcription and independent implementation differ by {worst:.3e}"

        # 2. decoupled off: the transcription against torch 1.13, both precisions (same inputs, same options but the flag)
        coupled = dict(o, decoupledWeightDecay=False)
        torch64 = relative(run_transcription(rule, coupled, initial, table, lrs, np.float64),
                           torch_run(rule, coupled, initial, lambda t: table[t - 1], lrs, torch.float64))
        assert torch64 < 1e-13, f"{rule}.{case} (decoupled off): transcription and torch 1.13 differ by {torch64:.3e}"
        torch32 = scaled(run_transcription(rule, coupled, initial32, table32, lrs, np.float32),
                         torch_run(rule, coupled, initial32, lambda t: table32[t - 1], lrs, torch.float32))
        assert torch32 < 1e-6, f"{rule}.{case} (decoupled off, float32): transcription and torch 1.13 differ by {torch32:.3e}"

        # What decoupling changes: the same case with the flag off moves by this much (so the traces test the flag).
        effect = scaled(steps64, [s["expected"] for s in run_transcription(rule, coupled, initial, table, lrs, np.float64)])

        files.append(write(rule, case, options, schedule, source, np.float64, initial, steps64,
                           dict(referenceMaxRelativeDifference=worst, torch113CoupledMaxRelativeDifference=torch64,
                                coupledScaledDifference=effect)))

        steps32 = run_transcription(rule, o, initial32, table32, lrs, np.float32)
        drift = scaled(steps32, independent(rule, o, initial32, lambda t: steps32[t - 1]["gradients"], lrs))
        files.append(write(rule, case, options, schedule, source, np.float32, initial32, steps32,
                           dict(inputs="initial values and gradients of the float64 case rounded to float32; learning "
                                       "rates are doubles",
                                torch113CoupledScaledDifference=torch32, float64ScaledDifference=drift)))
        report.append(f"{rule:5} {case:32} independent {worst:.2e}  torch1.13 (off) f64 {torch64:.2e} f32 {torch32:.2e}  "
                      f"decoupling moves {effect:.2e}  float32 vs float64 {drift:.2e}")
    for path, text in files:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    print("\n".join(report))


if __name__ == "__main__":
    main()
