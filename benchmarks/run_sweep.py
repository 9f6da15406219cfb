"""Benchmark: 10,000 learning rates x 1,000 SGD steps on Rosenbrock from (-1.5, 2), in one run.

    python benchmarks/run_sweep.py            # prints the tables (about a minute on a quiet machine)
    python benchmarks/run_sweep.py --quick    # the head-to-head only

The lrs go up to 3e-3, so about 6% of the trajectories diverge inside the batch.
Compares, interleaved (each repeat runs all three, so all see the same load), best of REPEATS:
  * ``lrlab.run`` on ``lrlab.losses.rosenbrock()``;
  * ``lrlab.run`` on a user's own loss class (``value`` and ``grad`` written the obvious way);
  * a plain numpy loop that records the same things (params, loss, grad norm),
    vectorized over the lrs like lrlab, written the obvious way (no freezing: its
    divergent columns fill with inf/nan);
then prints the physical bound of the record (an ``np.copyto`` of the same 320 MB, into
warm memory and into fresh memory, which a new record is), how the time grows with the
number of lrs and of steps, a torch.optim.SGD loop per trajectory, and `import lrlab`.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import warnings

import numpy as np

import lrlab

N_LR, N_STEPS, REPEATS = 10_000, 1_000, 5
X0 = np.array([-1.5, 2.0])
LRS = np.geomspace(1e-5, 3e-3, N_LR)     # the top ~6% of these blow up on Rosenbrock


class UserRosenbrock:
    """A user's own loss class: Rosenbrock's value and gradient, the obvious numpy way."""

    def value(self, x):
        u, v = x[..., 0], x[..., 1]
        return (1 - u) ** 2 + 100 * (v - u ** 2) ** 2

    def grad(self, x):
        u, v = x[..., 0], x[..., 1]
        return np.stack([-2 * (1 - u) - 400 * u * (v - u ** 2), 200 * (v - u ** 2)], axis=-1)


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


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def physical_bound(repeats=5):
    """Seconds to write the record's bytes: np.copyto into warm memory, and into fresh memory."""
    shape = (N_STEPS + 1, 4, N_LR)          # params (2 coordinates), loss, grad norm
    src, dst = np.ones(shape), np.empty(shape)
    np.copyto(dst, src)
    warm = min(timed(lambda: np.copyto(dst, src))[0] for _ in range(repeats))
    del dst
    fresh = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        dst = np.empty(shape)
        np.copyto(dst, src)
        fresh.append(time.perf_counter() - t0)
        del dst
    return src.nbytes, warm, min(fresh)


def scale_series(loss, sgd):
    """Best-of-3 ns per trajectory-step, over the number of lrs and over the number of steps."""
    def ns(n, steps):
        lrs = np.geomspace(1e-5, 3e-3, n)
        best = min(timed(lambda: lrlab.run(loss=loss, stepper=sgd, x0=X0, lr=lrs, num_steps=steps))[0]
                   for _ in range(3))
        return best / (n * steps) * 1e9
    by_n = [(n, ns(n, 200)) for n in (100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)]
    by_t = [(t, ns(10_000, t)) for t in (30, 100, 300, 1_000, 3_000)]
    return by_n, by_t


