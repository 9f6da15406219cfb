r"""Lesson 08, debugging: set-ups, figures and exercise checks of ``notebooks/08_debugging.ipynb``.

What a practitioner can see while training, and what each trace says about the lr:

- the main widget: least squares on two features (``lrlab.data.linear_regression``), with the path,
  the loss, the gradient norm (measured, and the bound :math:`\rho^t\lVert g_0\rVert` from
  ``lrlab.theory.convergence_rate``) and the lr map;
- a gallery of real loss curves: a small MLP (``lrlab.pytorch.small_mlp``) on the digits, trained by
  ``lrlab.pytorch.train`` at five lrs, and :func:`read_loss_curve`, the reading rules written as code;
- update sizes: histograms of each weight's update, and the update-to-weight ratio;
- sharpness: the top Hessian eigenvalue of a small tanh network trained by full-batch gradient
  descent, measured by power iteration on Hessian-vector products (``torch.autograd``); it rises
  until it reaches about ``2/lr`` and then hovers there (the edge of stability).

This module imports torch, matplotlib and ipywidgets.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrlab import data, diagnostics, losses, plotting, theory
from lrlab import pytorch as lp
from lrlab.pytorch import nn, torch  # says what to install if torch is missing
from lrlab.diagnostics import jump_share, moving_average, read_loss_curve
from lrlab.pytorch import FlatParamsLoss, top_eigenvalue
from lrlab.explorer import Explorer, Panel, Problem
from lrlab.exercises import Feedback, check_number_answer
from matplotlib.ticker import LogFormatterSciNotation

__all__ = ["NUM_STEPS", "LR_RANGE", "X0", "PRESETS", "regression", "bowl", "problem", "GradNormPanel", "explorer",
           "GALLERY", "GALLERY_REGIMES", "digits_data", "train_digits", "gallery_runs",
           "read_loss_curve", "jump_share", "FLOAT32_MAX", "gallery_figure", "grad_norm_ends", "grad_norm_figure",
           "update_sizes", "update_histogram_figure", "ratio_sweep", "SWEEP_LRS", "RATIO_STEPS", "RATIO_BAND",
           "lr_sweep", "update_ratio_figure",
           "WARMUP_LRS", "WARMUP_STEPS", "WARMUP_SEEDS", "CLIP_NORM", "WarmupRun", "warmup_run", "warmup_runs",
           "warmup_figure", "CURVE_COLORS", "EOS_LRS", "EOS_STEPS", "EOS_EVERY", "spirals_data", "half_mse", "eos_net", "top_eigenvalue",
           "FlatParamsLoss", "EoSRun", "edge_of_stability", "overshoots", "eos_figure",
           "EXERCISE_CURVES", "exercise_runs", "exercise_figure", "check_diagnosis",
           "check_update_ratio", "EOS_EXERCISE_LR", "check_edge", "BOWL_BOUNDS", "quadratic_regime",
           "QUADRATIC_COLORS", "paths_figure", "WIDE", "early_ratio", "BROKEN_LR", "FIX_STEPS", "FIX_TARGET",
           "FIXES", "run_with_fix", "fix_works", "dead_units", "broken_run_figure", "check_fix"]

C = plotting.PALETTE
RC = plotting.REGIME_COLORS

# --------------------------------------------------------------------------- the main widget

NUM_STEPS = 40
LR_RANGE = (1e-3, 1.0)
X0 = [0.0, 0.0]
# L = 8.41 for this data: lr * L = 0.025 (slow), 0.84 (good), 1.77 (oscillating), 2.10 (diverging)
PRESETS = {"too small": 0.003, "good": 0.1, "oscillating": 0.21, "diverging": 0.25}


def regression() -> losses.LeastSquares:
    """Least squares on 200 rows, two features of spread 1 and 3 (``L`` = 8.41, ``kappa`` = 8.0)."""
    X, y, _ = data.linear_regression(n=200, d=2, noise=0.3, seed=3, scales=[1.0, 3.0])
    return losses.least_squares(X, y)


#: the plotting window: the start X0 = (0, 0) and the minimiser (2.1, -2.5) both well inside
BOWL_BOUNDS = [[-0.7, 3.3], [-4.8, 0.6]]


def bowl() -> losses.Quadratic:
    r"""The same loss written as a quadratic form, :math:`f(w) - f^* = \tfrac12 (w-w^*)^\top H (w-w^*)`,
    :math:`H = X^\top X/n`: identical gradients (so identical runs), and far cheaper to evaluate on
    the 40 000 points of a contour plot than the sum over 200 rows. Its plotting window holds the
    start and the minimiser."""
    return regression().as_quadratic(bounds=BOWL_BOUNDS)


def problem() -> Problem:
    """The main widget's problem: the regression above from w = (0, 0), 40 steps of gradient descent."""
    return Problem(bowl(), X0, NUM_STEPS, title="the path (loss contours)")


class GradNormPanel(Panel):
    r"""The gradient norm against step (log scale), and the bound
    :math:`\rho^t \lVert g_0\rVert` with :math:`\rho = \max_i |1 - \eta\lambda_i|` (dashed).

    On a quadratic the gradient is :math:`A(w - w^*)`, so each eigen-component of it is multiplied by
    :math:`1 - \eta\lambda_i` per step and its norm can shrink no slower than :math:`\rho^t`.
    """

    name = "grad norm"

    def draw(self, ax, view):
        p = view.scene
        g0 = float(np.linalg.norm(p.loss.grad(np.asarray(p.x0, dtype=float))))
        (bound,) = ax.plot([], [], ls="--", lw=1.8, color=C["grey"], label="theory: ρᵗ·‖g₀‖")
        (line,) = ax.plot([], [], color=C["blue"], label="measured ‖g‖")
        ax.set_yscale("log")
        ax.set_xlim(0, p.num_steps)
        ax.set_ylim(g0 * 1e-7, g0 * 1e4)
        ax.set_xlabel("step")
        ax.set_ylabel("gradient norm")
        ax.set_title("gradient norm, log scale")
        ax.legend(frameon=False, loc="lower left")
        self.artists = {"line": line, "bound": bound, "g0": g0}

    def update(self, view):
        traj, a = view.runs["main"], self.artists
        t = np.arange(traj.num_steps + 1)
        g = traj.grad_norm
        a["line"].set_data(t, np.where(np.isfinite(g), g, np.nan))
        a["line"].set_color(RC[view.regime] if view.regime in RC else C["blue"])
        rho = theory.convergence_rate(view.scene.loss, view.lr)
        with np.errstate(over="ignore", under="ignore"):
            b = a["g0"] * rho ** t.astype(float)
        a["bound"].set_data(t, np.where(np.isfinite(b), b, np.nan))


