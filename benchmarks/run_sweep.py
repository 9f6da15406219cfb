"""Benchmark: 10,000 learning rates x 1,000 SGD steps on Rosenbrock, in one run.

    python benchmarks/run_sweep.py            # prints a table

Compares lrlab.run against
  * a plain numpy loop that records the same things (params, loss, grad norm),
    vectorized over the lrs like lrlab, written the obvious way;
  * a torch.optim.SGD loop, one trajectory at a time (timed on a few
    trajectories, reported per trajectory);
and times `import lrlab` in a fresh interpreter. Best of several repeats.
"""
from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

import lrlab

N_LR, N_STEPS, REPEATS = 10_000, 1_000, 9
X0 = np.array([-1.5, 2.0])
LRS = np.geomspace(1e-5, 2e-3, N_LR)     # the range where Rosenbrock runs do not blow up


def plain_numpy(lrs, x0, num_steps, a=1.0, b=100.0):
    """The obvious numpy loop over steps, vectorized over lrs, recording what lrlab records."""
    x = np.tile(x0, (lrs.size, 1))
    params = np.empty((num_steps + 1, lrs.size, 2))
    loss = np.empty((num_steps + 1, lrs.size))
    gnorm = np.empty((num_steps + 1, lrs.size))
    for t in range(num_steps + 1):
        u, v = x[:, 0], x[:, 1]
        f = (a - u) ** 2 + b * (v - u ** 2) ** 2
        g = np.stack([-2 * (a - u) - 4 * b * u * (v - u ** 2), 2 * b * (v - u ** 2)], axis=-1)
        params[t], loss[t], gnorm[t] = x, f, np.linalg.norm(g, axis=-1)
        if t < num_steps:
            x = x - lrs[:, None] * g
    return params, loss, gnorm


def torch_loop(lr, x0, num_steps):
    import torch
    w = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=float(lr), foreach=False)
    params, loss, gnorm = [], [], []
    for _ in range(num_steps + 1):
        opt.zero_grad()
        f = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
        f.backward()
        params.append(w.detach().clone()); loss.append(float(f.detach())); gnorm.append(float(w.grad.norm()))
        opt.step()
    return params, loss, gnorm


def best_of(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times)), out


def main():
    loss = lrlab.losses.rosenbrock()
    sgd = lrlab.steppers.sgd()
    # interleave the two so that both see the same machine load; keep best and median of REPEATS
    lab_times, np_times = [], []
    for _ in range(REPEATS):
        dt, _, traj = best_of(lambda: lrlab.run(loss=loss, stepper=sgd, x0=X0, lr=LRS, num_steps=N_STEPS), 1)
        lab_times.append(dt)
        dt, _, (p, f, g) = best_of(lambda: plain_numpy(LRS, X0, N_STEPS), 1)
        np_times.append(dt)
    t_lab, med_lab = min(lab_times), float(np.median(lab_times))
    t_np, med_np = min(np_times), float(np.median(np_times))
    np.testing.assert_allclose(traj.params, p, rtol=1e-12, atol=1e-12)   # same numbers
    np.testing.assert_allclose(traj.loss, f, rtol=1e-10, atol=1e-12)
    k = 5
    t_torch, _, _ = best_of(lambda: [torch_loop(lr, X0, N_STEPS) for lr in LRS[:k]], repeats=2)
    per_torch = t_torch / k
    imports = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import lrlab"], capture_output=True, text=True)
        total = [l for l in out.stderr.splitlines() if l.rstrip().endswith("| lrlab")]
        imports.append(int(total[-1].split("|")[1]) / 1e6)
    print(f"sweep: {N_LR:,} lrs x {N_STEPS:,} SGD steps on Rosenbrock, recording params, loss, grad norm")
    print(f"{'':32s}{'best':>10s}{'median':>10s}{'per trajectory':>18s}")
    print(f"{'lrlab.run':32s}{t_lab:9.3f}s{med_lab:9.3f}s{t_lab / N_LR * 1e6:15.1f} us")
    print(f"{'plain numpy loop':32s}{t_np:9.3f}s{med_np:9.3f}s{t_np / N_LR * 1e6:15.1f} us")
    print(f"{'torch.optim.SGD loop (1 traj.)':32s}{'':>10s}{'':>10s}{per_torch * 1e6:15.1f} us")
    print(f"speed-up vs plain numpy: {t_np / t_lab:.2f}x;  per trajectory vs torch.optim: {per_torch / (t_lab / N_LR):,.0f}x")
    print(f"import lrlab: {np.median(imports) * 1e3:.1f} ms (median of 5, -X importtime, cumulative)")


if __name__ == "__main__":
    main()
