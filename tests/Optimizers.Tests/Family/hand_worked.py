"""Checks the hand-worked numbers in AdamTests.cs, AdamWTests.cs, NAdamTests.cs, RAdamTests.cs (decoupled too) and AdafactorTests.cs.

Not needed by the tests. Each scenario is evaluated twice: with 50-digit decimals from the nominal decimal
hyperparameters (the numbers written in the test comments) and with binary doubles in the order the C# kernels
use. It prints every state and parameter value after each step with the relative gap between the two, which is
what the 1e-15 relative tolerance of the hand-worked tests has to cover. Plain Python, no PyTorch:
    python3 tests/Optimizers.Tests/Family/hand_worked.py
"""
import math
from decimal import Decimal, getcontext

getcontext().prec = 50


def num(x, exact):
    return Decimal(str(x)) if exact else float(x)


def sqrt(x):
    return x.sqrt() if isinstance(x, Decimal) else math.sqrt(x)


def adam(exact, theta, grads, lrs, b1, b2, eps, wd, decoupled=False, amsgrad=False, maximize=False):
    n = lambda x: num(x, exact)
    theta = [n(x) for x in theta]
    b1, b2, eps, wd = n(b1), n(b2), n(eps), n(wd)
    m = [n(0)] * len(theta); v = [n(0)] * len(theta); vmax = [n(0)] * len(theta)
    out = []
    for t, (grad, lr) in enumerate(zip(grads, lrs), start=1):
        lr = n(lr)
        bc1 = 1 - b1 ** t; bc2 = 1 - b2 ** t
        step_size = lr / bc1; c2 = sqrt(bc2)
        shrink = 1 - lr * wd if decoupled else n(1)
        l2 = n(0) if decoupled else wd
        for i, g in enumerate(grad):
            th = theta[i] * shrink
            g = (-n(g) if maximize else n(g)) + th * l2
            m[i] = m[i] * b1 + (1 - b1) * g
            v[i] = v[i] * b2 + (1 - b2) * g * g
            vhat = v[i]
            if amsgrad:
                vmax[i] = max(vmax[i], v[i]); vhat = vmax[i]
            theta[i] = th - step_size * m[i] / (sqrt(vhat) / c2 + eps)
        out.append({"exp_avg": list(m), "exp_avg_sq": list(v), "max_exp_avg_sq": list(vmax), "theta": list(theta)})
    return out


def nadam(exact, theta, grads, lrs, b1, b2, eps, wd, psi, maximize=False, decoupled=False):
    n = lambda x: num(x, exact)
    theta = [n(x) for x in theta]
    b1, b2, eps, wd, psi = n(b1), n(b2), n(eps), n(wd), n(psi)
    m = [n(0)] * len(theta); v = [n(0)] * len(theta); prod = n(1)
    out = []
    for t, (grad, lr) in enumerate(zip(grads, lrs), start=1):
        lr = n(lr)
        bc2 = 1 - b2 ** t
        mu = b1 * (1 - n(0.5) * n(0.96) ** (t * psi))
        mu_next = b1 * (1 - n(0.5) * n(0.96) ** ((t + 1) * psi))
        prod = prod * mu
        a = lr * (1 - mu) / (1 - prod)
        b = lr * mu_next / (1 - prod * mu_next)
        shrink = 1 - lr * wd if decoupled else n(1)
        l2 = n(0) if decoupled else wd
        for i, g in enumerate(grad):
            theta[i] = theta[i] * shrink
            g = (-n(g) if maximize else n(g)) + theta[i] * l2
            m[i] = m[i] * b1 + (1 - b1) * g
            v[i] = v[i] * b2 + (1 - b2) * g * g
            d = sqrt(v[i] / bc2) + eps
            theta[i] = theta[i] - a * g / d - b * m[i] / d
        out.append({"mu": mu, "mu_next": mu_next, "mu_product": prod, "a": a, "b": b,
                    "exp_avg": list(m), "exp_avg_sq": list(v), "theta": list(theta)})
    return out