def explorer(lr: float = PRESETS["good"]) -> Explorer:
    """The main widget: path, loss, gradient norm and lr map, presets too small/good/oscillating/diverging."""
    return Explorer(problem(), lr=lr, lr_range=LR_RANGE, presets=PRESETS,
                    panels=("path", "loss", GradNormPanel(), "map"), width=15.5, height=3.7)


def quadratic_regime(loss, lr):
    """The regime of gradient descent on the quadratic ``loss`` at ``lr`` (an array: one per lr): ``lrlab.theory.regime``."""
    return np.asarray(theory.regime(loss, lr))


#: colours of the regimes of gradient descent on a quadratic (figure lines; the words name them too)
QUADRATIC_COLORS = {"monotone convergence": C["green"], "oscillating convergence": C["orange"],
                    "no convergence": C["purple"], "divergence": C["vermillion"]}


@plotting.styled
def paths_figure(traj, loss, names_lrs: dict):
    """The presets' paths on the contours, 2 x 2; each title names the preset, its lr, its regime
    (from 1 − lr·λ) and the share of the loss gap closed, above the panel (never over the path)."""
    fig, axes = plotting.figure(2, 2, width=8.6, height=8.6, squeeze=False)
    regimes = quadratic_regime(loss, np.array(list(names_lrs.values())))
    for i, (ax, (name, lr)) in enumerate(zip(axes.ravel(), names_lrs.items())):
        one = traj[i]
        plotting.contour(loss, ax)
        color = QUADRATIC_COLORS[str(regimes[i])]
        plotting.path_2d(one, ax, color=color)
        ax.plot(*np.asarray(one.params[0]), "o", ms=9, color=C["black"], mfc="white", mew=2, zorder=6)
        gap = 1 - one.loss[-1] / one.loss[0] if np.isfinite(one.loss[-1]) else -np.inf
        closed = ("the loss grows" if gap < 0 else "over 99% of the loss gap closed" if gap > 0.99
                  else f"{gap:.0%} of the loss gap closed")
        ax.set_title(f"{name}: lr = {lr:g}\n{regimes[i]}\n{closed}", fontsize=11.5)
        ax.set_xlabel("w₁" if i >= 2 else "")
        ax.set_ylabel("w₂" if i % 2 == 0 else "")
    return _plain_log_ticks(fig), axes


# --------------------------------------------------------------------------- real runs: the digits MLP

# the gallery: a 64-64-10 ReLU network (float64) on the standardized digits, SGD, batches of 64, 300 steps
# Near the edge of stability a run is chaotic: the last bit of a kernel's rounding (another CPU,
# another torch dispatch level) or a 1e-9 nudge of the lr changes its course. The lrs below are
# chosen so that each reads the same way in every seed (GALLERY_SEEDS), on every dispatch level and
# under such a nudge, with a margin (checked in tests/test_lesson_08_debugging.py); at 2.5 "too high" was a
# coin toss between oscillating and diverging. "good" is measured, not chosen: the lr of SWEEP_LRS whose
# run ends lowest among those that read "falling" (the notebook and the tests check it).
GALLERY = {"too low": 1e-3, "good": 1.0, "oscillating": 2.0, "too high": 3.0, "NaN": 100.0}
GALLERY_REGIMES = {"too low": "barely falling", "good": "falling", "oscillating": "spiky",
                   "too high": "rising", "NaN": "blew up"}
#: a colour per read_loss_curve word (the regime colours of the course, by analogy)
CURVE_COLORS = {"blew up": RC["diverging"], "rising": RC["diverging"], "spiky": RC["oscillating"],
                "barely falling": RC["slow"], "falling": RC["converging"]}
GALLERY_STEPS = 300
GALLERY_SEEDS = range(5)
#: the runs shown with lrlab.pytorch.train's blow-up check off, to watch the numbers overflow
WATCH_OVERFLOW = ("NaN",)


def digits_data():
    """The 1797 digits, each pixel standardized (``lrlab.data.digits(standardize=True)``)."""
    return data.digits(standardize=True)


def train_digits(lr: float, *, hidden=(64,), seed: int = 0, num_steps: int = GALLERY_STEPS,
                 batch_size: int = 64, divergence_threshold: float = 1e10) -> lp.TrainingRecord:
    """Train ``small_mlp(64, hidden, 10, seed=seed)`` in float64 with ``torch.optim.SGD(lr)`` and
    cross-entropy. (float64: near the edge of stability a run is chaotic, and float32 rounding
    differences, e.g. from another thread count, would change its course.)"""
    model = lp.small_mlp(64, hidden, 10, seed=seed).double()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    return lp.train(model, nn.CrossEntropyLoss(), digits_data(), opt, num_steps=num_steps,
                    batch_size=batch_size, seed=seed, divergence_threshold=divergence_threshold)


def gallery_runs(lrs: dict = GALLERY, **kw) -> dict:
    """name -> TrainingRecord, one run per lr of ``lrs`` (the WATCH_OVERFLOW ones run on to NaN)."""
    return {name: train_digits(lr, **kw, **({"divergence_threshold": math.inf} if name in WATCH_OVERFLOW else {}))
            for name, lr in lrs.items()}


def gallery_over_seeds(names=("oscillating", "too high"), seeds=GALLERY_SEEDS, lrs: dict = GALLERY) -> dict:
    """name -> [TrainingRecord per seed]: the chaotic runs again with other batch orders and
    initial weights, so that what the lesson says about them is a property of the lr, not of a seed."""
    return {name: [train_digits(lrs[name], seed=seed) for seed in seeds] for name in names}


def _positive(v):
    """Finite positive values (others NaN, i.e. not drawn), capped far above any axis we draw."""
    v = np.asarray(v, dtype=float)
    return np.where(np.isfinite(v) & (v > 0), np.minimum(v, 1e250), np.nan)


def _log_limits(values, floor: float, ceiling: float = 1e45):
    """y limits for a log axis: the finite positive range with a margin, clipped to
    ``[floor, ceiling]`` (a blow-up then leaves through the top instead of squashing the rest)."""
    v = _positive(values)
    lo, hi = np.nanmin(v), np.nanmax(v)
    return max(lo / 1.3, floor), min(hi * 1.5, ceiling)