def main():
    quick = "--quick" in sys.argv[1:]
    loss, user = lrlab.losses.rosenbrock(), UserRosenbrock()
    sgd = lrlab.steppers.sgd()
    runs = {"lrlab.run, lrlab.losses.rosenbrock": lambda: lrlab.run(loss=loss, stepper=sgd, x0=X0, lr=LRS,
                                                                    num_steps=N_STEPS),
            "lrlab.run, a user's loss class": lambda: lrlab.run(loss=user, stepper=sgd, x0=X0, lr=LRS,
                                                                num_steps=N_STEPS),
            "plain numpy loop": lambda: plain_numpy(LRS, X0, N_STEPS)}
    times = {k: [] for k in runs}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)      # lrlab must stay silent
        for rep in range(REPEATS):
            for name, fn in runs.items():
                with np.errstate(all="ignore") if name == "plain numpy loop" else contextlib.nullcontext():
                    dt, result = timed(fn)
                times[name].append(dt)
                if rep == REPEATS - 1:
                    out[name] = result          # keep one set only: each record is 320 MB
                del result
    traj, traj_user = out["lrlab.run, lrlab.losses.rosenbrock"], out["lrlab.run, a user's loss class"]
    p, f, g = out["plain numpy loop"]
    # the same numbers where the runs are not chaotic (near the edge, last-bit differences between the
    # two ways of writing the loss grow; and the plain loop does not freeze what diverges)
    ok = LRS <= 2e-3
    np.testing.assert_allclose(traj.params[:, ok], p[:, ok], rtol=1e-12, atol=1e-12)   # same numbers
    np.testing.assert_allclose(traj.loss[:, ok], f[:, ok], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(traj.grad_norm[:, ok], g[:, ok], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(traj_user.diverged, traj.diverged)
    best = {k: min(v) for k, v in times.items()}
    t_np = best["plain numpy loop"]
    load = os.getloadavg()
    print(f"sweep: {N_LR:,} lrs in [1e-5, 3e-3] x {N_STEPS:,} SGD steps on Rosenbrock from (-1.5, 2), "
          f"{traj.diverged.mean():.1%} diverge; recording params, loss, grad norm")
    print(f"interleaved, {REPEATS} repeats; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
          f"{os.cpu_count()} cores")
    print(f"{'':40s}{'best':>9s}{'median':>9s}{'vs plain loop':>15s}")
    for name, ts in times.items():
        print(f"{name:40s}{min(ts):8.3f}s{np.median(ts):8.3f}s{t_np / min(ts):14.2f}x")
    goals = {"lrlab.run, lrlab.losses.rosenbrock": 2.5, "lrlab.run, a user's loss class": 1.2}
    for name, goal in goals.items():
        r = t_np / best[name]
        print(f"  {name}: {r:.2f}x the plain loop (goal {goal}x: {'met' if r >= goal else 'NOT met'})")
    if quick:
        return
    nbytes, warm, fresh = physical_bound()
    t_lab = best["lrlab.run, lrlab.losses.rosenbrock"]
    print(f"physical bound: the record is {N_LR:,} x {N_STEPS + 1:,} x 4 float64 = {nbytes / 1e6:.0f} MB written")
    print(f"  np.copyto of {nbytes / 1e6:.0f} MB: {warm * 1e3:.0f} ms into warm memory, {fresh * 1e3:.0f} ms into "
          f"fresh memory (a new record is fresh: page faults and zeroing)")
    print(f"  lrlab.run = {t_lab / fresh:.1f}x the fresh-memory copy, {t_lab / warm:.1f}x the warm one")
    by_n, by_t = scale_series(loss, sgd)
    print("scale, lrlab.run on lrlab.losses.rosenbrock (best of 3), ns per trajectory-step:")
    print("  lrs (200 steps): " + ", ".join(f"{n:,}: {v:.1f}" for n, v in by_n))
    print("  steps (10,000 lrs): " + ", ".join(f"{t:,}: {v:.1f}" for t, v in by_t))
    print("  (flat = linear; a rise at small sizes is per-step Python overhead, at large lrs the working")
    print("   set (about 12 vectors of 8 bytes per lr) leaves the L2 cache and the record leaves memory bandwidth)")
    k = 5
    t_torch = min(timed(lambda: [torch_loop(lr, X0, N_STEPS) for lr in LRS[:k]])[0] for _ in range(2))
    per_torch = t_torch / k
    print(f"torch.optim.SGD loop, one trajectory at a time: {per_torch * 1e6:,.0f} us per trajectory; "
          f"lrlab.run: {t_lab / N_LR * 1e6:.1f} us ({per_torch / (t_lab / N_LR):,.0f}x)")
    imports = []
    for _ in range(5):
        res = subprocess.run([sys.executable, "-X", "importtime", "-c", "import lrlab"], capture_output=True, text=True)
        total = [l for l in res.stderr.splitlines() if l.rstrip().endswith("| lrlab")]
        imports.append(int(total[-1].split("|")[1]) / 1e6)
    print(f"import lrlab: {np.median(imports) * 1e3:.1f} ms (median of 5, -X importtime, cumulative; goal < 200 ms)")


if __name__ == "__main__":
    main()