def radam(exact, theta, grads, lrs, b1, b2, eps, wd, maximize=False, decoupled=False):
    n = lambda x: num(x, exact)
    theta = [n(x) for x in theta]
    b1, b2, eps, wd = n(b1), n(b2), n(eps), n(wd)
    m = [n(0)] * len(theta); v = [n(0)] * len(theta)
    rho_inf = 2 / (1 - b2) - 1
    out = []
    for t, (grad, lr) in enumerate(zip(grads, lrs), start=1):
        lr = n(lr)
        p2 = b2 ** t
        bc1 = 1 - b1 ** t; bc2 = 1 - p2
        rho = rho_inf - 2 * t * p2 / bc2
        s = lr / bc1
        rect = None
        if rho > 5:
            rect = sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            s = s * (rect * sqrt(bc2))
        shrink = 1 - lr * wd if decoupled else n(1)
        l2 = n(0) if decoupled else wd
        for i, g in enumerate(grad):
            theta[i] = theta[i] * shrink
            g = (-n(g) if maximize else n(g)) + theta[i] * l2
            m[i] = m[i] * b1 + (1 - b1) * g
            v[i] = v[i] * b2 + (1 - b2) * g * g
            theta[i] = theta[i] - (s * m[i] / (sqrt(v[i]) + eps) if rect is not None else s * m[i])
        out.append({"rho": rho, "rect": rect, "exp_avg": list(m), "exp_avg_sq": list(v), "theta": list(theta)})
    return out


def adafactor(exact, theta, grads, lrs, tau, eps1, eps2, d, wd):
    """theta and every gradient: a list of rows (rank 2, factored) or a flat list (rank 1, full second moment)."""
    n = lambda x: num(x, exact)
    matrix = isinstance(theta[0], list)
    flat = lambda a: [x for row in a for x in row] if matrix else list(a)
    theta = [[n(x) for x in row] for row in theta] if matrix else [n(x) for x in theta]
    rows, cols = (len(theta), len(theta[0])) if matrix else (0, 0)
    R, C, V = [n(0)] * rows, [n(0)] * cols, [n(0)] * (0 if matrix else len(theta))
    out = []
    for t, (grad, lr) in enumerate(zip(grads, lrs), start=1):
        lr, size = n(lr), len(flat(theta))
        w = n(t) ** n(tau)                                      # 1 - beta2_t = t^tau
        rho = min(lr, 1 / sqrt(n(t)))
        alpha = max(n(eps2), sqrt(sum(x * x for x in flat(theta)) / size)) * rho
        if matrix:
            g = [[n(x) for x in row] for row in grad]
            R = [R[i] + w * (sum(g[i][j] ** 2 for j in range(cols)) / cols - R[i]) for i in range(rows)]
            C = [C[j] + w * (sum(g[i][j] ** 2 for i in range(rows)) / rows - C[j]) for j in range(cols)]
            mean = max(sum(R) / rows, n(eps1))
            u = [[g[i][j] / sqrt(max(R[i] * C[j] / mean, n(eps1) ** 2)) for j in range(cols)] for i in range(rows)]
        else:
            g = [n(x) for x in grad]
            V = [v + w * (x * x - v) for v, x in zip(V, g)]
            u = [x / sqrt(max(v, n(eps1) ** 2)) for v, x in zip(V, g)]
        clip = max(n(1), sqrt(sum(x * x for x in flat(u)) / size) / n(d))
        decay = 1 - lr * n(wd)
        if matrix:
            theta = [[theta[i][j] * decay - alpha * u[i][j] / clip for j in range(cols)] for i in range(rows)]
        else:
            theta = [x * decay - alpha * ui / clip for x, ui in zip(theta, u)]
        out.append({"row_var": list(R), "col_var": list(C), "variance": list(V), "theta": flat(theta)})
    return out