FLOAT32_MAX = float(np.finfo(np.float32).max)


class _PlainLogFormatter(LogFormatterSciNotation):
    """Log-axis labels as plain numbers ("2", "0.05", "300") when the whole view lies within
    [1e-3, 1e4]; powers of ten (10⁴⁵) otherwise. Same ticks labelled as matplotlib's default,
    which on a narrow view writes its minor ticks as "2×10⁰"."""

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        lo, hi = sorted(self.axis.get_view_interval()) if self.axis is not None else (x, x)
        if label and 1e-3 <= lo and hi <= 1e4:
            return f"{x:g}"
        return label


def _plain_log_ticks(fig):
    """Give every log axis of ``fig`` a _PlainLogFormatter (major and minor ticks); returns fig."""
    for ax in fig.axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            if scale == "log":
                axis.set_major_formatter(_PlainLogFormatter())
                axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))
    return fig


@plotting.styled
def gallery_figure(records: dict, lrs: dict = GALLERY, regimes: dict = GALLERY_REGIMES, floor: float = 1e-3):
    """One panel per run (raw minibatch loss, thin, and its moving average, thick) and a last
    panel with all the moving averages together. The loss axes stop at ``floor`` (single batches
    that are all classified right give losses down to 1e-8, which would squash the picture).
    Returns ``(fig, axes)``."""
    n = len(records)
    fig, axes = plotting.figure(3, 2, width=9.0, height=10.5, squeeze=False)
    flat = axes.ravel()
    for ax, (name, rec) in zip(flat, records.items()):
        color = CURVE_COLORS[regimes[name]]
        ax.plot(rec.steps, _positive(rec.loss), color=color, lw=0.8, alpha=0.45)
        ax.plot(rec.steps, _positive(moving_average(rec.loss)), color=color, lw=2.4)
        ax.set_yscale("log")
        lo, hi = _log_limits(rec.loss, floor)
        ax.set_ylim(lo, hi)
        ax.set_xlim(0, rec.num_steps)
        ax.set_xlabel("step")
        ax.set_ylabel("training loss")
        ax.set_title(f"{name}: lr = {lrs[name]:g}")
        if rec.diverged:
            t = rec.diverged_at
            ax.plot([t], [hi], "X", color=C["black"], ms=12, clip_on=False, zorder=5)
            if np.isfinite(rec.loss[t]):          # stopped by train's blow-up check
                what = f"> 10¹⁰ × its start at step {t}:\ntrain() stops the run"
            else:                                 # the safety net was off: it ran on into NaN
                ax.axhline(FLOAT32_MAX, color=C["grey"], ls="--", lw=1.2)
                ax.text(rec.num_steps, FLOAT32_MAX, "float32's largest number ", ha="right", va="top",
                        fontsize=10, color=C["grey"])      # under its line: the cross's note sits above
                what = f"loss = {rec.loss[t]:g} at step {t}"
            # stopped early: room on the right, write it there, off the curve (the NaN panel's
            # right side holds the float32 label: centre it above the cross instead)
            early = t < 0.4 * rec.num_steps and np.isfinite(rec.loss[t])
            ax.annotate(what, (t, hi), xytext=(16, -22) if early else (0, -14), textcoords="offset points",
                        ha="left" if early else "center", va="top", fontsize=11)
        flat[n].plot(rec.steps, _positive(moving_average(rec.loss)), color=color, lw=2.2,
                     ls="--" if name == "NaN" else "-", label=f"{name} ({lrs[name]:g})")
    last = flat[n]
    last.set_yscale("log")
    last.set_ylim(1e-3, 1e7)
    last.set_xlim(0, max(r.num_steps for r in records.values()))
    last.set_xlabel("step")
    last.set_ylabel("moving average")
    last.set_title("all five, smoothed")
    last.legend(frameon=False, loc="upper right")          # one column: clear of the blow-ups on the left
    for ax in flat[n + 1:]:
        ax.set_visible(False)
    return _plain_log_ticks(fig), axes


def grad_norm_ends(rec) -> tuple[float, float, float]:
    """The smoothed gradient norm of a run: (first value, last finite value, largest value)."""
    g = moving_average(rec.grad_norm[np.isfinite(rec.grad_norm)])
    return float(g[0]), float(g[-1]), float(np.max(g))


@plotting.styled
def grad_norm_figure(records: dict, lrs: dict = GALLERY, regimes: dict = GALLERY_REGIMES, ax=None):
    """The global gradient norm of the gallery runs against step (moving averages, log scale)."""
    fig, ax = plotting.figure_or_ax(ax, width=8.5, height=4.2)
    for name, rec in records.items():
        color = CURVE_COLORS[regimes[name]]
        ax.plot(rec.steps, _positive(rec.grad_norm), color=color, lw=0.7, alpha=0.35)
        ax.plot(rec.steps, _positive(moving_average(rec.grad_norm)), color=color, lw=2.4,
                ls="--" if name == "NaN" else "-", label=f"{name} (lr = {lrs[name]:g})")
    ax.set_yscale("log")
    ax.set_ylim(*_log_limits(np.concatenate([r.grad_norm for r in records.values()]), 1e-3, 1e6))
    ax.set_xlim(0, max(r.num_steps for r in records.values()))
    ax.set_xlabel("step")
    ax.set_ylabel("gradient norm ‖g‖")
    ax.set_title("gradient norm of the minibatch loss")
    ax.legend(frameon=False, loc="upper right", ncols=2)     # clear of the blow-ups on the left
    return _plain_log_ticks(fig), ax


# --------------------------------------------------------------------------- update sizes

