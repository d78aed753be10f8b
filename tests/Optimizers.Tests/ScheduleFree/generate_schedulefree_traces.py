#!/usr/bin/python3
"""Writes schedulefree_traces.json, the traces ScheduleFreeTraceTests.cs replays (both training and evaluation points).

Run with Debian's NumPy (and, for the check against the authors' own code, python3-torch 1.13):

    /usr/bin/python3 tests/Optimizers.Tests/ScheduleFree/generate_schedulefree_traces.py [path/to/schedule_free/schedulefree]

The reference (Reference below) is a NumPy transcription, operation by operation, of the authors' single-tensor loop
(foreach=False) in

    facebookresearch/schedule_free, commit 70785b53e778d0e872c0bbb75ff4ee54ee10c291 (2026-07-28):
      schedulefree/adamw_schedulefree.py   AdamWScheduleFree.step / eval / train   (inner_momentum = 0, its default)
      schedulefree/sgd_schedulefree.py     SGDScheduleFree.step / eval / train

Scalars (k, sched, lr, lr_max, weight, weight_sum, ckp1, bias_correction2, lr*(beta1*(1-ckp1)-1)) are Python doubles,
as in the authors' code; every tensor operation is done in the trace's dtype with its scalar rounded to that dtype
first (torch's rule for a Python scalar in a float32 op), each operation rounded on its own. lerp is torch's:
s + w*(e - s) when |w| < 0.5, else e - (e - s)*(1 - w).

Each step of a trace: set the learning rate, set the gradients, step(); record the parameters (y, the training
point); eval(); record them (x, the evaluation point); train(); record them again (y after the round trip, from which
the next step goes on). So the traces are a training loop that evaluates after every step.

Checks before anything is written:
  * Independent: every float64 case is recomputed by Independent below, written separately from the paper's form
    (z, x and y all stored explicitly, plain Python floats, no interpolation): z -= lr*u; x = (1-c)*x + c*z;
    y = (1-beta)*z + beta*x. Its y and x must agree with the reference within 1e-12 relative at every step
    (it does no round trips, so this also bounds what the round trips add).
  * The authors' code itself, when the directory of schedulefree/*.py is given (or found at
    /tmp/sfree-ref): run under torch 1.13 with foreach=False on the same inputs, float64 and float32; the worst
    difference is stored per case ("authorsMaxRelativeDifference" in float64, "authorsMaxScaledDifference" in float32).
    float64 must agree within 1e-13 relative.
  * Every recorded value is at least MIN_MAGNITUDE away from zero (the replay's tolerance is relative).

Cases: open loop (gradients N(0,1)*10^k, k drawn per step uniformly from [-2, 1], i.e. scales 1e-2 to 10; at steps
1, 10, 19, ... one element of each gradient is exactly 0), a tiny-gradient case for AdamW (scales 1e-9 to 1e-7, near ε),
and a closed loop on Rosenbrock (four 2-D Rosenbrock functions side by side, the gradient taken at y each step).
"""
import json
import math
import os
import sys

import numpy as np

STEPS = 64
MIN_MAGNITUDE = 0.02
CROSS_CHECK = 1e-12
AUTHORS_CHECK_64 = 1e-13


