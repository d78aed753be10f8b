#!/usr/bin/python3
"""Reference traces for Lookahead and GradientAccumulation (NumPy, float64).

No installed library runs these wrappers, so this file transcribes Optax's code into NumPy:

  * Lookahead: google-deepmind/optax, optax/_src/lookahead.py at commit fdc994f0cf2ef05b246de73a2f0cdf8057dd296b
    (`lookahead`, `_lookahead_update`: the merged update `last_difference = fast + updates - slow`,
    `slow += slow_step_size * sync_next * diff`, `fast += updates - sync_next * (1 - slow_step_size) * diff`,
    `steps_since_sync = (steps_since_sync + 1) % sync_period`; reset_state=False).
  * Gradient accumulation: google-deepmind/optax, optax/transforms/_accumulation.py at commit
    27a6faef465e2f932b1fad3733f17497998d8091 (`MultiSteps` with an int every_k_schedule, use_grad_mean=True: the
    Welford mean `acc + (grad - acc) / (mini_step + 1)`, the inner update applied when `mini_step == k - 1`, then the
    accumulator reset to zero; zero updates otherwise).

The inner rules are Optax-style gradient transformations written here from the published equations (Adam as
torch.optim.Adam / optax.adam with eps_root = 0; momentum as torch.optim.SGD(momentum) = optax.sgd(momentum), whose
trace starts at 0 so the first buffer is g).

A second, independently written implementation (the paper's nested loops, a running sum divided by k, and
in-place torch-style rules) must agree with the first within 1e-12 relative, or this script fails.

Run: /usr/bin/python3 tests/Optimizers.Tests/Wrappers/wrapper_traces.py (writes Traces/*.json, deterministic).
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "Traces")


# ---------- implementation 1: Optax-style transforms ----------

def adam_transform(lr, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        return {"mu": np.zeros_like(params), "nu": np.zeros_like(params), "count": 0}

    def update(g, state, params):
        mu = b1 * state["mu"] + (1 - b1) * g
        nu = b2 * state["nu"] + (1 - b2) * g * g
        count = state["count"] + 1
        mu_hat = mu / (1 - b1 ** count)
        nu_hat = nu / (1 - b2 ** count)
        return -lr * mu_hat / (np.sqrt(nu_hat) + eps), {"mu": mu, "nu": nu, "count": count}

    return init, update


def momentum_transform(lr, momentum=0.9):
    def init(params):
        return {"trace": np.zeros_like(params)}

    def update(g, state, params):
        trace = g + momentum * state["trace"]
        return -lr * trace, {"trace": trace}

    return init, update


def lookahead(inner, sync_period, slow_step_size):
    inner_init, inner_update = inner

    def init(params):
        return {"fast_state": inner_init(params), "steps_since_sync": 0}

    def update(g, state, fast, slow):
        updates, fast_state = inner_update(g, state["fast_state"], fast)
        sync_next = 1.0 if state["steps_since_sync"] == sync_period - 1 else 0.0
        last_difference = fast + updates - slow
        slow_updates = slow_step_size * sync_next * last_difference
        fast_updates = updates - sync_next * (1 - slow_step_size) * last_difference
        steps = (state["steps_since_sync"] + 1) % sync_period
        return fast_updates, slow_updates, {"fast_state": fast_state, "steps_since_sync": steps}

    return init, update


def multi_steps(inner, every_k):
    inner_init, inner_update = inner

    def init(params):
        return {"mini_step": 0, "inner": inner_init(params), "acc": np.zeros_like(params)}

    def update(g, state, params):
        acc = state["acc"] + (g - state["acc"]) / (state["mini_step"] + 1)
        emit = state["mini_step"] == every_k - 1
        if emit:
            updates, inner_state = inner_update(acc, state["inner"], params)
            return updates, {"mini_step": 0, "inner": inner_state, "acc": np.zeros_like(acc)}
        return np.zeros_like(g), {"mini_step": state["mini_step"] + 1, "inner": state["inner"], "acc": acc}

    return init, update


# ---------- implementation 2: nested loops, in place ----------

class Adam2:
    def __init__(self, lr, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.m, self.v, self.t = lr, b1, b2, eps, None, None, 0

    def step(self, theta, g):
        if self.m is None:
            self.m, self.v = np.zeros_like(theta), np.zeros_like(theta)
        self.t += 1
        self.m = self.m * self.b1 + g * (1 - self.b1)
        self.v = self.v * self.b2 + g * g * (1 - self.b2)
        step_size = self.lr / (1 - self.b1 ** self.t)
        denom = np.sqrt(self.v) / np.sqrt(1 - self.b2 ** self.t) + self.eps
        theta -= step_size * self.m / denom


class Momentum2:
    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.buf = lr, momentum, None

    def step(self, theta, g):
        self.buf = g.copy() if self.buf is None else self.mu * self.buf + g
        theta -= self.lr * self.buf


def rosenbrock_gradient(theta):
    x, y = theta[0], theta[1]
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def run_reference(case, gradients):
    """Implementation 1. Returns the fast and slow weights after every call."""
    inner = adam_transform(case["lr"]) if case["inner"] == "Adam" else momentum_transform(case["lr"], case["momentum"])
    theta = np.array(case["theta0"], dtype=np.float64)
    fast_trace, slow_trace = [], []
    if case["wrapper"] == "Lookahead":
        init, update = lookahead(inner, case["k"], case["alpha"])
        state, slow = init(theta), theta.copy()
        for call in range(case["calls"]):
            g = gradients(call, theta)
            fast_updates, slow_updates, state = update(g, state, theta, slow)
            theta, slow = theta + fast_updates, slow + slow_updates
            fast_trace.append(theta.copy())
            slow_trace.append(slow.copy())
    else:
        init, update = multi_steps(inner, case["every"])
        state = init(theta)
        for call in range(case["calls"]):
            g = gradients(call, theta)
            updates, state = update(g, state, theta)
            theta = theta + updates
            fast_trace.append(theta.copy())
    return fast_trace, slow_trace


def run_second(case, gradients):
    """Implementation 2: the paper's loops; a running sum divided by k."""
    rule = Adam2(case["lr"]) if case["inner"] == "Adam" else Momentum2(case["lr"], case["momentum"])
    theta = np.array(case["theta0"], dtype=np.float64)
    fast_trace, slow_trace = [], []
    if case["wrapper"] == "Lookahead":
        phi = theta.copy()
        for call in range(case["calls"]):
            rule.step(theta, gradients(call, theta))
            if (call + 1) % case["k"] == 0:
                phi = phi + case["alpha"] * (theta - phi)
                theta[:] = phi
            fast_trace.append(theta.copy())
            slow_trace.append(phi.copy())
    else:
        total = np.zeros_like(theta)
        for call in range(case["calls"]):
            total += gradients(call, theta)
            if (call + 1) % case["every"] == 0:
                rule.step(theta, total / case["every"])
                total[:] = 0
            fast_trace.append(theta.copy())
    return fast_trace, slow_trace