def update_sizes(lr: float, *, steps: int = 20, layer: str = "0.weight", seed: int = 0):
    r"""Every entry's update relative to its layer's scale, :math:`|\Delta w_{ij}| / \mathrm{rms}(W)`,
    over the first ``steps`` SGD steps of the digits network (one ``lrlab.pytorch.train`` call per
    step, batch ``t`` drawn with seed ``t``).

    Returns ``(sizes, zero_fraction)``: the non-zero relative updates (flattened over steps) and the
    fraction of updates that are exactly zero (weights of always-blank pixels, or of dead units).
    """
    model = lp.small_mlp(64, (64,), 10, seed=seed).double()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    weight = dict(model.named_parameters())[layer]
    X, y = digits_data()
    sizes, zeros, total = [], 0, 0
    for t in range(steps):
        before = weight.detach().clone()
        rec = lp.train(model, nn.CrossEntropyLoss(), (X, y), opt, num_steps=1, batch_size=64, seed=seed + t)
        if rec.diverged:
            break
        delta = (weight.detach() - before).abs().double()
        rel = (delta / before.double().pow(2).mean().sqrt()).numpy().ravel()
        zeros += int(np.sum(rel == 0))
        total += rel.size
        sizes.append(rel[rel > 0])
    return np.concatenate(sizes), zeros / max(total, 1)


@plotting.styled
def update_histogram_figure(samples: dict, lrs: dict, regimes: dict = GALLERY_REGIMES, steps: int = 20, ax=None):
    """Histograms (log-spaced bins) of the relative update sizes of ``samples`` (name -> sizes)."""
    fig, ax = plotting.figure_or_ax(ax, width=9.0, height=4.2)
    bins = np.logspace(-9, 1, 61)
    for name, s in samples.items():
        ax.hist(np.clip(s, bins[0], bins[-1]), bins=bins, histtype="stepfilled", alpha=0.35,
                color=CURVE_COLORS[regimes[name]])
        ax.hist(np.clip(s, bins[0], bins[-1]), bins=bins, histtype="step", lw=2,
                color=CURVE_COLORS[regimes[name]], label=f"{name} (lr = {lrs[name]:g}): median {np.median(s):.1e}")
    ax.axvline(1e-3, color=C["black"], ls=":", lw=2)
    ax.text(1e-3, 0.97, " 10⁻³ ", transform=ax.get_xaxis_transform(), ha="right", va="top",
            fontweight="bold", fontsize=11)
    ax.set_xscale("log")
    ax.set_xlabel("|Δw| / rms(W), one value per weight and step")
    ax.set_ylabel("count")
    ax.set_title(f"first layer's updates, first {steps} steps: the lr shifts the whole histogram")
    ax.legend(frameon=False, loc="upper left", fontsize=12)
    return _plain_log_ticks(fig), ax


def ratio_sweep(lrs, *, num_steps: int = 50):
    """Median update-to-weight ratio over ``num_steps`` steps of the digits network, for each lr."""
    return np.array([np.nanmedian(train_digits(float(lr), num_steps=num_steps).update_ratio) for lr in lrs])


#: the lrs of section 4's sweep, half a decade apart; they include the gallery's lrs up to "too high"
SWEEP_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 2.0, 3.0)
#: the ratio is read as its median over the first RATIO_STEPS steps (the phase where it follows the lr)
RATIO_STEPS = 50
#: the band of ratios (first RATIO_STEPS steps) of the sweep's falling lrs that end within 10x of the best run;
#: drawn in the figure and the target of exercise 2
RATIO_BAND = (1e-2, 1e-1)


@dataclass(frozen=True)
class Sweep:
    """Section 4's sweep: one GALLERY_STEPS-step run per lr (seed 0)."""
    lrs: np.ndarray        # (n,)
    final: np.ndarray      # (n,) smoothed loss at the last step; inf for a run stopped as diverged
    ratio: np.ndarray      # (n,) median update-to-weight ratio over the first RATIO_STEPS steps
    regime: tuple          # (n,) read_loss_curve of each run

    @property
    def best(self) -> float:
        """The lr whose run ends lowest among those read as falling."""
        ok = np.array([r == "falling" for r in self.regime])
        return float(self.lrs[ok][np.argmin(self.final[ok])])


def lr_sweep(lrs=SWEEP_LRS, *, num_steps: int = GALLERY_STEPS, ratio_steps: int = RATIO_STEPS) -> Sweep:
    """Train the digits network at every lr of ``lrs``; the final loss, the early ratio and the regime."""
    recs = [train_digits(float(lr), num_steps=num_steps) for lr in lrs]
    final = np.array([math.inf if r.diverged else float(moving_average(r.loss)[-1]) for r in recs])
    ratio = np.array([float(np.nanmedian(r.update_ratio[:ratio_steps])) for r in recs])
    return Sweep(np.asarray(lrs, dtype=float), final, ratio, tuple(read_loss_curve(r.loss) for r in recs))


@plotting.styled
def update_ratio_figure(records: dict, sweep_lrs, sweep_ratios, names=("too low", "good", "too high"),
                        lrs: dict = GALLERY, regimes: dict = GALLERY_REGIMES, band=RATIO_BAND,
                        best: float | None = None, ratio_steps: int = RATIO_STEPS):
    """Left: the ratio against step for a few runs; right: the early median ratio against lr, with
    the band and (``best``) the sweep's best lr marked."""
    fig, axes = plotting.figure(2, 1, width=8.5, height=8.6)
    ax, bx = axes
    for name in names:
        rec = records[name]
        color = CURVE_COLORS[regimes[name]]
        ax.plot(rec.steps, _positive(rec.update_ratio), color=color, lw=0.7, alpha=0.35)
        ax.plot(rec.steps, _positive(moving_average(rec.update_ratio)), color=color, lw=2.4,
                label=f"{name} (lr = {lrs[name]:g})")
    ax.axvspan(0, ratio_steps, color=C["grey"], alpha=0.12, lw=0)
    ax.text(0.98, 0.97, f"grey: the first {ratio_steps} steps,\nwhose median the lower panel shows",
            transform=ax.transAxes, ha="right", va="top", fontsize=12, color=C["black"])
    bx.axhspan(*band, color=C["green"], alpha=0.15, lw=0)
    for a in (ax, bx):
        a.set_yscale("log")
    ax.set_xlim(0, max(records[n].num_steps for n in names))
    ax.set_ylim(1e-6, 2.0)                                    # room for the legend below the lowest curve
    ax.set_xlabel("step")
    ax.set_ylabel("‖Δw‖ / ‖w‖ per step")
    ax.set_title("the ratio is largest early, then falls as the net fits")
    ax.legend(frameon=False, loc="lower left", fontsize=12)
    sweep_lrs = np.asarray(sweep_lrs, dtype=float)
    bx.plot(sweep_lrs, sweep_ratios, "o-", color=C["blue"], label=f"measured (median, first {ratio_steps} steps)")
    ref = sweep_ratios[0] * sweep_lrs / sweep_lrs[0]
    bx.plot(sweep_lrs, ref, ":", color=C["grey"], lw=2, label="proportional to lr")
    if best is not None:
        i = int(np.argmin(np.abs(sweep_lrs - best)))
        bx.plot(sweep_lrs[i], sweep_ratios[i], "*", ms=18, color=C["green"], mec=C["black"], zorder=5,
                label=f"best run of the sweep (lr = {best:g})")
    bx.set_xscale("log")
    bx.set_xlabel("learning rate")
    bx.set_ylabel("‖Δw‖ / ‖w‖ per step")
    bx.set_title("the ratio follows the lr; the best lr's is near 4·10⁻²")
    bx.legend(frameon=False, loc="upper left", fontsize=12)
    bx.text(0.98, 0.04, f"green band: {band[0]:g} to {band[1]:g}, the falling\nlrs that end within 10x of the best",
            transform=bx.transAxes, ha="right", va="bottom", fontsize=12, color=C["green"])
    return _plain_log_ticks(fig), axes


