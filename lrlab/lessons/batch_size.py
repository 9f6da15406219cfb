r"""Lesson 07, batch size and learning rate: the data, the exact noise-floor theory, the widget, figures, checks.

Minibatch SGD on least squares :math:`f(w) = \tfrac{1}{2n}\lVert Xw - y\rVert^2` with batches of
``B`` rows drawn without replacement. With :math:`e = w - w^*`, :math:`H_B` the batch Hessian and
:math:`\xi_B` the batch gradient at :math:`w^*`, one step is

.. math:: e_{t+1} = (I - \eta H_B)\, e_t - \eta\, \xi_B ,

which is linear, so its mean and covariance obey closed recursions (:class:`lrlab.theory.MinibatchSGD`): the
mean follows full-batch gradient descent (stable iff :math:`\eta < 2/L`), the covariance
:math:`P = E[e e^\top]` settles, if :math:`\eta` is below SGD's own (smaller, batch-dependent) limit,
at the solution of

.. math:: P = E_B[(I-\eta H_B) P (I-\eta H_B)] + \eta^2 E[\xi_B\xi_B^\top],

and the **noise floor** is :math:`E[f - f^*] = \tfrac12 \operatorname{tr}(HP)`. For small
:math:`\eta` it is :math:`\approx \frac{\eta}{B}\frac{n-B}{n-1}\frac{\operatorname{tr}\Sigma}{4}`
with :math:`\Sigma` the per-example gradient covariance at :math:`w^*`: proportional to lr/B.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .. import diagnostics, losses, plotting, schedules, steppers, theory
from ..data import linear_regression
from ..exercises import Feedback, check_choice, check_number_answer
from ..loop import run
from ..panels import Panel, finite

if TYPE_CHECKING:
    from ..explorer import Explorer

__all__ = ["N", "BATCH_SIZES", "LessonData", "data", "minibatch_loss",
           "measure_floors", "plot_noise_floor", "linear_scaling_runs", "plot_linear_scaling", "scaling_sweep",
           "Quartic", "QUARTIC", "QUARTIC_X0", "warmup_runs", "lr_times_curvature", "plot_warmup", "sgd_regime", "explorer_regime", "explorer_progress", "batch_small_multiples", "BatchPathPanel", "BatchLossPanel", "FloorPanel",
           "BATCH_PRESETS", "batch_size_explorer", "shortcut_limit_b1", "check_scaled_lr", "check_floor_factor", "check_max_scale",
           "check_shortest_warmup", "shortest_warmup", "max_lr_times_curvature", "max_sgd_scale",
           "EX_SCALE", "EX_WARMUP", "MomentumFloors", "momentum_floors", "plot_momentum_floors", "AdamScaling",
           "adam_scaling", "plot_adam_scaling", "check_momentum_floor", "check_adam_lr"]

# --------------------------------------------------------------------------- the data of the lesson

N = 512
BATCH_SIZES = tuple(2 ** k for k in range(10))    # 1 .. 512 = N (the last one is full-batch GD)


@dataclass(frozen=True)
class LessonData:
    """The lesson's data set and everything derived from it (built on first use, then shared)."""

    X: np.ndarray                       # (N, 2) inputs, feature scales 1 and 0.5
    Y: np.ndarray                       # (N,) targets
    full: losses.LeastSquares           # the full-batch loss: the reference for every gap
    w_star: np.ndarray                  # its minimiser
    x0: np.ndarray                      # the start of every run (except the floor runs)
    as_quadratic: losses.Quadratic      # the same loss as ½ (w - w*)ᵀ H (w - w*): cheap to draw as contours
    theory: theory.MinibatchSGD         # the exact mean/covariance recursions on this data


@functools.cache
def data() -> LessonData:
    """The lesson's data, generated (seeded) on first call, not at import."""
    X, Y, _ = linear_regression(n=N, d=2, noise=0.5, seed=0, scales=[1.0, 0.5])
    full = losses.least_squares(X, Y)
    w_star = full.minimizer
    return LessonData(X=X, Y=Y, full=full, w_star=w_star, x0=w_star + np.array([1.2, -1.2]),
                      as_quadratic=full.as_quadratic(bounds=full.bounds), theory=theory.MinibatchSGD(X, Y))


#: the notebook's short names for the fields of :func:`data` (``lesson.FULL`` is ``lesson.data().full``)
_ALIASES = {"X": "X", "Y": "Y", "FULL": "full", "W_STAR": "w_star", "X0": "x0",
            "FULL_AS_QUADRATIC": "as_quadratic", "THEORY": "theory"}