def open_loop(seed, n):
    rng = np.random.default_rng(seed)
    scales = np.array([1e-2, 1e-1, 1.0, 10.0][:n] if n <= 4 else np.logspace(-2, 1, n))
    table = {}

    def gradients(call, theta):
        if call not in table:
            table[call] = rng.standard_normal(n) * scales
        return table[call]

    return gradients, table


CASES = [
    dict(name="Lookahead.Adam.open", wrapper="Lookahead", inner="Adam", lr=0.01, k=5, alpha=0.5, calls=23,
         theta0=[0.5, -1.25, 2.0, -0.75, 0.1, 3.0], loop="open", seed=1),
    dict(name="Lookahead.Momentum.open", wrapper="Lookahead", inner="Momentum", lr=0.01, momentum=0.9, k=3, alpha=0.8,
         calls=20, theta0=[1.0, -2.0, 0.25, 4.0, -0.5, 1.5], loop="open", seed=2),
    dict(name="GradientAccumulation.Adam.open", wrapper="GradientAccumulation", inner="Adam", lr=0.01, every=4, calls=24,
         theta0=[0.5, -1.25, 2.0, -0.75, 0.1, 3.0], loop="open", seed=3),
    dict(name="GradientAccumulation.Momentum.open", wrapper="GradientAccumulation", inner="Momentum", lr=0.01,
         momentum=0.9, every=3, calls=21, theta0=[1.0, -2.0, 0.25, 4.0, -0.5, 1.5], loop="open", seed=4),
    dict(name="Lookahead.Adam.rosenbrock", wrapper="Lookahead", inner="Adam", lr=0.01, k=5, alpha=0.5, calls=60,
         theta0=[-1.5, 2.0], loop="rosenbrock"),
    dict(name="GradientAccumulation.Momentum.rosenbrock", wrapper="GradientAccumulation", inner="Momentum", lr=2e-4,
         momentum=0.9, every=2, calls=60, theta0=[-1.5, 2.0], loop="rosenbrock"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    worst = 0.0
    for case in CASES:
        if case["loop"] == "open":
            gradients, table = open_loop(case["seed"], len(case["theta0"]))
        else:
            gradients, table = (lambda call, theta: rosenbrock_gradient(theta)), None
        fast, slow = run_reference(case, gradients)
        fast2, slow2 = run_second(case, gradients)
        for a, b in list(zip(fast, fast2)) + list(zip(slow, slow2)):
            rel = np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300))
            worst = max(worst, rel)
            assert rel < 1e-12, (case["name"], rel)
        record = {k: v for k, v in case.items() if k not in ("seed",)}
        record["gradients"] = [table[c].tolist() for c in range(case["calls"])] if table is not None else None
        record["fast"] = [f.tolist() for f in fast]
        record["slow"] = [s.tolist() for s in slow] if slow else None
        with open(os.path.join(OUT, case["name"] + ".json"), "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")
    print(f"{len(CASES)} traces written; the two implementations agree within {worst:.2e} relative")


if __name__ == "__main__":
    main()