# --------------------------------------------------------------------------- sharpness, edge of stability

EOS_LRS = (0.2, 0.3, 0.4)
EOS_STEPS = 1000
EOS_EVERY = 20


def spirals_data():
    """Two spirals (200 points), as float64 tensors: inputs (200, 2) and one-hot targets (200, 2)."""
    X, y = data.spirals(n=200, noise=0.05, seed=0)
    return torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(np.eye(2)[y], dtype=torch.float64)


def half_mse(out, target):
    r"""Half the squared error summed over outputs, averaged over rows: :math:`\frac{1}{2n}\sum\lVert f(x)-y\rVert^2`."""
    return 0.5 * (out - target).pow(2).sum(dim=1).mean()


def eos_net(seed: int = 0) -> nn.Sequential:
    """A 2-32-2 tanh network in float64 (``small_mlp(..., activation='tanh', init_scale=0.6)``)."""
    return lp.small_mlp(2, (32,), 2, seed=seed, activation="tanh", init_scale=0.6).double()


@dataclass
class EoSRun:
    """Full-batch gradient descent with the sharpness measured every ``every`` steps."""

    lr: float
    steps: np.ndarray          # (k,) steps at which the sharpness was measured
    sharpness: np.ndarray      # (k,) top Hessian eigenvalue there
    loss: np.ndarray           # (num_steps,) full-batch loss before each step
    model: nn.Module

    @property
    def limit(self) -> float:
        return 2.0 / self.lr