class Reference:
    """The authors' step/eval/train, transcribed; dtype np.float64 or np.float32."""

    def __init__(self, kind, values, dtype, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0):
        self.kind, self.dtype = kind, dtype
        self.p = [np.array(v, dtype=dtype) for v in values]
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.decay, self.warmup_steps, self.r, self.weight_lr_power = weight_decay, warmup_steps, r, weight_lr_power
        self.k, self.train_mode, self.weight_sum, self.lr_max = 0, False, 0.0, -1.0
        self.state = [dict() for _ in self.p]

    def s(self, x):
        return self.dtype(x)

    def lerp_(self, p, end, weight):
        w = self.s(weight)
        if abs(w) < 0.5:
            p[:] = p + w * (end - p)
        else:
            p[:] = end - (end - p) * (self.s(1) - w)

    def eval(self):
        if self.train_mode:
            for i, p in enumerate(self.p):
                if 'z' in self.state[i]:
                    self.lerp_(p, self.state[i]['z'], 1 - 1 / self.beta1)
            self.train_mode = False

    def train(self):
        if not self.train_mode:
            for i, p in enumerate(self.p):
                if 'z' in self.state[i]:
                    self.lerp_(p, self.state[i]['z'], 1 - self.beta1)
            self.train_mode = True

    def step(self, grads):
        assert self.train_mode
        k = self.k
        sched = (k + 1) / self.warmup_steps if k < self.warmup_steps else 1.0
        bias_correction2 = 1 - self.beta2 ** (k + 1)
        lr = self.lr * sched
        lr_max = self.lr_max = max(lr, self.lr_max)
        weight = ((k + 1) ** self.r) * (lr_max ** self.weight_lr_power)
        weight_sum = self.weight_sum = self.weight_sum + weight
        ckp1 = weight / weight_sum if weight_sum != 0 else 0
        for i, y in enumerate(self.p):
            st = self.state[i]
            if 'z' not in st:
                st['z'] = y.copy()
                if self.kind == 'adamw':
                    st['exp_avg_sq'] = np.zeros_like(y)
            z = st['z']
            grad = np.array(grads[i], dtype=self.dtype)
            if self.kind == 'adamw':
                v = st['exp_avg_sq']
                v[:] = v * self.s(self.beta2)
                v[:] = v + self.s(1 - self.beta2) * grad * grad            # addcmul_(grad, grad, value=1-beta2)
                denom = np.sqrt(v / self.s(bias_correction2)) + self.s(self.eps)
                grad = grad / denom                                        # grad.div_(denom)
            if self.decay != 0:
                grad = grad + self.s(self.decay) * y                       # add_(y, alpha=decay)
            self.lerp_(y, z, ckp1)
            y[:] = y + self.s(lr * (self.beta1 * (1 - ckp1) - 1)) * grad
            z[:] = z - self.s(lr) * grad                               # z.sub_(grad, alpha=lr)
        self.k = k + 1


class Independent:
    """Written from the paper's three sequences, element by element on Python floats: z, x, y all stored."""

    def __init__(self, kind, values, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0):
        self.kind = kind
        self.z = [list(map(float, v)) for v in values]
        self.x = [list(map(float, v)) for v in values]
        self.y = [list(map(float, v)) for v in values]
        self.v = [[0.0] * len(v) for v in values]
        self.lr, self.b1, self.b2, self.eps, self.wd = lr, beta1, beta2, eps, weight_decay
        self.warmup, self.r, self.power = warmup_steps, r, weight_lr_power
        self.t, self.total, self.top = 0, 0.0, -1.0

    def step(self, grads):
        self.t += 1
        t = self.t
        gamma = self.lr * min(1.0, t / self.warmup) if self.warmup > 0 else self.lr
        self.top = max(self.top, gamma)
        w = math.pow(t, self.r) * math.pow(self.top, self.power)
        self.total += w
        c = 0.0 if self.total == 0 else w / self.total
        for i in range(len(self.y)):
            for j in range(len(self.y[i])):
                g = float(grads[i][j])
                if self.kind == 'adamw':
                    self.v[i][j] = self.b2 * self.v[i][j] + (1 - self.b2) * g * g
                    g = g / (math.sqrt(self.v[i][j] / (1 - self.b2 ** t)) + self.eps)
                u = g + self.wd * self.y[i][j]
                self.z[i][j] -= gamma * u
                self.x[i][j] = (1 - c) * self.x[i][j] + c * self.z[i][j]
                self.y[i][j] = (1 - self.b1) * self.z[i][j] + self.b1 * self.x[i][j]


def rosenbrock_gradient(values, dtype):
    q = np.array(values, dtype=dtype)
    a, b = q[0::2], q[1::2]
    g = np.empty_like(q)
    two, hundred = dtype(2), dtype(100)
    g[0::2] = -two * (dtype(1) - a) - dtype(4) * hundred * a * (b - a * a)
    g[1::2] = dtype(2) * hundred * (b - a * a)
    return g


def learning_rates(base, schedule):
    if schedule == 'constant':
        return [base] * STEPS
    if schedule == 'piecewise':
        return [base * (1 if t < 16 else 0.25 if t < 32 else 2 if t < 48 else 0.1) for t in range(STEPS)]
    if schedule == 'cosine':
        return [base * 0.5 * (1 + math.cos(math.pi * t / STEPS)) + base * 0.05 for t in range(STEPS)]
    raise ValueError(schedule)


