#!/usr/bin/python3
"""Writes regression_losses.json: torch's mean squared error and Huber loss, with their gradients, for
RegressionParityTests.cs.

Run from anywhere with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tests/Optimizers.Tests/Networks/generate_regression_losses.py

Two sections, each in float64 and float32 (the same draws, rounded to float32 for the float32 cases):
  * "losses": an output matrix and a target matrix (n x k), torch.nn.MSELoss() or torch.nn.HuberLoss(delta=1.0)
    with the default mean reduction, the loss and its gradient with respect to the outputs (autograd). The Huber
    cases cover both branches (|d| < 1: quadratic, |d| > 1: linear) and the boundary |d| = 1 exactly; each case
    records how many elements fall in each branch.
  * "networks": a small regressor (torch.nn.Sequential of Linear layers with tanh or ReLU between them) with given
    weights, a batch of inputs and targets, the loss and the gradient of every weight and bias (autograd). The C#
    test copies the weights into a Network.Regressor of the same shape and compares Backward's result.

float64 cases are also computed by a plain-Python reference written here from the formulas (element by element,
Python floats); the script refuses to write anything unless torch and the reference agree within 1e-14 relative.

A float32 value is written as the repr() of the double it equals exactly, so it reads back to the same float32.
The output is deterministic (seeded generators, fixed case list): re-running reproduces the file byte for byte.
"""

import json
import os
import re

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "regression_losses.json")
DELTA = 1.0
DTYPES = {"float64": torch.float64, "float32": torch.float32}
LOSS_NAMES = {"MeanSquaredError": lambda: torch.nn.MSELoss(), "Huber": lambda: torch.nn.HuberLoss(delta=DELTA)}


def matrix(t):
    """A 2-D tensor as a list of rows of Python floats (exact: float32 values are doubles too)."""
    return [[float(v) for v in row] for row in t.tolist()]


def rounded(array, dtype):
    return torch.tensor(array, dtype=torch.float64).to(dtype)


# ---------------------------------------------------------------------------------------------------- loss cases

def loss_cases():
    """(name, loss, outputs, targets) drawn in float64."""
    rng = np.random.default_rng(20260413)
    cases = []

    t = rng.normal(size=(4, 1))
    cases.append(("mse-column", "MeanSquaredError", t + rng.normal(scale=0.5, size=(4, 1)), t))

    t = rng.normal(size=(5, 3))
    cases.append(("mse-three-outputs", "MeanSquaredError", t + rng.normal(scale=2.0, size=(5, 3)), t))

    t = rng.normal(scale=300.0, size=(3, 2))
    cases.append(("mse-large-values", "MeanSquaredError", t + rng.normal(scale=50.0, size=(3, 2)), t))

    t = rng.normal(size=(4, 2))
    cases.append(("huber-quadratic", "Huber", t + rng.uniform(-0.9, 0.9, size=(4, 2)), t))

    t = rng.normal(size=(3, 2))
    signs = np.where(rng.uniform(size=(3, 2)) < 0.5, -1.0, 1.0)
    cases.append(("huber-linear", "Huber", t + signs * rng.uniform(1.2, 6.0, size=(3, 2)), t))

    # Both branches and the boundary: d = ±1 exactly (1.5 - 0.5, -1.25 - (-0.25)), 0, and values either side.
    outputs = np.array([[1.5, -1.25], [0.3, 2.0], [-3.5, 0.125], [0.75, -0.4], [4.0, 1.0]])
    targets = np.array([[0.5, -0.25], [0.3, -0.75], [0.25, 0.5], [0.0, 0.55], [-1.0, 0.2]])
    cases.append(("huber-both-branches-and-boundary", "Huber", outputs, targets))

    cases.append(("mse-on-the-same-rows", "MeanSquaredError", outputs, targets))
    return cases


def reference_loss(loss, outputs, targets):
    """Plain-Python float64 loss and gradient (the formulas of RegressionLoss's documentation)."""
    rows, columns = len(outputs), len(outputs[0])
    count = rows * columns
    total = 0.0
    gradient = [[0.0] * columns for _ in range(rows)]
    for r in range(rows):
        for c in range(columns):
            d = outputs[r][c] - targets[r][c]
            if loss == "MeanSquaredError":
                total += d * d
                gradient[r][c] = d * (2.0 / count)
            else:
                z = abs(d)
                total += 0.5 * z * z if z < DELTA else DELTA * (z - 0.5 * DELTA)
                gradient[r][c] = (1.0 / count) * max(-DELTA, min(DELTA, d))
    return total / count, gradient


def torch_loss(loss, outputs, targets):
    outputs = outputs.clone().requires_grad_(True)
    value = LOSS_NAMES[loss]()(outputs, targets)
    value.backward()
    return float(value.item()), matrix(outputs.grad)