def edge_of_stability(lr: float, *, num_steps: int = EOS_STEPS, every: int = EOS_EVERY, seed: int = 0) -> EoSRun:
    """Train ``eos_net`` on the spirals with plain full-batch GD (``lrlab.pytorch.train`` in chunks of
    ``every`` steps; SGD without momentum has no state, so chunks change nothing) and measure the
    sharpness after each chunk (warm-started power iteration)."""
    X, Y = spirals_data()
    model = eos_net(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    lam, v = top_eigenvalue(model, half_mse, X, Y, iters=40)
    steps, sharp, loss = [0], [lam], []
    for k in range(num_steps // every):
        rec = lp.train(model, half_mse, (X, Y), opt, num_steps=every, seed=seed)
        loss.append(rec.loss)
        if rec.diverged:
            break
        lam, v = top_eigenvalue(model, half_mse, X, Y, v, iters=4)
        steps.append((k + 1) * every)
        sharp.append(lam)
    return EoSRun(lr, np.array(steps), np.array(sharp), np.concatenate(loss), model)


def overshoots(run: "EoSRun") -> np.ndarray:
    """Heights (in units of 2/lr) of the sharpness peaks above 2/lr, in time order."""
    s = run.sharpness / run.limit
    peak = (s[1:-1] > s[:-2]) & (s[1:-1] >= s[2:]) & (s[1:-1] > 1.0)
    return s[1:-1][peak]


@plotting.styled
def eos_figure(runs):
    """Left: sharpness against step with 2/lr dashed; right: the full-batch loss. Returns ``(fig, axes)``."""
    fig, axes = plotting.figure(1, 2, width=9.0, height=4.2)
    ax, bx = axes
    colors = [C["blue"], C["orange"], C["green"], C["purple"], C["vermillion"]]
    for run, c in zip(runs, colors):
        ax.plot(run.steps, run.sharpness, color=c, label=f"lr = {run.lr:g}")
        ax.axhline(run.limit, color=c, ls="--", lw=1.6)
        ax.text(15, run.limit, f"2/lr = {run.limit:.3g}", color=c, ha="left", va="bottom",
                fontsize=11, fontweight="bold")
        bx.plot(np.arange(run.loss.size), run.loss, color=c, lw=1.6, label=f"lr = {run.lr:g}")
    ax.set_ylim(0, 1.5 * max(r.limit for r in runs))        # room for the legend above the curves
    ax.set_xlim(0, max(r.steps[-1] for r in runs))
    ax.set_xlabel("step")
    ax.set_ylabel("top Hessian eigenvalue")
    ax.set_title("sharpness climbs to 2/lr,\nthen cycles around it")
    ax.legend(frameon=False, loc="upper right", ncols=1, fontsize=11)
    bx.set_yscale("log")
    bx.set_xlim(0, max(r.loss.size for r in runs))
    bx.set_xlabel("step")
    bx.set_ylabel("full-batch loss")
    bx.set_title("the loss still falls,\nwith spikes")
    bx.legend(frameon=False, loc="upper right")
    return _plain_log_ticks(fig), axes


# --------------------------------------------------------------------------- exercises

# the exercise curves: a narrower network (32 hidden units), another seed; letter -> lr
# (lrs away from chaotic boundaries: each reads the same on every dispatch level and under a 1e-9 nudge)
EXERCISE_CURVES = {"A": 2.0, "B": 0.3, "C": 3.0, "D": 1e-3}
EXERCISE_KW = dict(hidden=(32,), seed=2)

_WORDS = ("blew up", "rising", "spiky", "barely falling", "falling")
_SYNONYMS = {"barely": "barely falling", "slow": "barely falling", "falls": "falling", "fell": "falling",
             "rises": "rising", "rose": "rising", "nan": "blew up", "blown up": "blew up", "blows up": "blew up",
             "bouncing": "spiky", "jumpy": "spiky"}
_LOOK_AGAIN = {
    "barely falling": "compare its last value with its first: did it even halve in 300 steps?",
    "falling": "is there anything wrong with it? It falls steadily and levels off low.",
    "spiky": "look at how far it jumps from one step to the next late in the run, on this log scale.",
    "rising": "where does it end, compared with where it started?",
    "blew up": "does it end with a number at all?",
}


def exercise_runs() -> dict:
    """letter -> TrainingRecord of the exercise curves."""
    return {k: train_digits(lr, **EXERCISE_KW) for k, lr in EXERCISE_CURVES.items()}


@plotting.styled
def exercise_figure(records: dict):
    """The unlabelled curves A, B, C, D (raw and smoothed, log scale, all in the same neutral colour)."""
    fig, axes = plotting.figure(-(-len(records) // 2), 2, width=9.0, height=6.6, squeeze=False)
    for ax, (k, rec) in zip(axes.ravel(), records.items()):
        ax.plot(rec.steps, _positive(rec.loss), color=C["black"], lw=0.8, alpha=0.35)
        ax.plot(rec.steps, _positive(moving_average(rec.loss)), color=C["black"], lw=2.2)
        ax.set_yscale("log")
        lo, hi = _log_limits(rec.loss, 1e-3)
        ax.set_ylim(lo, hi)
        if rec.diverged:
            ax.plot([rec.diverged_at], [hi], "X", color=C["black"], ms=11, clip_on=False, zorder=5)
        ax.set_xlim(0, rec.num_steps)
        ax.set_xlabel("step")
        ax.set_title(f"curve {k}")
    for ax in axes[:, 0]:
        ax.set_ylabel("training loss")
    return _plain_log_ticks(fig), axes


def _expected_diagnosis(records=None) -> dict:
    records = records or exercise_runs()
    return {k: read_loss_curve(rec.loss) for k, rec in records.items()}


def check_diagnosis(answer, records=None) -> Feedback:
    """Exercise 1: a dict letter -> read_loss_curve word ('blew up', 'rising', 'spiky', 'barely falling',
    'falling')."""
    expected = _expected_diagnosis(records)
    example = "{'A': '...', 'B': '...', 'C': '...', 'D': '...'}"
    if not isinstance(answer, dict):
        return Feedback(False, f"Answer with a dict from curve letter to word, e.g. {example}.")
    keys = {str(k).strip().upper(): v for k, v in answer.items()}
    missing = [k for k in expected if k not in keys]
    if missing:
        return Feedback(False, f"Give a word for every curve; missing: {', '.join(missing)}.")
    wrong = []
    for k, want in expected.items():
        got = keys[k]
        got = _SYNONYMS.get(str(got).strip().lower(), str(got).strip().lower())
        if got not in _WORDS:
            return Feedback(False, f"Curve {k}: {keys[k]!r} is not one of the words; use 'blew up', 'rising', "
                                   "'spiky', 'barely falling' or 'falling'.")
        if got != want:
            wrong.append(f"curve {k}: {_LOOK_AGAIN[want]}")
    if wrong:
        return Feedback(False, f"{len(expected) - len(wrong)} of {len(expected)} right. Look again at "
                        + "; ".join(wrong))
    lrs = ", ".join(f"{k} = {EXERCISE_CURVES[k]:g}" for k in expected)
    return Feedback(True, f"All four right. The lrs were {lrs}.")


#: exercise 3's network: the digits net made wider (256 hidden units) and trained on batches of 256
WIDE = dict(hidden=(256,), batch_size=256)


def _ratio_of(rec) -> float:
    return math.inf if rec.diverged else float(np.nanmedian(rec.update_ratio))


def early_ratio(lr: float, **kw) -> float:
    """The median update-to-weight ratio over the first RATIO_STEPS steps of ``train_digits(lr, **kw)``
    (NaN-free; a run that blows up within them gives inf)."""
    return _ratio_of(train_digits(float(lr), num_steps=RATIO_STEPS, **kw))


def check_update_ratio(answer, net: dict = WIDE) -> Feedback:
    """Exercise 3: an lr at which the wide network's median update-to-weight ratio (first 50 steps)
    lies in RATIO_BAND and whose loss curve over those steps reads 'falling' (not at the edge).
    The check trains it at the answer and measures."""
    try:
        lr = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, f"Answer with a learning rate (a number), got {answer!r}.")
    if answer is None or not math.isfinite(lr) or lr <= 0:
        return Feedback(False, "Replace the placeholder with a positive learning rate.")
    if lr > 100:
        return Feedback(False, f"lr = {lr:g} is far too large: the run blows up at once. Try much smaller.")
    rec = train_digits(lr, num_steps=RATIO_STEPS, **net)
    r, reading = _ratio_of(rec), read_loss_curve(rec.loss)
    lo, hi = RATIO_BAND
    if not math.isfinite(r):
        return Feedback(False, f"At lr = {lr:g} this network blows up within {RATIO_STEPS} steps: you are past "
                               "its edge of stability, where the ratio no longer follows the lr. Come back down.")
    if reading != "falling":
        return Feedback(False, f"At lr = {lr:g} the loss curve of those {RATIO_STEPS} steps reads '{reading}', not "
                               "'falling': this lr is at or past the network's edge of stability. A ratio in the "
                               "band is no use there: come back down.")
    if lo <= r <= hi:
        return Feedback(True, f"lr = {lr:g} gives a median ratio of {r:.1e}, inside [{lo:g}, {hi:g}]. Note that the "
                              "lr that does it is not the 64-unit network's: the ratio depends on the network and "
                              "the batch size, which is why you measure it instead of copying an lr.")
    direction = "below" if r < lo else "above"
    return Feedback(False, f"lr = {lr:g} gives a median ratio of {r:.1e}, {direction} the band. Keep it as one end "
                           "of your bracket and try a point in between (e.g. the geometric mean of your two "
                           "ends): the ratio is not proportional to the lr here.")


EOS_EXERCISE_LR = 0.25


def check_edge(answer) -> Feedback:
    """Exercise 3: the sharpness at which full-batch GD with lr = 0.25 settles."""
    return check_number_answer(answer, 2.0 / EOS_EXERCISE_LR, rtol=0.05,
                               hint="In section 5's figure, where does each sharpness curve settle relative to its dashed "
                                    "line, and how does that line depend on the lr?",
                               right=f"{2.0 / EOS_EXERCISE_LR:g} = 2/lr: the sharpness the lr can just tolerate.")


# --------------------------------------------------------------------------- exercise: diagnose and fix

#: the misbehaving run: the digits network fed raw grey levels (0..16, not standardized) at the lr
#: that is best for standardized pixels
BROKEN_LR = 1.0
FIX_STEPS = 300
#: a fix works when the run does not blow up and its smoothed loss ends below this (the broken run
#: sits at ln 10 = 2.30; the fixes that work end below 0.11, the others above 0.9, in every seed)
FIX_TARGET = 0.3
FIXES = {
    "lower lr": "the same run at a tenth of the lr (0.1)",
    "warm-up": "the lr ramped linearly from 0 to 1.0 over the first 100 steps",
    "clipping": "the gradient clipped to norm 1 before each step",
    "re-initialisation": "the initial weights drawn at half their scale",
    "normalising": "each pixel standardized to mean 0 and standard deviation 1",
}
_FIX_SYNONYMS = {
    "lower lr": ("lower lr", "lower the lr", "lower learning rate", "smaller lr", "lr", "lower"),
    "warm-up": ("warm-up", "warmup", "warm up"),
    "clipping": ("clipping", "clip", "gradient clipping", "clip gradients"),
    "re-initialisation": ("re-initialisation", "reinitialisation", "re-initialization", "reinitialization",
                          "re-init", "reinit", "init", "initialisation", "initialization"),
    "normalising": ("normalising", "normalizing", "normalise", "normalize", "normalisation", "normalization",
                    "standardize", "standardise", "standardizing", "standardising"),
}
_WHY_NOT = {
    "warm-up": "a warm-up only helps when the trouble is in the first steps and passes; here the raw inputs make "
               "the loss surface steep for good, so once the ramp reaches the full lr the network dies as before",
    "clipping": "clipping caps the size of each step, but the lr is still far too large for the steep directions "
                "the raw inputs create: the run keeps being thrown around and ends far above the target",
    "re-initialisation": "smaller initial weights lower the first loss but not the steepness that inputs of size up "
                         "to 16 create: the lr is still far past what this network tolerates",
    "lower lr": "",
    "normalising": "",
}


def _fix_kwargs(fix: str | None) -> dict:
    return {None: {}, "lower lr": dict(lr=BROKEN_LR / 10), "warm-up": dict(warmup=100),
            "clipping": dict(clip=1.0), "re-initialisation": dict(init_scale=0.5),
            "normalising": dict(standardize=True)}[fix]


def run_with_fix(fix: str | None = None, *, seed: int = 0, num_steps: int = FIX_STEPS):
    """The misbehaving run (``fix=None``) or the same run with one fix of FIXES applied.

    A plain torch loop: raw pixels (0..16) unless normalising, ``small_mlp(64, (64,), 10)`` in
    float64, SGD on batches of 64, cross-entropy, with the warm-up and clipping written out.
    Returns ``(loss, grad_norm, model)``: per step the loss before the step and the gradient norm
    before clipping, and the trained model; the loop stops at a non-finite loss or one above 1e10.
    """
    kw = dict(lr=BROKEN_LR, warmup=0, clip=None, init_scale=1.0, standardize=False)
    kw.update(_fix_kwargs(fix))
    X, y = torch.as_tensor(_fix_inputs(fix)), torch.as_tensor(data.digits()[1])
    model = lp.small_mlp(64, (64,), 10, seed=seed, init_scale=kw["init_scale"]).double()
    opt = torch.optim.SGD(model.parameters(), lr=kw["lr"])
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    order, i = torch.randperm(len(y), generator=gen), 0
    losses, norms = [], []
    for t in range(num_steps):
        if i + 64 > len(y):
            order, i = torch.randperm(len(y), generator=gen), 0
        batch, i = order[i:i + 64], i + 64
        opt.zero_grad()
        loss = loss_fn(model(X[batch]), y[batch])
        if not torch.isfinite(loss) or loss.item() > 1e10:
            break
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), kw["clip"] or math.inf)
        for group in opt.param_groups:
            group["lr"] = kw["lr"] * min(1.0, (t + 1) / kw["warmup"]) if kw["warmup"] else kw["lr"]
        opt.step()
        losses.append(loss.item())
        norms.append(float(norm))
    return np.array(losses), np.array(norms), model


def _fix_inputs(fix: str | None) -> np.ndarray:
    """The pixels the run sees: standardized for "normalising", else raw grey levels 0..16."""
    if fix == "normalising":
        return data.digits(standardize=True)[0]
    return 16.0 * data.digits()[0]                   # data.digits() divides the grey levels by 16


def fix_works(loss) -> bool:
    """Whether a run of ``run_with_fix`` worked: it ran all its steps and its smoothed loss ends below FIX_TARGET."""
    return len(loss) == FIX_STEPS and bool(moving_average(loss)[-1] < FIX_TARGET)


def dead_units(model, fix: str | None = None) -> int:
    """How many hidden ReLUs of a ``run_with_fix`` model never fire, on any image of its inputs."""
    X = torch.as_tensor(_fix_inputs(fix))
    with torch.no_grad():
        hidden = model[1](model[0](X))
    return int((hidden.max(dim=0).values <= 0).sum())


@plotting.styled
def broken_run_figure(loss, grad_norm):
    """The misbehaving run: its loss and its gradient norm at every step (not smoothed: an average
    would smear the first steps, where it all happens), log scales."""
    fig, (ax, bx) = plotting.figure(1, 2, width=9.0, height=3.6)
    t = np.arange(len(loss))
    ax.plot(t, _positive(loss), color=C["black"], lw=1.4)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.set_title("loss")
    bx.plot(t, _positive(grad_norm), color=C["blue"], lw=1.4)
    bx.set_yscale("log")
    bx.set_xlabel("step")
    bx.set_ylabel("gradient norm ‖g‖")
    bx.set_title("gradient norm")
    for a in (ax, bx):
        a.set_xlim(0, len(loss))
    return _plain_log_ticks(fig), (ax, bx)


def check_fix(answer) -> Feedback:
    """The diagnose-and-fix exercise: one of FIXES. The check runs that fix and reports whether it
    worked; any fix that works is right, and the feedback says why the others do not."""
    names = list(FIXES)
    if not isinstance(answer, str):
        return Feedback(False, f"Answer with one of {names}, got {answer!r}.")
    key = answer.strip().lower()
    fix = next((k for k, syn in _FIX_SYNONYMS.items() if key in syn), None)
    if fix is None:
        return Feedback(False, f"{answer!r} is not one of the fixes: choose one of {names}.")
    loss, _, _ = run_with_fix(fix)
    if fix_works(loss):
        others = [k for k in names if k != fix and _WHY_NOT[k]]
        also = "normalising" if fix == "lower lr" else "lowering the lr"
        return Feedback(True, f"Ran it ({FIXES[fix]}): the smoothed loss now ends below {FIX_TARGET:g}. The first "
                              "steps were far too large for raw inputs of size up to 16: they threw the weights so "
                              f"far that the hidden units stopped firing. {also.capitalize()} works too"
                              + ("; it is the better fix, since it removes the cause (with standardized pixels "
                                 "lr = 1 is the gallery's good lr)" if fix == "lower lr" else "") + ". The others fail: "
                              + "; ".join(f"{k}: {_WHY_NOT[k]}" for k in others) + ".")
    return Feedback(False, f"Ran it ({FIXES[fix]}): the smoothed loss still ends above {FIX_TARGET:g}. Why: "
                           f"{_WHY_NOT[fix]}. Look at the first gradient norm again, and compare it with the "
                           "gallery's good run.")


# --------------------------------------------------------------------------- warm-up on the digits net

WARMUP_LRS = (1.0, 3.0)          # the gallery's good and too-high lrs
WARMUP_STEPS = 100               # linear warm-up from 1% of the lr over this many steps
WARMUP_SEEDS = range(3)
WARMUP_CHECKPOINTS = (0, 2, 5, 10, 20, 30, 50, 75, 100)
CLIP_NORM = 1.0


@dataclass
class WarmupRun:
    """A run of the digits net (64 hidden units, minibatches of 64, float64) with the sharpness of the
    full-data loss measured at ``steps`` (power iteration, :func:`top_eigenvalue`)."""

    lr: float
    how: str                   # "constant", "warm-up" or "clipping"
    seed: int
    steps: np.ndarray
    sharpness: np.ndarray
    blew_up: bool              # the minibatch loss passed 1e6 or was not finite
    final: float               # full-data loss after the run (inf if it blew up)


def warmup_run(lr: float, how: str = "constant", *, seed: int = 0, num_steps: int = GALLERY_STEPS,
               checkpoints=WARMUP_CHECKPOINTS) -> WarmupRun:
    """Train the gallery's network with plain SGD at ``lr``: constant, with a linear warm-up from 1% of
    ``lr`` over WARMUP_STEPS steps, or with the gradient clipped to norm CLIP_NORM
    (``torch.nn.utils.clip_grad_norm_``). The sharpness is measured before the steps in ``checkpoints``."""
    if how not in ("constant", "warm-up", "clipping"):
        raise ValueError(f"how must be 'constant', 'warm-up' or 'clipping', got {how!r}")
    X, y = digits_data()
    X, y = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(y)
    ce = nn.CrossEntropyLoss()
    model = lp.small_mlp(64, (64,), 10, seed=seed).double()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    perm, pos, B = torch.randperm(len(X), generator=gen), 0, 64
    steps, sharp, v = [], [], None
    for t in range(num_steps):
        if t in checkpoints:
            lam, v = top_eigenvalue(model, ce, X, y, v, iters=20 if v is None else 10)
            steps.append(t)
            sharp.append(lam)
        if pos + B > len(X):
            perm, pos = torch.randperm(len(X), generator=gen), 0
        idx, pos = perm[pos:pos + B], pos + B
        factor = min(1.0, 0.01 + 0.99 * t / WARMUP_STEPS) if how == "warm-up" else 1.0
        for group in opt.param_groups:
            group["lr"] = lr * factor
        opt.zero_grad()
        loss = ce(model(X[idx]), y[idx])
        loss.backward()
        if how == "clipping":
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        opt.step()
        if not math.isfinite(loss.item()) or loss.item() > 1e6:
            return WarmupRun(lr, how, seed, np.array(steps), np.array(sharp), True, math.inf)
    with torch.no_grad():
        final = ce(model(X), y).item()
    return WarmupRun(lr, how, seed, np.array(steps), np.array(sharp), False, final)


def warmup_runs(seeds=WARMUP_SEEDS) -> dict:
    """(lr, how) -> [WarmupRun per seed]: lr 1 constant and with warm-up (sharpness measured), lr 3
    constant, with warm-up and with clipping (outcome only, no sharpness)."""
    good, high = WARMUP_LRS
    out = {(good, how): [warmup_run(good, how, seed=s) for s in seeds] for how in ("constant", "warm-up")}
    out.update({(high, how): [warmup_run(high, how, seed=s, checkpoints=()) for s in seeds]
                for how in ("constant", "warm-up", "clipping")})
    return out


@plotting.styled
def warmup_figure(runs: dict, lr: float = WARMUP_LRS[0]):
    """Sharpness against step in the first 100 steps at ``lr``, constant (red) and warm-up (green), one
    thin line per seed, with the two limits: 2/lr (dashed) and 2/(the warm-up's lr at that step) (dotted)."""
    fig, ax = plotting.figure(1, 1, width=8.0, height=4.2)
    for how, color in (("constant", C["vermillion"]), ("warm-up", C["green"])):
        for i, r in enumerate(runs[(lr, how)]):
            ax.plot(r.steps, r.sharpness, "o-", color=color, lw=1.8, ms=4, alpha=0.8,
                    label=f"{how} lr (3 seeds)" if i == 0 else None)
    t = np.arange(0, WARMUP_STEPS + 1)
    ax.axhline(2 / lr, color=C["vermillion"], ls="--", lw=1.6, label=f"2/lr = {2 / lr:g} (constant lr)")
    warm_lr = lr * np.minimum(1.0, 0.01 + 0.99 * t / WARMUP_STEPS)
    ax.plot(t, 2 / warm_lr, color=C["green"], ls=":", lw=2, label="2/lr of the warm-up at that step")
    ax.set_yscale("log")
    ax.set_ylim(0.3, 300)
    ax.set_xlim(0, WARMUP_STEPS)
    ax.set_xlabel("step")
    ax.set_ylabel("sharpness (top Hessian eigenvalue)")
    ax.set_title(f"digits net, lr {lr:g}: the big steps flatten the start")
    ax.legend(frameon=True, framealpha=0.9, loc="upper right", fontsize=11)
    return _plain_log_ticks(fig), ax
