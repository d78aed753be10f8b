"""Checks the hand-worked numbers in AdamTests.cs, AdamWTests.cs, NAdamTests.cs and RAdamTests.cs (decoupled too).

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