CASES = [
    # optimizer, case, options (C# names; absent = C# default), schedule, gradients, seed
    ('ScheduleFreeSgd', 'defaults', {'learningRate': 0.002}, 'constant', 'wide', 11),
    ('ScheduleFreeSgd', 'all-options', {'learningRate': 0.003, 'momentum': 0.8, 'weightDecay': 0.05, 'warmupSteps': 10,
                                        'r': 1.0, 'weightLrPower': 1.5}, 'piecewise', 'wide', 12),
    ('ScheduleFreeSgd', 'rosenbrock', {'learningRate': 0.0002, 'warmupSteps': 5}, 'constant', 'rosenbrock', 13),
    ('ScheduleFreeAdamW', 'defaults', {}, 'constant', 'wide', 21),
    ('ScheduleFreeAdamW', 'all-options', {'learningRate': 0.01, 'beta1': 0.8, 'beta2': 0.99, 'epsilon': 1e-6,
                                          'weightDecay': 0.1, 'warmupSteps': 8, 'r': 0.5, 'weightLrPower': 1.0},
     'cosine', 'wide', 22),
    ('ScheduleFreeAdamW', 'tiny-gradients', {'learningRate': 0.005}, 'piecewise', 'tiny', 23),
    ('ScheduleFreeAdamW', 'rosenbrock', {'learningRate': 0.02, 'warmupSteps': 10}, 'constant', 'rosenbrock', 24),
]

DEFAULTS = {
    'ScheduleFreeSgd': {'learningRate': 1.0, 'momentum': 0.9, 'weightDecay': 0.0, 'warmupSteps': 0, 'r': 0.0,
                        'weightLrPower': 2.0},
    'ScheduleFreeAdamW': {'learningRate': 0.0025, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-8, 'weightDecay': 0.0,
                          'warmupSteps': 0, 'r': 0.0, 'weightLrPower': 2.0},
}


def python_arguments(optimizer, options):
    o = dict(DEFAULTS[optimizer])
    o.update(options)
    common = dict(weight_decay=o['weightDecay'], warmup_steps=o['warmupSteps'], r=o['r'],
                  weight_lr_power=o['weightLrPower'])
    if optimizer == 'ScheduleFreeSgd':
        return 'sgd', o['learningRate'], dict(beta1=o['momentum'], **common)
    return 'adamw', o['learningRate'], dict(beta1=o['beta1'], beta2=o['beta2'], eps=o['epsilon'], **common)


def inputs(gradients, seed):
    rng = np.random.default_rng(seed)
    if gradients == 'rosenbrock':
        initial = [[1.6, 2.2, 1.3, 2.5, 1.8, 3.0, 1.4, 1.5]]
        return initial, None
    sizes = (7, 13)
    initial = [(rng.uniform(0.5, 2.0, n) * rng.choice([-1, 1], n)).tolist() for n in sizes]
    lo, hi = (-2, 1) if gradients == 'wide' else (-9, -7)
    grads = []
    for t in range(STEPS):
        step = []
        for n in sizes:
            g = rng.standard_normal(n) * 10.0 ** rng.uniform(lo, hi)
            if t % 9 == 0:
                g[t % n] = 0.0
            step.append(g.tolist())
        grads.append(step)
    return initial, grads


def run_reference(optimizer, options, schedule, gradients, seed, dtype):
    kind, lr, kw = python_arguments(optimizer, options)
    initial, grads = inputs(gradients, seed)
    ref = Reference(kind, initial, dtype, lr, **kw)
    ref.train()
    steps = []
    for t, rate in enumerate(learning_rates(lr, schedule)):
        ref.lr = rate
        g = [rosenbrock_gradient(ref.p[0], dtype)] if grads is None else [np.array(a, dtype=dtype) for a in grads[t]]
        ref.step(g)
        train = [p.copy() for p in ref.p]
        ref.eval()
        evaluation = [p.copy() for p in ref.p]
        ref.train()
        steps.append(dict(learningRate=rate, gradients=g, train=train, eval=evaluation, trainAfter=[p.copy() for p in ref.p]))
    return [np.array(v, dtype=dtype) for v in initial], steps, ref


def run_independent(optimizer, options, initial, steps):
    kind, lr, kw = python_arguments(optimizer, options)
    ind = Independent(kind, [v.tolist() for v in initial], lr, **kw)
    worst = 0.0
    for s in steps:
        ind.lr = s['learningRate']
        ind.step([g.tolist() for g in s['gradients']])
        for mine, theirs in ((ind.y, s['train']), (ind.x, s['eval']), (ind.y, s['trainAfter'])):
            for a, b in zip(mine, theirs):
                worst = max(worst, max(abs(x - y) / abs(y) for x, y in zip(a, b.tolist())))
    return worst