def relative(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def check_against_reference(name, loss, expected, gradient, outputs, targets):
    ref_loss, ref_gradient = reference_loss(loss, outputs, targets)
    worst = relative(expected, ref_loss)
    for row, ref_row in zip(gradient, ref_gradient):
        for g, rg in zip(row, ref_row):
            worst = max(worst, 0.0 if g == rg else relative(g, rg))
    if worst > 1e-14:
        raise SystemExit(f"{name}: torch and the reference differ by {worst:.3g} relative")
    return worst


def losses_section():
    section = []
    for dtype_name, dtype in DTYPES.items():
        for name, loss, outputs, targets in loss_cases():
            o, t = rounded(outputs, dtype), rounded(targets, dtype)
            value, gradient = torch_loss(loss, o, t)
            d = (o - t).abs()
            case = {
                "name": name,
                "dtype": dtype_name,
                "loss": loss,
                "outputs": matrix(o),
                "targets": matrix(t),
                "expectedLoss": value,
                "expectedGradient": gradient,
                "quadraticElements": int((d < DELTA).sum()),
                "linearElements": int((d > DELTA).sum()),
                "boundaryElements": int((d == DELTA).sum()),
            }
            if dtype_name == "float64":
                case["referenceMaxRelativeDifference"] = check_against_reference(
                    name, loss, value, gradient, case["outputs"], case["targets"])
            if loss == "Huber" and name != "huber-quadratic" and case["linearElements"] == 0:
                raise SystemExit(f"{name}: no element in the linear branch")
            if loss == "Huber" and name != "huber-linear" and case["quadraticElements"] == 0:
                raise SystemExit(f"{name}: no element in the quadratic branch")
            section.append(case)
    both = [c for c in section if c["name"] == "huber-both-branches-and-boundary"]
    if any(c["boundaryElements"] < 2 for c in both):
        raise SystemExit("the boundary case lost its |d| = 1 elements")
    return section


# ------------------------------------------------------------------------------------------------- network cases

def network_cases():
    """(name, loss, activation, layer sizes, target scale): small regressors."""
    return [
        ("tanh-2-3-2-mse", "MeanSquaredError", "Tanh", [2, 3, 2], 1.0),
        ("relu-3-4-4-1-mse", "MeanSquaredError", "ReLU", [3, 4, 4, 1], 1.0),
        ("tanh-2-5-3-huber", "Huber", "Tanh", [2, 5, 3], 3.0),   # targets spread wide: both Huber branches
        ("sigmoid-1-4-1-huber", "Huber", "Sigmoid", [1, 4, 1], 2.0),
    ]


ACTIVATIONS = {"Tanh": torch.nn.Tanh, "ReLU": torch.nn.ReLU, "Sigmoid": torch.nn.Sigmoid}


def networks_section():
    section = []
    for dtype_name, dtype in DTYPES.items():
        rng = np.random.default_rng(4242)
        for name, loss, activation, sizes, target_scale in network_cases():
            weights = [rng.uniform(-1, 1, size=(sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)]
            biases = [rng.uniform(-0.5, 0.5, size=(sizes[l + 1],)) for l in range(len(sizes) - 1)]
            inputs = rng.uniform(-2, 2, size=(6, sizes[0]))
            targets = rng.normal(scale=target_scale, size=(6, sizes[-1]))

            modules = []
            for l in range(len(sizes) - 1):
                linear = torch.nn.Linear(sizes[l], sizes[l + 1]).to(dtype)
                with torch.no_grad():
                    linear.weight.copy_(rounded(weights[l], dtype))
                    linear.bias.copy_(rounded(biases[l], dtype))
                modules.append(linear)
                if l < len(sizes) - 2:
                    modules.append(ACTIVATIONS[activation]())
            model = torch.nn.Sequential(*modules)
            x, y = rounded(inputs, dtype), rounded(targets, dtype)
            outputs = model(x)
            value = LOSS_NAMES[loss]()(outputs, y)
            value.backward()
            linears = [m for m in modules if isinstance(m, torch.nn.Linear)]
            d = (outputs.detach() - y).abs()
            section.append({
                "name": name,
                "dtype": dtype_name,
                "loss": loss,
                "activation": activation,
                "layerSizes": sizes,
                "layers": [{"weight": matrix(m.weight.detach()), "bias": [float(v) for v in m.bias.detach().tolist()]} for m in linears],
                "inputs": matrix(x),
                "targets": matrix(y),
                "expectedOutputs": matrix(outputs.detach()),
                "expectedLoss": float(value.item()),
                "expectedGradients": [{"weight": matrix(m.weight.grad), "bias": [float(v) for v in m.bias.grad.tolist()]} for m in linears],
                "quadraticElements": int((d < DELTA).sum()),
                "linearElements": int((d > DELTA).sum()),
            })
            if loss == "Huber" and (section[-1]["quadraticElements"] == 0 or section[-1]["linearElements"] == 0):
                raise SystemExit(f"{name} ({dtype_name}): the outputs do not reach both Huber branches")
    return section


def main():
    torch.manual_seed(0)
    document = {
        "generator": "tests/Optimizers.Tests/Networks/generate_regression_losses.py",
        "torch": torch.__version__,
        "losses": losses_section(),
        "networks": networks_section(),
    }
    text = json.dumps(document, indent=1)
    # One line per list of numbers (a matrix row, a bias), so that the file reads as rows.
    text = re.sub(r"\[\s*([-0-9.e+, \n]+?)\s*\]", lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    for case in document["losses"]:
        extra = f", reference {case['referenceMaxRelativeDifference']:.2g}" if "referenceMaxRelativeDifference" in case else ""
        print(f"{case['dtype']} {case['name']}: loss {case['expectedLoss']!r} "
              f"({case['quadraticElements']} quadratic, {case['linearElements']} linear, {case['boundaryElements']} at |d| = 1{extra})")
    for case in document["networks"]:
        print(f"{case['dtype']} network {case['name']}: loss {case['expectedLoss']!r} "
              f"({case['quadraticElements']} quadratic, {case['linearElements']} linear)")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