def show(name, f, *args, **kw):
    exact, binary = f(True, *args, **kw), f(False, *args, **kw)
    print(f"== {name}")
    worst = 0.0
    for t, (e, b) in enumerate(zip(exact, binary), start=1):
        for key in e:
            ev, bv = e[key], b[key]
            if ev is None:
                continue
            evs, bvs = (ev, bv) if isinstance(ev, list) else ([ev], [bv])
            cells = []
            for x, y in zip(evs, bvs):
                gap = 0.0 if x == 0 else abs(float((Decimal(y) - x) / x))
                worst = max(worst, gap)
                cells.append(f"{float(x)!r} (exact {x:.25g}, gap {gap:.1e})")
            print(f"  t={t} {key}: " + "; ".join(cells))
    print(f"  worst relative gap {worst:.2e}")


show("Adam defaults", adam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.001, 0.001], 0.9, 0.999, 1e-8, 0.0)
show("Adam amsgrad", adam, [1.0, -0.5], [[2.0, -1.0], [0.5, 2.0]], [0.1, 0.1], 0.5, 0.5, 1e-8, 0.0, amsgrad=True)
show("Adam weight decay, maximize, lr change", adam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.1, 0.05],
     0.5, 0.5, 1e-8, 0.1, maximize=True)
show("AdamW defaults", adam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.001, 0.001], 0.9, 0.999, 1e-8, 0.01,
     decoupled=True)
show("AdamW amsgrad, maximize, lr change", adam, [1.0, -0.5], [[2.0, -1.0], [0.5, 2.0]], [0.1, 0.2], 0.5, 0.5, 1e-8,
     0.5, decoupled=True, amsgrad=True, maximize=True)
show("NAdam defaults", nadam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.002, 0.002], 0.9, 0.999, 1e-8, 0.0, 0.004)
show("NAdam psi 1, weight decay, maximize", nadam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.1, 0.1], 0.5, 0.5,
     1e-8, 0.1, 1.0, maximize=True)
show("RAdam defaults", radam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.001, 0.001], 0.9, 0.999, 1e-8, 0.0)
show("RAdam weight decay, maximize", radam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.1, 0.1], 0.5, 0.5, 1e-8, 0.1,
     maximize=True)
show("RAdam beta2 0.9, constant gradient, six steps", radam, [1.0, -0.5], [[0.5, -2.0]] * 6, [0.1] * 6, 0.5, 0.9,
     1e-8, 0.0)
show("RAdam defaults, constant gradient, six steps", radam, [1.0, -0.5], [[0.5, -2.0]] * 6, [0.001] * 6, 0.9, 0.999,
     1e-8, 0.0)
show("NAdam decoupled weight decay (NAdamW), psi 1", nadam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.1, 0.1], 0.5, 0.5,
     1e-8, 0.1, 1.0, decoupled=True)
show("RAdam decoupled weight decay (RAdamW), maximize", radam, [1.0, -0.5], [[0.5, -2.0], [-0.25, 1.0]], [0.1, 0.1], 0.5,
     0.5, 1e-8, 0.1, maximize=True, decoupled=True)
show("RAdam decoupled, beta2 0.9, constant gradient, six steps", radam, [1.0, -0.5], [[0.5, -2.0]] * 6, [0.1] * 6, 0.5,
     0.9, 1e-8, 0.2, decoupled=True)
show("Adafactor 2x2 weight", adafactor, [[2.0, -2.0], [2.0, 2.0]], [[[3.0, 4.0], [4.0, 3.0]], [[0.0, 0.0], [0.0, 2.0]]],
     [0.1, 0.1], -0.8, 2.0 ** -52, 1e-3, 1.0, 0.0)
show("Adafactor vector, weight decay, clipping", adafactor, [1.0, -1.0], [[0.5, 0.0], [3.0, 3.0]], [0.1, 0.1], -0.8,
     2.0 ** -52, 1e-3, 1.0, 0.5)