def run_authors(directory, optimizer, options, initial, steps, dtype):
    """The authors' own code under torch (foreach=False), fed the reference's gradients; worst difference."""
    if directory is None:
        return None
    import torch
    sys.path.insert(0, directory)
    from adamw_schedulefree import AdamWScheduleFree
    from sgd_schedulefree import SGDScheduleFree
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    kind, lr, kw = python_arguments(optimizer, options)
    params = [torch.nn.Parameter(torch.tensor(v, dtype=tdtype)) for v in initial]
    common = dict(weight_decay=kw['weight_decay'], warmup_steps=kw['warmup_steps'], r=kw['r'],
                  weight_lr_power=kw['weight_lr_power'], foreach=False)
    opt = (SGDScheduleFree(params, lr=lr, momentum=kw['beta1'], **common) if kind == 'sgd' else
           AdamWScheduleFree(params, lr=lr, betas=(kw['beta1'], kw['beta2']), eps=kw['eps'], **common))
    opt.train()
    largest = max(float(np.max(np.abs(v))) for s in steps for k in ('train', 'eval', 'trainAfter') for v in s[k])
    worst = 0.0
    for s in steps:
        opt.param_groups[0]['lr'] = s['learningRate']
        for p, g in zip(params, s['gradients']):
            p.grad = torch.tensor(g, dtype=tdtype)
        opt.step()
        recorded = [p.detach().numpy().copy() for p in params]
        opt.eval()
        recorded_eval = [p.detach().numpy().copy() for p in params]
        opt.train()
        recorded_after = [p.detach().numpy().copy() for p in params]
        for mine, theirs in ((recorded, s['train']), (recorded_eval, s['eval']), (recorded_after, s['trainAfter'])):
            for a, b in zip(mine, theirs):
                d = np.abs(a.astype(np.float64) - b.astype(np.float64))
                worst = max(worst, float(np.max(d / np.abs(b))) if dtype == np.float64 else float(np.max(d)) / largest)
    return worst


def values(a):
    return [float(x) for x in np.asarray(a).tolist()]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    directory = sys.argv[1] if len(sys.argv) > 1 else ('/tmp/sfree-ref' if os.path.isdir('/tmp/sfree-ref') else None)
    out = []
    for optimizer, case, options, schedule, gradients, seed in CASES:
        for dtype, name in ((np.float64, 'float64'), (np.float32, 'float32')):
            initial, steps, _ = run_reference(optimizer, options, schedule, gradients, seed, dtype)
            smallest = min(float(np.min(np.abs(v))) for s in steps for k in ('train', 'eval', 'trainAfter') for v in s[k])
            assert smallest >= MIN_MAGNITUDE, (optimizer, case, name, smallest)
            record = dict(optimizer=optimizer, case=case, dtype=name, options=options, schedule=schedule,
                          gradients='closed loop: Rosenbrock at y' if gradients == 'rosenbrock' else
                          ('N(0,1)*10^k, k in [-2, 1]' if gradients == 'wide' else 'N(0,1)*10^k, k in [-9, -7]'))
            if dtype == np.float64:
                worst = run_independent(optimizer, options, initial, steps)
                assert worst < CROSS_CHECK, (optimizer, case, worst)
                record['independentMaxRelativeDifference'] = worst
                authors = run_authors(directory, optimizer, options, initial, steps, dtype)
                if authors is not None:
                    assert authors < AUTHORS_CHECK_64, (optimizer, case, authors)
                    record['authorsMaxRelativeDifference'] = authors
            else:
                authors = run_authors(directory, optimizer, options, initial, steps, dtype)
                if authors is not None:
                    record['authorsMaxScaledDifference'] = authors
            print(f"{optimizer:18} {case:15} {name}: smallest |value| {smallest:.3g}",
                  {k: record[k] for k in record if k.endswith('Difference')})
            record['parameters'] = [dict(name=n, initial=values(v)) for n, v in zip(('w', 'b'), initial)]
            record['steps'] = [dict(learningRate=s['learningRate'], gradients=[values(g) for g in s['gradients']],
                                    train=[values(v) for v in s['train']], eval=[values(v) for v in s['eval']],
                                    trainAfter=[values(v) for v in s['trainAfter']]) for s in steps]
            out.append(record)
    with open(os.path.join(here, 'schedulefree_traces.json'), 'w') as f:
        f.write('{"source": "facebookresearch/schedule_free@70785b53e778d0e872c0bbb75ff4ee54ee10c291, '
                'transcribed in generate_schedulefree_traces.py",\n "cases": [\n')
        f.write(',\n'.join(json.dumps(r, separators=(',', ':')) for r in out))
        f.write('\n]}\n')


if __name__ == '__main__':
    main()