def __getattr__(name):
    if name in _ALIASES:
        return getattr(data(), _ALIASES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def minibatch_loss(batch_size: int, seed: int = 0):
    """``lrlab.losses.least_squares`` on the lesson's data with minibatches of ``batch_size`` rows."""
    d = data()
    return losses.least_squares(d.X, d.Y, batch_size=int(batch_size), seed=seed)


# --------------------------------------------------------------------------- the noise floor

@dataclass(frozen=True)
class FloorMeasurement:
    """Measured (time-averaged) and predicted noise floors on a grid of (B, lr)."""

    batch_sizes: tuple
    lrs: np.ndarray
    measured: np.ndarray      # (len(batch_sizes), len(lrs))
    predicted: np.ndarray     # exact theory, same shape
    burn_in: int
    window: int


def measure_floors(batch_sizes=(1, 4, 16, 64), lrs=(0.025, 0.05, 0.1, 0.2), *, burn_in: int = 500,
                   window: int = 3000, seed: int = 1) -> FloorMeasurement:
    """Start SGD *at the minimum* and average the loss gap over ``window`` steps after ``burn_in``.

    One vectorized run per batch size (all lrs at once, the same minibatches for each).
    """
    lrs = np.asarray(lrs, dtype=float)
    measured = np.empty((len(batch_sizes), lrs.size))
    predicted = np.empty_like(measured)
    for i, B in enumerate(batch_sizes):
        traj = run(loss=minibatch_loss(B, seed), x0=data().w_star, lr=lrs, num_steps=burn_in + window)
        measured[i] = (traj.loss[burn_in + 1:] - data().full.min_value).mean(axis=0)
        predicted[i] = data().theory.floor(lrs, B)
    return FloorMeasurement(tuple(batch_sizes), lrs, measured, predicted, burn_in, window)


@plotting.styled
def plot_noise_floor(m: FloorMeasurement):
    """Left: measured floor against lr/B (one colour per B) with the small-lr law and the exact theory.
    Right: measured / exact theory. Returns ``(fig, axes)``."""
    fig, (ax, bx) = plotting.figure(1, 2, width=9.0, height=4.0)
    colors = [plotting.PALETTE[k] for k in ("blue", "orange", "green", "purple", "sky")]  # no orange beside vermillion
    x_all = (m.lrs[None, :] / np.asarray(m.batch_sizes)[:, None])
    xs = np.geomspace(x_all.min() / 1.5, x_all.max() * 1.5, 50)
    ax.plot(xs, data().theory.noise_constant * xs, color=plotting.PALETTE["grey"], lw=2, ls="--",
            label=f"small-lr law: {data().theory.noise_constant:.3f} × lr/B")
    for i, B in enumerate(m.batch_sizes):
        ax.plot(x_all[i], m.measured[i], "o", color=colors[i], ms=9, label=f"measured, B = {B}")
        ax.plot(x_all[i], m.predicted[i], "x", color="black", ms=7, mew=1.5,
                label="exact theory" if i == len(m.batch_sizes) - 1 else None)
        bx.plot(m.lrs, m.measured[i] / m.predicted[i], "o-", color=colors[i], ms=8, label=f"B = {B}")
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlabel("lr / B")
    ax.set_ylabel("mean loss − min (noise floor)")
    ax.set_title("the floor is set by lr / B")
    ax.legend(frameon=False)
    bx.axhline(1.0, color="black", lw=1)
    bx.axhspan(0.8, 1.2, color=plotting.PALETTE["grey"], alpha=0.15, lw=0)
    bx.set_xscale("log")
    bx.set_xticks(m.lrs, [f"{v:g}" for v in m.lrs])
    bx.minorticks_off()
    bx.set_ylim(0.5, 1.5)
    bx.set_xlabel("learning rate")
    bx.set_ylabel("measured / exact theory")
    bx.set_title(f"time average over {m.window} steps")
    bx.legend(frameon=False, ncols=2)
    return fig, (ax, bx)


# --------------------------------------------------------------------------- linear scaling

@dataclass(frozen=True)
class ScalingRun:
    k: int
    batch_size: int
    lr: float
    epochs: np.ndarray        # (steps + 1,) epochs seen at each step
    gap: np.ndarray           # (steps + 1,) loss gap of one run
    expected: np.ndarray      # (steps + 1,) exact expected loss gap (theory.MinibatchSGD.expected_gap)
    diverged: bool
    regime: str


def linear_scaling_runs(ks=(1, 4, 16, 32, 48), *, lr0: float = 0.05, B0: int = 4, epochs: int = 6,
                        seed: int = 0) -> list:
    """Batch ``k·B0`` with lr ``k·lr0``, each for the same number of epochs (passes over the data)."""
    out = []
    for k in ks:
        B, lr = int(k * B0), float(k * lr0)
        steps = epochs * N // B
        traj = run(loss=minibatch_loss(B, seed), x0=data().x0, lr=lr, num_steps=steps)
        gap = traj.loss - data().full.min_value
        expected = data().theory.expected_gap(data().x0 - data().w_star, lr, B, steps)
        out.append(ScalingRun(int(k), B, lr, np.arange(steps + 1) * B / N, gap, expected, bool(traj.diverged),
                              str(diagnostics.path_shape(traj))))
    return out


def scaling_sweep(ks=None, *, lr0: float = 0.05, B0: int = 4, epochs: int = 6):
    """Exact expected loss gap after ``epochs`` epochs for batch B0·k and lr k·lr0, every k = 1 .. N/B0."""
    ks = np.arange(1, N // B0 + 1) if ks is None else np.asarray(ks)
    final = np.array([data().theory.expected_gap(data().x0 - data().w_star, k * lr0, int(k * B0), epochs * N // int(k * B0))[-1]
                      for k in ks])
    return ks, final


@plotting.styled
def plot_linear_scaling(runs, sweep, *, lr0: float = 0.05, B0: int = 4):
    """Left: expected loss gap (bold) and one run (faint) against epochs for each k. Right: expected
    loss after the run against the scaled lr k·lr0, with 2/L. Returns ``(fig, axes)``."""
    fig, (ax, bx) = plotting.figure(2, 1, width=8.0, height=9.0)
    colors = [plotting.PALETTE[k] for k in ("blue", "orange", "green", "purple", "vermillion")]  # k = 48 (diverges) apart
    c = plotting.PALETTE
    handles = []
    for i, r in enumerate(runs):
        ok = np.isfinite(r.gap)
        ax.plot(r.epochs[ok], r.gap[ok], color=colors[i], lw=0.9, alpha=0.35)
        ok = np.isfinite(r.expected)
        (h,) = ax.plot(r.epochs[ok], r.expected[ok], color=colors[i], lw=2.6,
                       label=f"k = {r.k}: B = {r.batch_size}, lr = {r.lr:.2g}" + (" (diverges)" if r.regime == "diverging" else ""))
        handles.append(h)
    ax.set_yscale("log")
    ax.set_ylim(1e-5, 1e6)                 # headroom for the legend above the curves
    ax.set_xlim(0, runs[0].epochs[-1])
    ax.set_xlabel("epochs (passes over the data)")
    ax.set_ylabel("loss − min")
    ax.set_title("B × k and lr × k: the same curve per epoch")
    ax.legend(handles=handles, frameon=True, framealpha=0.9, loc="upper right", ncols=2, fontsize=9,
              title="bold: expected loss, faint: one run", title_fontsize=9)   # inside, above the curves
    ks, final = sweep
    lrs = ks * lr0
    shown = np.where(np.isfinite(final) & (final < 1e3), final, np.nan)
    bx.plot(lrs, shown, "-", color=c["blue"], lw=2.4,
            label=f"expected loss after {int(round(runs[0].epochs[-1]))} epochs")
    for i, r in enumerate(runs):
        off = r.expected[-1] > 5e2                 # off the scale: a triangle at the top, its value beside it
        bx.plot([r.lr], [min(r.expected[-1], 5e2)], "^" if off else "o", color=colors[i], mec="black", ms=9,
                zorder=5, clip_on=False)
        if off:
            bx.annotate(f"{r.expected[-1]:.0e}", (r.lr, 5e2), xytext=(-8, 0), textcoords="offset points",
                        ha="right", va="center", fontsize=9)
    bx.axvline(2 / data().full.L, color=c["vermillion"], ls=":", lw=2.2)
    bx.axvspan(2 / data().full.L, lrs[-1] * 1.2, color=plotting.REGIME_COLORS["diverging"], alpha=0.12, lw=0)
    bx.text(2 / data().full.L, 1e-4, " 2/L", color=c["vermillion"], fontweight="bold", va="center")
    bx.text(2 / data().full.L * 1.1, 1e-2, "diverges", ha="left", va="center", fontweight="bold")
    bx.set_xscale("log"); bx.set_yscale("log")
    bx.set_ylim(1e-5, 1e3)
    bx.set_xlim(lrs[0] / 1.2, lrs[-1] * 1.2)
    bx.set_xlabel(f"scaled learning rate k × lr₀ (batch {B0}·k)")
    bx.set_ylabel("expected loss − min after the run")
    bx.set_title("where the rule breaks")
    bx.legend(frameon=False, loc="upper left")
    return fig, (ax, bx)


# --------------------------------------------------------------------------- momentum under noise

@dataclass(frozen=True)
class MomentumFloors:
    """Noise floors of heavy-ball SGD measured on a grid of (momentum, B), each the mean over replicas."""

    betas: tuple
    batch_sizes: tuple
    lr: float
    measured: np.ndarray      # (len(betas), len(batch_sizes)) mean over replicas of the time-averaged gap
    spread: np.ndarray        # same shape: standard error of that mean (replica to replica)
    predicted: np.ndarray     # same shape: the small-lr law for lr / (1 - beta) and B (with replacement)
    curves: np.ndarray        # (len(betas), len(batch_sizes), steps + 1) replica-mean loss gap per step
    burn_in: int
    window: int
    replicas: int


def _replica_loss(sizes, seed):
    d = data()
    return losses.least_squares_replicas(d.X, d.Y, sizes, seed=seed)


def momentum_floors(betas=(0.0, 0.5, 0.9), batch_sizes=(4, 16, 64), *, lr: float = 0.05, replicas: int = 16,
                    burn_in: int = 150, window: int = 600, seed: int = 11) -> MomentumFloors:
    r"""Start heavy-ball SGD at the minimum and average the loss gap over ``window`` steps after ``burn_in``.

    One run per momentum, vectorized over ``batch_sizes`` x ``replicas`` (each replica draws its own
    minibatches, with replacement: ``lrlab.losses.least_squares_replicas``). The prediction is the
    small-lr floor of plain SGD at the **effective** lr :math:`\eta/(1-\beta)`, i.e.
    :math:`\tfrac{\eta}{(1-\beta) B}\,\tfrac{\operatorname{tr}\Sigma}{4}`.
    """
    th, d = data().theory, data()
    sizes = [int(B) for B in batch_sizes for _ in range(replicas)]
    loss = _replica_loss(sizes, seed)
    x0 = np.tile(d.w_star, (len(sizes), 1))
    shape = (len(betas), len(batch_sizes))
    measured, spread, predicted = np.empty(shape), np.empty(shape), np.empty(shape)
    curves = np.empty(shape + (burn_in + window + 1,))
    for i, beta in enumerate(betas):
        traj = run(loss=loss, stepper=steppers.sgd(momentum=float(beta)), x0=x0, lr=lr, num_steps=burn_in + window)
        gap = (traj.loss - d.full.min_value).reshape(-1, len(batch_sizes), replicas)
        per_replica = gap[burn_in + 1:].mean(axis=0)                       # (B, replicas)
        measured[i] = per_replica.mean(axis=1)
        spread[i] = per_replica.std(axis=1, ddof=1) / np.sqrt(replicas)
        curves[i] = gap.mean(axis=2).T
        predicted[i] = [th.floor_small_lr(lr / (1 - beta), int(B), replacement=True) for B in batch_sizes]
    return MomentumFloors(tuple(betas), tuple(int(B) for B in batch_sizes), float(lr), measured, spread, predicted,
                          curves, burn_in, window, replicas)


@plotting.styled
def plot_momentum_floors(m: MomentumFloors):
    """Left: measured floor against the prediction lr / ((1 - β) B) (one colour per β, one marker per B).
    Right: the replica-mean loss against step at the smallest B, one line per β. Returns ``(fig, axes)``."""
    fig, (ax, bx) = plotting.figure(1, 2, width=9.0, height=4.6)
    colors = [plotting.PALETTE[k] for k in ("blue", "green", "purple", "sky", "black")]
    markers = ["o", "s", "^", "D", "v"]
    x = m.lr / ((1 - np.asarray(m.betas))[:, None] * np.asarray(m.batch_sizes)[None, :])     # lr / ((1 - β) B)
    xs = np.geomspace(x.min() / 1.6, x.max() * 1.6, 20)
    const = float(np.mean(m.predicted / x))
    ax.plot(xs, const * xs, color=plotting.PALETTE["grey"], lw=2, ls="--",
            label=f"prediction {const:.3f} × lr / ((1 − β) B)")
    for i, beta in enumerate(m.betas):
        for j, B in enumerate(m.batch_sizes):
            ax.errorbar(x[i, j], m.measured[i, j], yerr=2 * m.spread[i, j], fmt=markers[j % 5], color=colors[i % 5],
                        ms=9, mec="black", capsize=3,
                        label=(f"β = {beta:g}" if j == 0 else None))
    beta_legend = ax.legend(handles=[h for h in ax.get_legend_handles_labels()[0][1:]], fontsize=12, frameon=False,
                            loc="lower right")
    ax.add_artist(beta_legend)
    marker_handles = [ax.lines[0]] + [ax.plot([], [], markers[j % 5], color="white", mec="black", ms=9,
                                              label=f"B = {B}")[0] for j, B in enumerate(m.batch_sizes)]
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlabel("lr / ((1 − β) B)")
    ax.set_ylabel("noise floor (mean loss − min)")
    ax.set_title(f"floor ∝ lr/((1 − β)B), lr {m.lr:g}", fontsize=12)
    ax.legend(handles=marker_handles, fontsize=12, frameon=False, loc="upper left")
    j = 0
    t = np.arange(m.curves.shape[-1])
    for i, beta in enumerate(m.betas):
        bx.plot(t, diagnostics.trailing_mean(m.curves[i, j], 25), color=colors[i % 5], lw=2.2, label=f"β = {beta:g}")
        bx.axhline(m.predicted[i, j], color=colors[i % 5], ls="--", lw=1.5)
    bx.plot([], [], "k--", lw=1.5, label="prediction")
    bx.axvspan(0, m.burn_in, color=plotting.PALETTE["grey"], alpha=0.15, lw=0)
    bx.set_yscale("log")
    bx.set_xlim(0, t[-1])
    bx.set_xlabel("step (shaded: burn-in)")
    bx.set_ylabel(f"loss − min (mean of {m.replicas} seeds)")
    bx.set_title(f"from the minimum, B = {m.batch_sizes[j]}", fontsize=12)
    bx.legend(fontsize=12, frameon=False, loc="lower right", ncols=2)
    return fig, (ax, bx)


# --------------------------------------------------------------------------- Adam and the batch size

@dataclass(frozen=True)
class AdamScaling:
    """Adam's noise floor when the batch grows by k and the lr follows the square-root or the linear rule."""

    ks: np.ndarray            # (K,) batch multipliers
    batch_sizes: tuple
    lrs: dict                 # rule -> (K,) lrs
    floors: dict              # rule -> (K,) replica-mean floors
    spread: dict              # rule -> (K,) standard errors
    curves: dict              # rule -> (K, steps + 1) replica-mean loss gap per step
    burn_in: int
    window: int
    replicas: int


def adam_scaling(ks=(1, 4, 16), *, lr0: float = 0.01, B0: int = 4, replicas: int = 24, burn_in: int = 150,
                 window: int = 600, seed: int = 12) -> AdamScaling:
    """Adam started at the minimum, batch ``k·B0`` with lr ``lr0·√k`` (square-root rule) or ``lr0·k`` (linear
    rule): the time-averaged loss gap after ``burn_in``. One vectorized run for every (rule, k, replica)."""
    ks = np.asarray(ks, dtype=float)
    rules = {"square-root rule": lr0 * np.sqrt(ks), "linear rule": lr0 * ks}
    Bs = tuple(int(round(k * B0)) for k in ks)
    sizes, lrs = [], []
    for rule_lrs in rules.values():
        for B, lr in zip(Bs, rule_lrs):
            sizes += [B] * replicas
            lrs += [float(lr)] * replicas
    d = data()
    traj = run(loss=_replica_loss(sizes, seed), stepper=steppers.adam(), x0=np.tile(d.w_star, (len(sizes), 1)),
               lr=np.array(lrs), num_steps=burn_in + window)
    gap = (traj.loss - d.full.min_value).reshape(-1, len(rules), len(Bs), replicas)
    per_replica = gap[burn_in + 1:].mean(axis=0)                           # (rules, K, replicas)
    names = list(rules)
    return AdamScaling(ks, Bs, rules,
                       {r: per_replica[i].mean(axis=1) for i, r in enumerate(names)},
                       {r: per_replica[i].std(axis=1, ddof=1) / np.sqrt(replicas) for i, r in enumerate(names)},
                       {r: gap[:, i].mean(axis=2).T for i, r in enumerate(names)}, burn_in, window, replicas)


@plotting.styled
def plot_adam_scaling(a: AdamScaling):
    """Left: the replica-mean loss against step for each batch, both rules. Right: the floor against B,
    with the √B growth the linear rule is predicted to show. Returns ``(fig, axes)``."""
    fig, (ax, bx) = plotting.figure(2, 1, width=8.0, height=9.0)
    c = plotting.PALETTE
    colors = [c[k] for k in ("blue", "green", "purple", "sky")]
    styles = {"square-root rule": "-", "linear rule": "--"}
    t = np.arange(next(iter(a.curves.values())).shape[-1])
    for rule, curves in a.curves.items():
        for j, (B, lr) in enumerate(zip(a.batch_sizes, a.lrs[rule])):
            ax.plot(t, diagnostics.trailing_mean(curves[j], 25), color=colors[j % 4], ls=styles[rule], lw=2.2,
                    label=f"{rule.split()[0]}: B = {B}, lr = {lr:.3g}")
    ax.axvspan(0, a.burn_in, color=c["grey"], alpha=0.15, lw=0)
    ax.set_yscale("log")
    ax.set_ylim(top=6e-2)                  # headroom: the legend sits above the curves
    ax.set_xlim(0, t[-1])
    ax.set_xlabel("step (shaded: burn-in, not averaged)")
    ax.set_ylabel(f"loss − min (mean of {a.replicas} seeds)")
    ax.set_title("Adam from the minimum: solid √k, dashed k")
    ax.legend(fontsize=12, frameon=False, ncols=2, loc="upper right")
    marks = {"square-root rule": ("o", c["blue"]), "linear rule": ("s", c["vermillion"])}
    for rule, fl in a.floors.items():
        mk, col = marks[rule]
        bx.errorbar(a.batch_sizes, fl, yerr=2 * a.spread[rule], fmt=mk + "-", color=col, ms=9, mec="black", lw=2,
                    capsize=3, label=f"{rule}: lr × {'√k' if rule.startswith('square') else 'k'}")
    base = a.floors["linear rule"][0]
    bx.plot(a.batch_sizes, base * np.sqrt(a.ks), color=c["grey"], ls=":", lw=2, label="∝ √B (predicted, linear rule)")
    bx.set_xscale("log"); bx.set_yscale("log")
    bx.set_xticks(a.batch_sizes, [str(B) for B in a.batch_sizes])
    lo = min(float(np.min(f)) for f in a.floors.values()) / 1.3
    hi = max(float(np.max(f)) for f in a.floors.values()) * 1.6
    ticks = [v for v in (5e-4, 7e-4, 1e-3, 1.5e-3, 2e-3, 3e-3, 5e-3, 7e-3, 1e-2, 1.5e-2, 2e-2) if lo <= v <= hi]
    bx.set_yticks(ticks, [f"{v:g}" for v in ticks])
    bx.minorticks_off()
    bx.set_ylim(lo, hi)
    bx.set_xlabel("batch size B")
    bx.set_ylabel("Adam's noise floor")
    bx.set_title("only the square-root rule keeps Adam's floor")
    bx.legend(fontsize=12, frameon=False, loc="upper left")
    return fig, (ax, bx)


# --------------------------------------------------------------------------- warmup

Quartic = losses.Quartic       # the lesson's name for it
QUARTIC = losses.quartic(1.0)
QUARTIC_X0 = np.array([3.0])


def warmup_runs(target_lr: float = 0.9, warmup_steps: int = 20, start_factor: float = 0.01, num_steps: int = 200):
    """Three runs on the quartic in one vectorized call: the target lr from step 0, the largest
    constant lr that is safe at the start (0.07 < 2/28), and a linear warmup to the target.

    Returns ``(traj, labels, warmup_schedule)``.
    """
    warm = schedules.linear_lr(target_lr, start_factor=start_factor, total_iters=warmup_steps)
    safe = 0.07
    lr = lambda t: np.stack([np.full(np.shape(t), target_lr), np.full(np.shape(t), safe), warm(t)], axis=-1)
    traj = run(loss=QUARTIC, x0=QUARTIC_X0, lr=lr, num_steps=num_steps)
    labels = [f"constant lr = {target_lr:g}", f"constant lr = {safe:g} (safe at the start)",
              f"warmup: {start_factor * target_lr:g} → {target_lr:g} in {warmup_steps} steps"]
    return traj, labels, warm


def lr_times_curvature(traj) -> np.ndarray:
    """lr × f''(w_t) for each step of a run on :data:`QUARTIC`: shape ``(T, *batch)`` (stable while below 2)."""
    with np.errstate(all="ignore"):
        return traj.lr * QUARTIC.curvature(traj.params[:-1])


@plotting.styled
def plot_warmup(traj, labels, *, xmax: int = 200):
    """Three panels against step: the lr, lr × local curvature (with the line at 2), and the loss."""
    fig, axes = plotting.figure(1, 3, width=9.0, height=4.0)
    colors = [plotting.REGIME_COLORS["diverging"], plotting.PALETTE["sky"], plotting.PALETTE["green"]]
    T = traj.num_steps
    for i, label in enumerate(labels):
        alive = np.isfinite(traj.loss[:, i])
        steps = np.arange(T + 1)
        lr = traj.lr[:, i]
        mk = dict(marker="o", ms=6) if traj.diverged[i] else {}
        axes[0].plot(np.arange(T), lr, color=colors[i], label=label)
        prod = lr * QUARTIC.curvature(traj.params[:-1, i])
        axes[1].plot(np.arange(T)[alive[:-1]], prod[alive[:-1]], color=colors[i], **mk)
        axes[2].plot(steps[alive], np.maximum(traj.loss[alive, i], 1e-30), color=colors[i], **mk)
    axes[0].set_ylabel("learning rate")
    axes[0].set_title("the schedule")
    axes[1].axhline(2.0, color=plotting.PALETTE["vermillion"], ls=":", lw=2)
    axes[1].text(xmax, 2.0, "2 ", ha="right", va="bottom", color=plotting.PALETTE["vermillion"], fontweight="bold")
    axes[1].set_yscale("log")
    axes[1].set_ylim(0.05, 100)
    axes[1].set_ylabel("lr × curvature at wₜ")
    axes[1].set_title("stable while below 2")
    axes[2].set_yscale("log")
    axes[2].set_ylim(1e-14, 1e4)
    axes[2].set_ylabel("loss − min")
    axes[2].set_title("the loss")
    for ax in axes:
        ax.set_xlim(-2, xmax)
        ax.set_xlabel("step")
    fig.legend(axes[0].lines, labels, loc="outside lower center", ncols=1, frameon=False)
    return fig, axes


# --------------------------------------------------------------------------- the widget

def sgd_regime(sgd_traj, gd_traj) -> str:
    """Regime of a minibatch run: 'diverging' if it blew up or if its loss over the last quarter of
    the run is on average above where it started; otherwise the regime of the full-batch run at
    the same lr (the path the noise rides on)."""
    return diagnostics.minibatch_regime(sgd_traj, gd_traj, data().full.min_value)


def _minibatch_outcome(sgd_traj, gd_traj) -> str:
    """What a minibatch run did, in words: 'blows up' (``sgd_regime`` says diverging), else the share
    of the loss gap it closed, averaged over the last quarter of the run (its noise floor included)."""
    if sgd_regime(sgd_traj, gd_traj) == "diverging":
        return "blows up"
    gap = sgd_traj.loss - data().full.min_value
    closed = 1 - gap[-max(1, gap.size // 4):].mean() / gap[0]
    return "gap > 99% closed" if closed > 0.99 else f"gap {closed:.0%} closed"


@plotting.styled
def batch_small_multiples(lrs, batch_sizes, num_steps: int = 300):
    """Static grid: one row per batch size, one panel per lr; the minibatch path (coloured by
    :func:`sgd_regime`) over the full-batch path (grey). Each title says what the minibatch run did
    (:func:`_minibatch_outcome`), above the panel, never over the paths. Returns ``(fig, axes, regimes)``."""
    fig, axes = plotting.figure(len(batch_sizes), len(lrs), width=min(9.0, 2.3 * len(lrs)),
                                height=2.75 * len(batch_sizes), squeeze=False)
    regimes = np.empty((len(batch_sizes), len(lrs)), dtype="<U11")
    gd = run(loss=data().full, x0=data().x0, lr=list(lrs), num_steps=num_steps)
    for r, B in enumerate(batch_sizes):
        sgd = run(loss=minibatch_loss(B), x0=data().x0, lr=list(lrs), num_steps=num_steps)
        for j, lr in enumerate(lrs):
            ax = axes[r, j]
            regime = sgd_regime(sgd[j], gd[j])
            regimes[r, j] = regime
            color = plotting.REGIME_COLORS[regime]
            plotting.contour(data().as_quadratic, ax)
            plotting.path_2d(gd[j], ax, color=plotting.PALETTE["grey"], alpha=0.8)
            plotting.path_2d(sgd[j], ax, color=color)
            ax.set_title(f"B = {B}, lr = {lr:g}\n{_minibatch_outcome(sgd[j], gd[j])}", fontsize=10)
            ax.tick_params(labelsize=9)
            ax.set_xlabel("w₁" if r == len(batch_sizes) - 1 else "", fontsize=10)
            ax.set_ylabel("w₂" if j == 0 else "", fontsize=10)
    return fig, axes, regimes


BATCH_STEPS = 400                # the widget's run length

BATCH_PRESETS = {
    "too small": {"lr": 0.003, "batch_size": 64},
    "good": {"lr": 0.3, "batch_size": 64},
    "noisy (B = 1)": {"lr": 0.3, "batch_size": 1},
    "oscillating": {"lr": 1.6, "batch_size": 512},
    "B = 1 blows up below 2/L": {"lr": 1.5, "batch_size": 1},
    "diverging": {"lr": 2.5, "batch_size": 64},
}


def _batch_runs(scene, lr, batch_size):
    return {"sgd": run(loss=minibatch_loss(batch_size), x0=data().x0, lr=lr, num_steps=BATCH_STEPS),
            "gd": run(loss=data().full, x0=data().x0, lr=lr, num_steps=BATCH_STEPS)}


class BatchPathPanel(Panel):
    """The minibatch path (coloured by the regime) over the full-batch path (grey), on the contours."""

    name = "path"

    def draw(self, ax, view):
        c = plotting.PALETTE
        plotting.contour(data().as_quadratic, ax)
        (gd,) = ax.plot([], [], "-", color=c["grey"], lw=1.5, alpha=0.9)
        (sgd,) = ax.plot([], [], "-o", color=c["blue"], ms=2, lw=1.0)
        ax.set_title("the path")
        self.artists = {"gd": gd, "sgd": sgd}

    def update(self, view):
        sgd, gd = view.runs["sgd"], view.runs["gd"]
        self.artists["sgd"].set_data(sgd.params[:, 0], sgd.params[:, 1])
        self.artists["sgd"].set_color(plotting.REGIME_COLORS[view.regime])
        self.artists["gd"].set_data(gd.params[:, 0], gd.params[:, 1])


class BatchLossPanel(Panel):
    """The minibatch loss gap (coloured by the regime), the full-batch one (grey) and the predicted floor."""

    name = "loss"

    def draw(self, ax, view):
        c = plotting.PALETTE
        (gd,) = ax.plot([], [], color=c["grey"], lw=1.5)
        (sgd,) = ax.plot([], [], color=c["blue"], lw=1.2)
        floor = ax.axhline(1e-3, color=c["black"], ls="--", lw=1.5)
        ax.set_yscale("log")
        ax.set_ylim(1e-6, 1e3)
        ax.set_xlim(0, BATCH_STEPS)
        ax.set_xlabel("step")
        ax.set_ylabel("loss − min")
        ax.set_title("loss, log scale")
        self.artists = {"gd": gd, "sgd": sgd, "floor": floor}

    def update(self, view):
        steps = np.arange(BATCH_STEPS + 1)
        self.artists["sgd"].set_data(steps, finite(view.runs["sgd"].loss - data().full.min_value))
        self.artists["sgd"].set_color(plotting.REGIME_COLORS[view.regime])
        self.artists["gd"].set_data(steps, finite(view.runs["gd"].loss - data().full.min_value))
        floor = data().theory.floor(view.lr, view.controls["batch_size"])
        shown = floor if np.isfinite(floor) and floor > 0 else np.nan
        self.artists["floor"].set_ydata([shown, shown])


class FloorPanel(Panel):
    """The exact noise floor against lr for every batch size (grey), this B's in colour with its stability
    limit, the current lr as a marker."""

    name = "floor"

    def draw(self, ax, view):
        c = plotting.PALETTE
        self.lrs = np.geomspace(*view.lr_range, 160)
        self.curves = {B: data().theory.floor(self.lrs, B) for B in BATCH_SIZES}
        self.limits = {B: data().theory.critical_lr(B) for B in BATCH_SIZES}
        for curve in self.curves.values():
            ax.plot(self.lrs, finite(curve), color=c["grey"], lw=0.8, alpha=0.6)
        a = {}
        (a["curve"],) = ax.plot([], [], color=c["blue"], lw=2.5)
        a["limit"] = ax.axvline(1.0, color=c["purple"], ls="--", lw=1.8)
        plotting.theory_lines(ax, data().full)
        (a["marker"],) = ax.plot([], [], "o", color="black", ms=9, zorder=5)
        a["vline"] = ax.axvline(view.lr, color="black", lw=1.2, alpha=0.6)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(*view.lr_range)
        ax.set_ylim(1e-7, 10)
        ax.set_xlabel("learning rate")
        ax.set_ylabel("noise floor (loss − min)")
        ax.set_title("floor ∝ lr / B (grey: other B)")
        self.artists = a

    def update(self, view):
        lr, B, a = view.lr, view.controls["batch_size"], self.artists
        a["curve"].set_data(self.lrs, finite(self.curves[B]))
        a["limit"].set_xdata([self.limits[B]] * 2)
        floor = data().theory.floor(lr, B)
        a["marker"].set_data([lr], [5.0 if floor == np.inf else (min(floor, 5.0) if floor > 0 else np.nan)])
        a["vline"].set_xdata([lr, lr])


def _batch_legend(fig):
    # one legend for the figure, outside the axes: a legend inside an axes would have to be
    # redrawn with every frame of the moving lines under it
    from matplotlib.lines import Line2D
    c = plotting.PALETTE
    handles = [Line2D([], [], color=c["black"], marker="o", ms=3, lw=1.2), Line2D([], [], color=c["grey"], lw=1.5),
               Line2D([], [], color=c["black"], ls="--", lw=1.5), Line2D([], [], color=c["blue"], lw=2.5),
               Line2D([], [], color=c["purple"], ls="--", lw=1.8)]
    labels = ["minibatch SGD (colour: regime)", "full batch, same lr", "predicted noise floor",
              "floor against lr, this B", "SGD's stability limit, this B"]
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False)


def _batch_theory(view) -> str:
    B = view.controls["batch_size"]
    return (f'<span class="lrlab-theory">theory: <b>1/L = {1 / data().full.L:.3g}</b> · '
            f'<b>2/L = {2 / data().full.L:.3g}</b> (full-batch limit) · SGD\'s own limit at B = {B}: '
            f'<b>{data().theory.critical_lr(B):.3g}</b></span>')


def _batch_stats(view) -> list:
    lr, B, sgd = view.lr, view.controls["batch_size"], view.runs["sgd"]
    gap = sgd.loss - data().full.min_value
    floor = data().theory.floor(lr, B)
    parts = [f"lr = <b>{lr:.3g}</b>", f"B = <b>{B}</b>", f"lr/B = <b>{lr / B:.3g}</b>"]
    if sgd.diverged:
        parts.append(f"diverged at step <b>{int(sgd.diverged_at)}</b>")
    else:
        tail = gap[-BATCH_STEPS // 4:]
        parts.append(f"mean loss − min over the last {tail.size} steps = <b>{tail.mean():.3g}</b>")
    parts.append(f"predicted floor = <b>{floor:.3g}</b>" if np.isfinite(floor) else "predicted floor: <b>none (unstable)</b>")
    if np.isfinite(floor) and floor > 0 and not sgd.diverged:
        k = diagnostics.first_step_below(gap, 2 * floor)
        parts.append(f"steps to reach 2× the floor: <b>{k if k >= 0 else f'> {BATCH_STEPS}'}</b>")
    elif floor == 0 and not sgd.diverged:
        k = diagnostics.first_step_below(gap, 1e-6, relative_to_start=True)
        parts.append(f"no noise (full batch); steps to 1e-6× the initial gap: "
                     f"<b>{k if k >= 0 else f'> {BATCH_STEPS}'}</b>")
    return parts


def batch_size_explorer(lr: float = 0.1, batch_size: int = 16, lr_range=(1e-3, 5.0)) -> Explorer:
    """The main widget of notebook 07: lr slider + batch-size slider driving minibatch SGD on the lesson's
    least squares, beside full-batch GD at the same lr.

    Panels: the path on the contours (with the full-batch path in grey), the loss gap against step
    with the predicted noise floor, and the exact floor against lr for every batch size (the
    current one highlighted, the current lr a moving marker).
    """
    from ..explorer import Choice, Explorer
    batch = Choice(BATCH_SIZES, description="batch size B", style="slider", live=True,
                   width=420).with_value("batch_size", batch_size)
    return Explorer(None, lr=lr, lr_range=lr_range, controls={"batch_size": batch}, runs=_batch_runs,
                    regime=explorer_regime, progress=explorer_progress, theory=_batch_theory,
                    stats=_batch_stats, presets=BATCH_PRESETS, decorate=_batch_legend,
                    panels=(BatchPathPanel(), BatchLossPanel(), FloorPanel()), width=13.5, height=4.3)


def explorer_regime(view) -> str:
    """The explorer's label: ``'divergence'`` if the minibatch run blew up (:func:`sgd_regime`'s rule: its
    loss gap over the last quarter is on average above its start), else :func:`lrlab.theory.regime` of
    full-batch gradient descent at this lr, the path the noise rides on."""
    if sgd_regime(view.runs["sgd"], view.runs["gd"]) == "diverging":
        return "divergence"
    return theory.regime(data().full, view.lr)


def explorer_progress(view) -> float:
    """The fraction of the loss gap the minibatch run closed (NaN if it blew up)."""
    return diagnostics.progress(view.runs["sgd"], min_value=data().full.min_value)


def shortcut_limit_b1(X=None) -> float:
    r"""The lr at which the *matrix* :math:`E_B[(I - \eta H_B)^2]` first has an eigenvalue above 1, for
    batches of one row (:math:`H_B = x x^\top`): the tempting shortcut for SGD's stability limit. It is not
    the limit: that is the spectral radius of the map :math:`P \mapsto E[(I-\eta H_B) P (I-\eta H_B)]`
    (``data().theory.critical_lr(1)``), and the two differ once the batch Hessians do not commute.
    Found by bisection below 2/L (the eigenvalue is convex in the lr)."""
    X = data().X if X is None else np.asarray(X, dtype=float)
    n, d = X.shape
    H = X.T @ X / n                                           # E[x xᵀ]
    M = (X * (X ** 2).sum(axis=1)[:, None]).T @ X / n         # E[|x|² x xᵀ]
    lo, hi = 0.0, 2.0 / float(np.linalg.eigvalsh(H)[-1])
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if np.linalg.eigvalsh(np.eye(d) - 2 * mid * H + mid ** 2 * M).max() > 1 else (mid, hi)
    return lo


# --------------------------------------------------------------------------- exercises

def check_scaled_lr(answer) -> Feedback:
    """lr 0.02 works with batch 32; by the linear scaling rule, which lr goes with batch 256?"""
    return check_number_answer(answer, 0.16, rtol=0.02,
                               hint="The rule keeps lr/B fixed: multiply the batch by k, multiply the lr by k.")


def check_floor_factor(answer) -> Feedback:
    """By what factor does the noise floor shrink when B goes from 16 to 64 at lr = 0.05?

    The lr/B law says 4; the exact theory says 4.44 (drawing 64 of 512 rows without replacement
    removes a little more noise). Both are accepted.
    """
    exact = data().theory.floor(0.05, 16) / data().theory.floor(0.05, 64)
    try:
        a = float(answer)
    except (TypeError, ValueError):
        a = float("nan")
    if np.isfinite(a) and 3.8 <= a <= 1.03 * exact:
        return Feedback(True, f"Yes: lr/B falls 4×, and so does the floor (the exact theory gives {exact:.2f}: "
                              "drawing 64 of 512 rows without replacement removes a little more noise).")
    return check_number_answer(answer, 4.0, rtol=0.05,
                               hint="For a small lr the floor is proportional to lr/B.")


EX_SCALE = {"lr0": 0.05, "B0": 4}      # exercise 3: scale batch B0·k and lr lr0·k, k a whole number


def max_sgd_scale(lr0: float = EX_SCALE["lr0"], B0: int = EX_SCALE["B0"]) -> int:
    """The largest whole k for which k·lr0 stays below SGD's own mean-square limit for batch B0·k
    (``THEORY.critical_lr``), which is lower than 2/L."""
    k = 1
    while (k + 1) * lr0 < data().theory.critical_lr(B0 * (k + 1)):
        k += 1
    return k


def check_max_scale(answer) -> Feedback:
    """Exercise 3: the largest whole k with k·lr₀ below SGD's mean-square limit for batch 4k. The next k is
    refused (past the limit) even though it is still below 2/L; smaller k are not the largest."""
    e, best = EX_SCALE, max_sgd_scale()
    naive = int(np.floor((2 / data().full.L) / e["lr0"]))
    hint = ("For each k the batch is 4k, and SGD's own limit is lesson.THEORY.critical_lr(4 * k), "
            "a little below 2/L. Compare k × 0.05 with it for a few k near the wall of section 3.")
    if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, bool) and np.isfinite(answer):
        if answer != int(answer):
            return Feedback(False, f"k is a whole number here (batch 4k). {hint}")
        k = int(answer)
        if k > best:
            lim = data().theory.critical_lr(e["B0"] * k)
            why = " (it is still below 2/L, but SGD with a finite batch has a lower limit)" if k <= naive else ""
            return Feedback(False, f"k = {k} is past the limit: lr {k * e['lr0']:.3g} is above SGD's limit "
                                   f"{lim:.4g} for batch {e['B0'] * k}{why}. {hint}")
        if k < best:
            return Feedback(False, f"k = {k} is stable, but a larger k is too. {hint}")
        return Feedback(True, f"Right: k = {best}, lr {best * e['lr0']:.3g} against SGD's limit "
                              f"{data().theory.critical_lr(e['B0'] * best):.4g} for batch {e['B0'] * best}; "
                              f"k = {best + 1} would still be below 2/L but past SGD's own limit.")
    return Feedback(False, f"Answer with a whole number. {hint}")


EX_MOMENTUM = {"lr": 0.05, "B": 16, "momentum": 0.8, "new_B": 64}   # exercise 5: plain SGD -> momentum + bigger batch


def check_momentum_floor(answer) -> Feedback:
    """Exercise 5: plain SGD at lr 0.05, B 16; with momentum 0.8 and B 64, which lr gives the same floor?"""
    e = EX_MOMENTUM
    expected = e["lr"] * (1 - e["momentum"]) * e["new_B"] / e["B"]
    if answer is not None:
        try:
            a = float(answer)
        except (TypeError, ValueError):
            a = None
        if a is not None and np.isclose(a, e["lr"] * e["new_B"] / e["B"], rtol=0.03):
            return Feedback(False, "That scales the lr for the larger batch, but the momentum raises the floor too.")
        if a is not None and np.isclose(a, e["lr"] * (1 - e["momentum"]), rtol=0.03):
            return Feedback(False, "That corrects for the momentum, but the larger batch lowers the floor too.")
        if a is not None and expected * 0.97 <= a <= expected * 1.12:
            return Feedback(True, f"Right: {a:.3g}. lr/((1 − β)B) must stay 0.05/16: the momentum multiplies the "
                                  "floor by 1/(1 − 0.8) = 5, the batch divides it by 4 (0.04; a little more, about "
                                  "0.044, if you keep the without-replacement factor (n − B)/(n − 1) of section 1).")
    return check_number_answer(answer, expected, rtol=0.03, digits=2,
                               hint="By section 5 the floor depends on lr, β and B through one combination only; "
                                    "keep that combination fixed.",
                               right=f"Right: {expected:.3g}. lr/((1 − β)B) must stay 0.05/16: the momentum "
                                     "multiplies the floor by 1/(1 − 0.8) = 5, the batch divides it by 4.")


def check_adam_lr(answer) -> Feedback:
    """Exercise 6: Adam works with lr 0.003 at batch 32; which lr keeps its noise floor at batch 512?"""
    expected = 0.003 * np.sqrt(512 / 32)
    if answer is not None:
        try:
            if np.isclose(float(answer), 0.003 * 512 / 32, rtol=0.02):
                return Feedback(False, "That is the linear rule, SGD's rule. Adam divides by √v, and near the floor √v "
                                       "is the gradient noise, which itself shrinks as the batch grows.")
        except (TypeError, ValueError):
            pass
    return check_number_answer(answer, expected, rtol=0.03, digits=2,
                               hint="Near the floor Adam's √v is about the gradient noise, ∝ 1/√B. What does that do "
                                    "to the step Adam takes for a given lr?",
                               right=f"Right: {expected:.3g} = 0.003 × √16, the square-root rule.")


EX_WARMUP = {"target_lr": 0.9, "start_factor": 0.01}   # exercise 4: on the quartic of section 4


def max_lr_times_curvature(warmup_steps: int, target_lr: float = EX_WARMUP["target_lr"],
                           start_factor: float = EX_WARMUP["start_factor"]) -> float:
    """The largest lr × curvature along the warmup run of :func:`warmup_runs` (inf if it blows up)."""
    traj, _, _ = warmup_runs(target_lr=target_lr, warmup_steps=int(warmup_steps), start_factor=start_factor)
    p = lr_times_curvature(traj)[:, 2]
    return float(np.max(p)) if np.all(np.isfinite(p)) else float("inf")


def shortest_warmup(target_lr: float = EX_WARMUP["target_lr"], start_factor: float = EX_WARMUP["start_factor"]) -> int:
    """The fewest warmup steps for which lr × curvature stays below 2 at every step of the quartic run."""
    W = 1
    while not max_lr_times_curvature(W, target_lr, start_factor) < 2:
        W += 1
    return W


def check_shortest_warmup(answer) -> Feedback:
    """Exercise 4: the shortest linear warmup (start factor 0.01, target 0.9) on the quartic that keeps
    lr × curvature below 2 at every step. One step fewer is refused (it passes 2 somewhere)."""
    best = shortest_warmup()
    hint = ("Run lesson.warmup_runs(warmup_steps=W) for a few W and look at the largest value of "
            "lesson.lr_times_curvature(traj)[:, 2]; it shrinks as W grows.")
    if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, bool) and np.isfinite(answer):
        if answer != int(answer) or answer < 1:
            return Feedback(False, f"The warmup length is a whole number of steps. {hint}")
        W = int(answer)
        peak = max_lr_times_curvature(W)
        if W < best:
            what = "the run blows up" if not np.isfinite(peak) else f"lr × curvature reaches {peak:.2f} on the way"
            return Feedback(False, f"With {W} warmup steps {what}: too short. {hint}")
        if W > best:
            return Feedback(False, f"{W} steps keep lr × curvature below 2 (largest {peak:.2f}), but a shorter "
                                   f"warmup does too. {hint}")
        return Feedback(True, f"Right: {best} steps (largest lr × curvature {peak:.2f}); with {best - 1} it "
                              f"reaches {max_lr_times_curvature(best - 1):.2f}.")
    return Feedback(False, f"Answer with a whole number of steps. {hint}")
