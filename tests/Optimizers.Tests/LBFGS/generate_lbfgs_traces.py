#!/usr/bin/python3
"""Writes the L-BFGS closed-loop parity traces that LbfgsParityTests.cs replays, in float64 and float32.

Run from anywhere with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tests/Optimizers.Tests/LBFGS/generate_lbfgs_traces.py

Unlike the other parity traces, L-BFGS evaluates the loss itself (through the closure), so the traces are
closed loops: torch.optim.LBFGS (torch/optim/lbfgs.py of torch 1.13) minimises a known function, and the C#
replay minimises the same function with the same closure. The closure computes the loss and the gradient with
plain sequential loops over Python floats (float64) or NumPy float32 scalars (float32), element by element in a
fixed order, so that the C# closure (the same loops) returns bit for bit the same loss and gradient at the same
point; any difference comes from the optimizer. Each step records the learning rate (set in
param_groups[0]['lr'] before the step, a schedule), the loss Step returned, torch's cumulative state['func_evals']
and state['n_iter'], and the parameters after the step.

Problems:
  * rosenbrock: f(x) = sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2 over x = concat(parameters).
  * leastSquares: f(w, b) = (1/m) sum_r (sum_j X[r][j] w[j] + b - y[r])^2, X and y drawn from a seeded generator.

The output is deterministic: re-running the script rewrites the same files byte for byte.
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def rosenbrock(xs, dtype):
    """Loss and gradient of the Rosenbrock function, sequentially, in dtype (np.float64 or np.float32)."""
    one, hundred, two, four = dtype(1), dtype(100), dtype(2), dtype(4)
    n = len(xs)
    loss = dtype(0)
    grad = [dtype(0)] * n
    for i in range(n - 1):
        a = xs[i + 1] - xs[i] * xs[i]
        b = one - xs[i]
        loss = loss + (hundred * a * a + b * b)
        grad[i] = grad[i] + (-(four * hundred) * xs[i] * a - two * b)
        grad[i + 1] = grad[i + 1] + two * hundred * a
    return loss, grad


def least_squares(xs, data, dtype):
    """Loss and gradient of the mean squared residual; xs = w (k values) then b."""
    X, y = data["X"], data["y"]
    m, k = len(X), len(X[0])
    w, b = xs[:k], xs[k]
    inv_m = dtype(1) / dtype(m)
    two = dtype(2)
    loss = dtype(0)
    gw = [dtype(0)] * k
    gb = dtype(0)
    for r in range(m):
        pred = dtype(0)
        for j in range(k):
            pred = pred + dtype(X[r][j]) * w[j]
        res = pred + b - dtype(y[r])
        loss = loss + res * res
        scaled = two * res * inv_m
        for j in range(k):
            gw[j] = gw[j] + scaled * dtype(X[r][j])
        gb = gb + scaled
    return loss * inv_m, gw + [gb]


def make_data(seed, rows, cols):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols)).round(3)
    w = rng.normal(size=cols).round(3)
    y = (X @ w + 0.5 + 0.1 * rng.normal(size=rows)).round(3)
    return {"X": X.tolist(), "y": y.tolist()}


CASES = [
    # name, problem, parameters (name, initial), options (C# names), learning rates per step, data seed
    ("rosenbrock-none", "rosenbrock", [("a", [-1.2]), ("b", [1.0, 0.8, 0.6])],
     {"learningRate": 0.02, "maxIterations": 6, "historySize": 3}, [0.02] * 4 + [0.01] * 4, None),
    ("rosenbrock-wolfe", "rosenbrock", [("a", [-1.2]), ("b", [1.0, 0.8, 0.6])],
     {"maxIterations": 10, "historySize": 4, "lineSearch": "StrongWolfe"}, [1.0] * 12, None),
    ("rosenbrock2-wolfe-defaults", "rosenbrock", [("xy", [-1.5, 2.0])],
     {"lineSearch": "StrongWolfe"}, [1.0] * 5, None),
    ("leastsquares-defaults", "leastSquares", [("w", [0.0, 0.0, 0.0, 0.0]), ("b", [0.0])],
     {}, [1.0] * 4, 7),
    ("leastsquares-none-history2", "leastSquares", [("w", [0.3, -0.2, 0.1, 0.0]), ("b", [1.0])],
     {"learningRate": 0.5, "maxIterations": 5, "historySize": 2, "maxEvaluations": 4, "toleranceChange": 1e-7}, [0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 1.0], 11),
    ("leastsquares-wolfe-history2", "leastSquares", [("w", [0.3, -0.2, 0.1, 0.0]), ("b", [1.0])],
     {"maxIterations": 7, "historySize": 2, "lineSearch": "StrongWolfe", "toleranceGrad": 1e-9}, [1.0] * 5, 11),
]

TORCH_NAMES = {"learningRate": "lr", "maxIterations": "max_iter", "maxEvaluations": "max_eval",
               "toleranceGrad": "tolerance_grad", "toleranceChange": "tolerance_change",
               "historySize": "history_size"}


def run(case, dtype_name):
    name, problem, params, options, lrs, seed = case
    np_dtype = np.float64 if dtype_name == "float64" else np.float32
    torch_dtype = torch.float64 if dtype_name == "float64" else torch.float32
    torch.set_default_dtype(torch_dtype)
    data = make_data(seed, 24, 4) if problem == "leastSquares" else None
    tensors = [torch.tensor([float(np_dtype(v)) for v in init], dtype=torch_dtype, requires_grad=True)
               for _, init in params]
    kwargs = {TORCH_NAMES[k]: v for k, v in options.items() if k != "lineSearch"}
    if options.get("lineSearch") == "StrongWolfe":
        kwargs["line_search_fn"] = "strong_wolfe"
    opt = torch.optim.LBFGS(tensors, **kwargs)

    def closure():
        opt.zero_grad()
        xs = [np_dtype(v) for t in tensors for v in t.detach().numpy().tolist()]
        if problem == "rosenbrock":
            loss, grad = rosenbrock(xs, np_dtype)
        else:
            loss, grad = least_squares(xs, data, np_dtype)
        offset = 0
        for t in tensors:
            n = t.numel()
            t.grad = torch.tensor([float(g) for g in grad[offset:offset + n]], dtype=torch_dtype)
            offset += n
        return float(loss)

    steps = []
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr
        loss = opt.step(closure)
        state = opt.state[tensors[0]]
        expected = [[float(v) for v in t.detach().numpy().tolist()] for t in tensors]
        for row in expected:
            for v in row:
                assert np.isfinite(v), (name, v)
                if dtype_name == "float32":
                    assert float(np.float32(v)) == v
        steps.append({"learningRate": lr, "loss": float(loss), "functionEvaluations": int(state["func_evals"]),
                      "iterations": int(state["n_iter"]), "expected": expected})
    torch.set_default_dtype(torch.float64)
    return {
        "case": name,
        "dtype": dtype_name,
        "source": "torch " + torch.__version__ + ": torch.optim.LBFGS(params, " +
                  ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")",
        "problem": problem,
        "data": data,
        "options": options,
        "parameters": [{"name": n, "initial": [float(np_dtype(v)) for v in init]} for n, init in params],
        "steps": steps,
    }


def main():
    for dtype_name, folder in (("float64", "Fixtures"), ("float32", "Fixtures32")):
        out = os.path.join(HERE, folder)
        os.makedirs(out, exist_ok=True)
        for case in CASES:
            trace = run(case, dtype_name)
            lines = ["{"]
            header = {k: v for k, v in trace.items() if k != "steps"}
            for k, v in header.items():
                lines.append(f"  {json.dumps(k)}: {json.dumps(v)},")
            lines.append('  "steps": [')
            lines.append(",\n".join("    " + json.dumps(s) for s in trace["steps"]))
            lines.append("  ]")
            lines.append("}")
            with open(os.path.join(out, f"LBFGS.{case[0]}.json"), "w") as f:
                f.write("\n".join(lines) + "\n")
            last = trace["steps"][-1]
            print(dtype_name, case[0], "evals", [s["functionEvaluations"] for s in trace["steps"]],
                  "iters", [s["iterations"] for s in trace["steps"]], "loss", last["loss"])


if __name__ == "__main__":
    main()
