r"""Lesson 09, beyond the learning rate: set-ups, figures and exercise checks of
``notebooks/09_beyond_the_lr.ipynb``.

Three things that change the range of usable learning rates without touching the optimizer:

- **feature scaling**: least squares on two features of spread 1 and 10
  (``lrlab.data.linear_regression(scales=[1, 10])``); dividing each feature by its standard deviation
  makes the Hessian :math:`X^\top X/n` nearly the identity, so ``L`` drops about 100-fold and the
  condition number to about 1 (``lrlab.theory`` gives the limits and rates);
- **initialization scale**: ``lrlab.pytorch.small_mlp(init_scale=s)`` on the digits, a sweep of lrs
  for ``s`` = 0.3, 1, 3;
- **normalization**: the same sweep with ``norm='batch'`` (BatchNorm after each hidden layer).

This module imports torch, matplotlib and ipywidgets.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from lrlab import data, losses, plotting, theory
from lrlab import pytorch as lp
from lrlab.pytorch import nn, torch  # says what to install if torch is missing
from lrlab.explorer import Choice, Explorer, MapPanel, PathPanel, Problem
from lrlab.exercises import Feedback, check_number_answer

__all__ = ["SCALES", "NUM_STEPS", "LR_RANGE", "X0", "FEATURES", "PRESETS", "regression_data", "scale_features",
           "raw_loss", "standardized_loss", "bowl", "loss_for", "problem", "explorer", "theory_table",
           "correlated_features", "correlation_kappa", "correlation_table", "paths_figure", "run_gd",
           "loss_curves_figure",
           "HIDDEN", "INIT_SCALES", "SWEEP_LRS", "SWEEP_STEPS", "TARGET", "NORMS", "digits_net",
           "activation_scales", "initial_loss", "final_loss", "Sweep", "lr_sweep", "good_lrs",
           "init_figure", "norm_figure", "STUCK_LOSS", "STUCK_BAND", "OUTCOMES", "outcome", "outcomes",
           "EDGE_SEEDS", "EDGE_LRS", "EdgeSweep", "edge_sweep", "largest_trained",
           "check_raw_limit", "check_correlated_kappa", "check_output_growth", "EXERCISE_RESCALE",
           "rescaled_raw_loss", "EXERCISE_KAPPA", "EXERCISE_INIT", "quadratic_regime", "QUADRATIC_COLORS"]

C = plotting.PALETTE

# --------------------------------------------------------------------------- feature scaling

SCALES = (1.0, 10.0)          # the spread (standard deviation) of each feature
NUM_STEPS = 50
LR_RANGE = (1e-4, 10.0)
X0 = [0.0, 0.0]
FEATURES = ("raw", "standardized")
# raw: L = 93.5, 2/L = 0.0214; standardized: L = 1.006, 2/L = 1.99
PRESETS = {
    "raw: too small": {"features": "raw", "lr": 2e-4},
    "raw: good": {"features": "raw", "lr": 0.015},
    "raw: diverging": {"features": "raw", "lr": 0.025},
    "standardized: same lr": {"features": "standardized", "lr": 0.015},
    "standardized: good": {"features": "standardized", "lr": 0.8},
    "standardized: oscillating": {"features": "standardized", "lr": 1.6},
    "standardized: diverging": {"features": "standardized", "lr": 2.2},
}


def regression_data():
    """``(X, y)``: 200 rows, two features of spread 1 and 10, no intercept (seed 3)."""
    X, y, _ = data.linear_regression(n=200, d=2, noise=0.3, seed=3, scales=list(SCALES))
    return X, y


def scale_features(X) -> np.ndarray:
    r"""Each column divided by its standard deviation, :math:`x_j / \sigma_j`.

    The features here already have mean close to 0 and the model has no intercept, so we do not
    subtract the mean: rescaling alone is an exact change of variables :math:`w_j' = \sigma_j w_j`,
    and the scaled problem has the same predictions and the same minimum loss.
    """
    X = np.asarray(X, dtype=float)
    return X / X.std(axis=0)


def _square_window(minimizer, x0=X0, margin: float = 1.35) -> np.ndarray:
    """A square plotting window (``bounds``) around ``minimizer`` that contains ``x0``, so that
    contours drawn with equal axes show the bowl's true shape (round or stretched)."""
    r = margin * float(np.max(np.abs(np.asarray(x0, dtype=float) - minimizer)))
    return np.stack([minimizer - r, minimizer + r], axis=-1)


def _least_squares(X, y) -> losses.LeastSquares:
    minimizer = losses.least_squares(X, y).minimizer
    return losses.least_squares(X, y, bounds=_square_window(minimizer))


def raw_loss() -> losses.LeastSquares:
    """Least squares on the raw features."""
    X, y = regression_data()
    return _least_squares(X, y)


def standardized_loss() -> losses.LeastSquares:
    """Least squares on the rescaled features."""
    X, y = regression_data()
    return _least_squares(scale_features(X), y)


def bowl(ls: losses.LeastSquares) -> losses.Quadratic:
    r"""``ls`` written as a quadratic form :math:`\tfrac12 (w-w^*)^\top H (w-w^*)` (its loss minus the
    minimum): the same gradient, so the same runs, and far cheaper to draw as contours."""
    return ls.as_quadratic(bounds=_square_window(ls.minimizer))


@functools.lru_cache(maxsize=None)
def loss_for(features: str) -> losses.Quadratic:
    """The quadratic form of the raw or the standardized problem (what the explorer draws)."""
    if features not in FEATURES:
        raise ValueError(f"features must be one of {FEATURES}, got {features!r}")
    return bowl(raw_loss() if features == "raw" else standardized_loss())


def problem(features: str = "raw") -> Problem:
    """The widget's problem for ``features`` in ('raw', 'standardized'): GD from w = 0, 50 steps."""
    return Problem(loss_for(features), X0, NUM_STEPS, title=f"{features} features: the path")


def explorer(lr: float = 0.015, features: str = "raw") -> Explorer:
    """The main widget: a raw/standardized toggle, the path on the contours (equal scales), the loss and the lr map."""
    return Explorer(problem, lr=lr, lr_range=LR_RANGE, presets=PRESETS,
                    controls={"features": Choice(FEATURES, description="features:",
                                                 style="toggle").with_value("features", features)},
                    panels=(PathPanel(equal_aspect=True), "loss", MapPanel(400)), width=14.0, height=4.2)


@dataclass(frozen=True)
class TheoryRow:
    """The numbers of ``lrlab.theory`` for one least-squares problem."""

    L: float
    mu: float
    kappa: float
    one_over_L: float
    critical: float          # 2/L
    optimal: float           # 2/(mu + L)
    best_rate: float         # convergence_rate at the optimal lr, (kappa - 1)/(kappa + 1)
    steps: float             # steps_to_tolerance(1e-6) at the optimal lr


def theory_table(loss, tol: float = 1e-6) -> TheoryRow:
    ev = theory.eigenvalues(loss)
    mu, L = float(ev[0]), float(ev[-1])
    opt = theory.optimal_lr(loss)
    return TheoryRow(L, mu, L / mu, 1 / L, theory.critical_lr(loss), opt, theory.convergence_rate(loss, opt),
                     theory.steps_to_tolerance(loss, opt, tol))


def correlated_features(rho: float, n: int = 2000, seed: int = 0) -> np.ndarray:
    r"""Two standardized features (mean 0, std 1) with correlation about ``rho``:
    :math:`x_2 = \rho x_1 + \sqrt{1-\rho^2}\,z`, then ``lrlab.data.standardize``."""
    rng = np.random.default_rng(seed)
    a, z = rng.standard_normal((2, n))
    return data.standardize(np.stack([a, rho * a + math.sqrt(1 - rho ** 2) * z], axis=1))


def correlation_kappa(X) -> tuple[float, float]:
    """``(sample correlation r, condition number of X^T X / n)`` of a standardized two-column X."""
    X = np.asarray(X, dtype=float)
    r = float(np.corrcoef(X.T)[0, 1])
    ev = np.linalg.eigvalsh(X.T @ X / X.shape[0])
    return r, float(ev[-1] / ev[0])


def correlation_table(rhos=(0.0, 0.5, 0.9, 0.99), tol: float = 1e-6) -> list[dict]:
    """For each target correlation: the sample r, kappa, (1+|r|)/(1-|r|) and the steps GD needs at
    its best lr to shrink the error by ``tol`` (``lrlab.theory`` on the Hessian's eigenvalues)."""
    rows = []
    for rho in rhos:
        X = correlated_features(rho)
        r, kappa = correlation_kappa(X)
        ev = np.linalg.eigvalsh(X.T @ X / X.shape[0])
        steps = theory.steps_to_tolerance(ev, theory.optimal_lr(ev), tol)
        rows.append(dict(rho=rho, r=r, kappa=kappa, formula=(1 + abs(r)) / (1 - abs(r)), steps=steps))
    return rows


def quadratic_regime(loss, lr):
    """The regime of gradient descent on the quadratic ``loss`` at ``lr`` (an array: one per lr): ``lrlab.theory.regime``."""
    return np.asarray(theory.regime(loss, lr))


#: colours of the regimes of gradient descent on a quadratic (path lines; the titles name them too)
QUADRATIC_COLORS = {"monotone convergence": C["green"], "oscillating convergence": C["orange"],
                    "no convergence": C["purple"], "divergence": C["vermillion"]}


@plotting.styled
def paths_figure(loss, lrs, suptitle: str, num_steps: int = NUM_STEPS):
    """GD paths on ``loss`` at ``lrs``, 2 x 2, equal axes; each title gives the lr, the regime (from
    1 − lr·λ) and the share of the loss gap closed, above the panel (never over the path).
    Returns ``(fig, traj)``."""
    traj = run_gd(loss, lrs, num_steps)
    regimes = quadratic_regime(loss, np.asarray(lrs, dtype=float))
    fig, axes = plotting.figure(2, 2, width=7.6, height=8.8, squeeze=False)
    fig.get_layout_engine().set(h_pad=0.12, hspace=0.06)       # room between the top row's ticks and the titles
    for i, (ax, lr) in enumerate(zip(axes.ravel(), lrs)):
        one = traj[i]
        plotting.contour(loss, ax)
        plotting.path_2d(one, ax, color=QUADRATIC_COLORS[str(regimes[i])])
        ax.plot(*np.asarray(one.params[0]), "o", ms=9, color=C["black"], mfc="white", mew=2, zorder=6)
        gap = 1 - one.loss[-1] / one.loss[0] if np.isfinite(one.loss[-1]) else -np.inf
        closed = ("the loss grows" if gap < 0 else "over 99% of the loss gap closed" if gap > 0.99
                  else f"{gap:.0%} of the loss gap closed")
        ax.set_title(f"lr = {lr:g}\n{regimes[i]}\n{closed}", fontsize=11.5)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("w₁" if i >= 2 else "")
        ax.set_ylabel("w₂" if i % 2 == 0 else "")
    fig.suptitle(suptitle, fontweight="bold")
    return fig, traj


def run_gd(loss, lr, num_steps: int = NUM_STEPS):
    """``lrlab.run`` with plain gradient descent from ``X0``."""
    from lrlab import run
    return run(loss=loss, x0=X0, lr=lr, num_steps=num_steps)


@plotting.styled
def loss_curves_figure(cases: dict, num_steps: int = 700, ax=None):
    """Loss gap against step for ``cases`` (label -> (loss, lr)), log scale. Returns ``(fig, ax)``."""
    fig, ax = plotting.figure_or_ax(ax, width=8.5, height=4.3)
    colors = [C["vermillion"], C["sky"], C["green"], C["purple"]]
    for (name, (loss, lr)), color in zip(cases.items(), colors):
        traj = run_gd(loss, lr, num_steps)
        plotting.loss_curve(traj, ax, colors=[color], label=f"{name} (lr = {lr:.3g})")
    ax.set_ylim(1e-14, 1e4)
    ax.set_xscale("symlog", linthresh=10, linscale=1.0)      # steps 0-10 linear, then a log scale: a run
    ax.set_xlim(0, num_steps)                                # that is done in 3 steps stays in sight
    ax.set_xticks([0, 2, 4, 6, 8, 10, 100, num_steps], ["0", "2", "4", "6", "8", "10", "100", str(num_steps)])
    ax.set_xlabel("step (linear up to 10, then log scale)")
    ax.set_title("loss − min, log scale")
    ax.legend(frameon=False, loc="center left", bbox_to_anchor=(0.3, 0.35))
    return fig, ax


# --------------------------------------------------------------------------- initialization and normalization

HIDDEN = (64, 64, 64)
INIT_SCALES = (0.3, 1.0, 3.0)
NORMS = (None, "batch")
SWEEP_LRS = np.geomspace(0.01, 10.0, 7)
SWEEP_STEPS = 150
TARGET = 0.1
INIT_COLORS = {0.3: C["sky"], 1.0: C["green"], 3.0: C["vermillion"]}


def digits_net(init_scale: float = 1.0, norm=None, seed: int = 0) -> nn.Sequential:
    """``small_mlp(64, (64, 64, 64), 10)`` in float64 with the given init scale and normalization."""
    return lp.small_mlp(64, HIDDEN, 10, seed=seed, init_scale=init_scale, norm=norm).double()


@functools.lru_cache(maxsize=1)
def _digits():
    X, y = data.digits(standardize=True)
    return torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(y)


def activation_scales(model, X) -> list[float]:
    """Standard deviation of the activations after each hidden layer's nonlinearity, and of the output."""
    out, h = [], X
    with torch.no_grad():
        for layer in model:
            h = layer(h)
            if isinstance(layer, (nn.ReLU, nn.Tanh)):
                out.append(float(h.std()))
    out.append(float(h.std()))
    return out


def initial_loss(model, X, y) -> float:
    with torch.no_grad():
        return float(nn.functional.cross_entropy(model(X), y))


def final_loss(record) -> float:
    """Full-data training loss after the last step (``inf`` if the run blew up)."""
    if record.diverged or record.eval_values.size < 2 or not math.isfinite(record.eval_values[-1]):
        return math.inf
    return float(record.eval_values[-1])


@dataclass
class Sweep:
    """Final training loss for each (init scale, norm) and lr: ``final[(scale, norm)]`` has one value per lr."""

    lrs: np.ndarray
    final: dict
    target: float = TARGET


def lr_sweep(scales=INIT_SCALES, norms=NORMS, lrs=SWEEP_LRS, num_steps: int = SWEEP_STEPS) -> Sweep:
    """Train ``digits_net(scale, norm)`` with SGD (batches of 64) for each lr; record the final loss."""
    final = {(s, norm): np.array([_train_final(s, norm, float(lr), num_steps) for lr in lrs])
             for norm in norms for s in scales}
    return Sweep(np.asarray(lrs, dtype=float), final)


def _train_final(scale, norm, lr: float, num_steps: int, seed: int = 0) -> float:
    """The final full-data loss of ``digits_net(scale, norm, seed)`` after SGD at ``lr`` (batch order ``seed``)."""
    X, y = _digits()
    ce = nn.CrossEntropyLoss()
    model = digits_net(scale, norm, seed=seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    rec = lp.train(model, ce, (X, y), opt, num_steps=num_steps, batch_size=64, seed=seed,
                   record_every=num_steps, eval_fn=lambda m: ce(m(X), y))
    return final_loss(rec)


def good_lrs(sweep: Sweep, scale, norm=None) -> np.ndarray:
    """The lrs of the sweep whose final loss is below the target."""
    return sweep.lrs[sweep.final[(scale, norm)] < sweep.target]


# A net that has learned nothing predicts the uniform guess, whose cross-entropy is ln 10 = 2.30. A run
# that ends within 20% of it, or above it, is *stuck*: a dead net, however finite its loss.
STUCK_LOSS = math.log(10)
STUCK_BAND = 0.2 * STUCK_LOSS
OUTCOMES = ("trained", "partial", "stuck", "diverged")


def outcome(final: float, target: float = TARGET) -> str:
    """The verdict on a run from its final training loss: ``'trained'`` (below ``target``), ``'partial'``
    (learned something, not enough), ``'stuck'`` (finite, but at least ``STUCK_LOSS - STUCK_BAND``: hardly
    better than a uniform guess) or ``'diverged'`` (blew up: ``inf``)."""
    if not math.isfinite(final):
        return "diverged"
    if final < target:
        return "trained"
    return "stuck" if final >= STUCK_LOSS - STUCK_BAND else "partial"


def outcomes(finals, target: float = TARGET) -> np.ndarray:
    """:func:`outcome` of every entry of an array of final losses (same shape, strings)."""
    finals = np.asarray(finals, dtype=float)
    return np.array([outcome(float(v), target) for v in finals.ravel()], dtype=object).reshape(finals.shape)


# The top of the window at init_scale = 1, with and without BatchNorm, for several seeds (each seed draws
# its own initial weights and batch order), on an eighth-decade grid: for the plain net around lr = 1,
# for BatchNorm from 10**0.625 = 4.2 up, with lr = 10 to see what the largest lr does to it. (Measured
# beforehand: the plain net trains at 10**-0.125 = 0.75 on every seed and no longer at 1.33; BatchNorm
# trains at 4.2 on every seed.)
EDGE_SEEDS = (0, 1, 2)
EDGE_LRS = {None: 10.0 ** np.array([-0.125, 0.0, 0.125]), "batch": 10.0 ** np.array([0.625, 0.75, 1.0])}


@dataclass
class EdgeSweep:
    """Final training loss near the top of the window: ``final[norm]`` has shape ``(len(seeds), len(lrs[norm]))``."""

    scale: float
    seeds: tuple
    lrs: dict
    final: dict
    target: float = TARGET


def edge_sweep(scale: float = 1.0, seeds=EDGE_SEEDS, lrs=None, num_steps: int = SWEEP_STEPS) -> EdgeSweep:
    """Train ``digits_net(scale, norm, seed)`` with batch order ``seed`` at each lr of ``lrs[norm]``
    (default :data:`EDGE_LRS`) for every seed; record the final loss."""
    lrs = {norm: np.asarray(v, dtype=float) for norm, v in (EDGE_LRS if lrs is None else lrs).items()}
    final = {norm: np.array([[_train_final(scale, norm, float(lr), num_steps, seed) for lr in grid]
                             for seed in seeds]) for norm, grid in lrs.items()}
    return EdgeSweep(scale, tuple(seeds), lrs, final)


def largest_trained(edge: EdgeSweep, norm=None) -> np.ndarray:
    """For each seed, the largest lr of ``edge.lrs[norm]`` that trains (``nan`` if none does)."""
    grid = edge.lrs[norm]
    ok = edge.final[norm] < edge.target
    return np.array([grid[row].max() if row.any() else math.nan for row in ok])


_TOP = 30.0          # where blown-up runs are drawn (as crosses)


def _sweep_curve(ax, sweep, key, color, label, ls="-", marker="o", row: int = 0):
    """Final loss against lr for one configuration; blown-up runs as crosses at the top (row ``row``)."""
    y = sweep.final[key]
    ok = np.isfinite(y)
    ax.plot(sweep.lrs, np.where(ok, np.minimum(y, _TOP), np.nan), ls=ls, marker=marker, color=color, label=label,
            ms=6)
    if (~ok).any():
        ax.plot(sweep.lrs[~ok], np.full((~ok).sum(), _TOP / 1.7 ** row), "X", color=color, ms=10, clip_on=False)


def _window(ax, sweep, key, color, row: int = 0):
    """In the strip ``ax`` under a sweep panel: a dot at each good lr (final loss below the target),
    joined where neighbours on the grid are both good. The bar ends exactly at the first and the last
    good lr of the grid: the true window may reach a little further, up to the next grid point."""
    good = sweep.final[key] < sweep.target
    y = -row
    idx = np.nonzero(good)[0]
    for a, b in zip(idx[:-1], idx[1:]):
        if b == a + 1:
            ax.plot(sweep.lrs[[a, b]], [y, y], color=color, lw=6, solid_capstyle="round")
    ax.plot(sweep.lrs[good], np.full(good.sum(), y), "o", color=color, ms=9)


def _strip(ax, sweep, labels):
    """The strip axes of the good-lr bars: one row per label, the lr axis shared with the panel above."""
    ax.set_xscale("log")
    ax.set_xlim(sweep.lrs[0] / 1.5, sweep.lrs[-1] * 1.5)
    ax.set_ylim(-len(labels) + 0.4, 0.6)
    ax.set_yticks(-np.arange(len(labels)), labels, fontsize=10)
    ax.tick_params(axis="y", length=0)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.grid(False)
    ax.set_xlabel("learning rate")


def _sweep_axes(ax, sweep, title, margin_labels: bool = True):
    """Log axes, the target line and the stuck band; with ``margin_labels``, their names in the right margin."""
    ax.axhline(sweep.target, color=C["black"], ls=":", lw=1.8)
    ax.axhspan(STUCK_LOSS - STUCK_BAND, 3.2, color=C["grey"], alpha=0.18, lw=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(3e-3, 40)
    ax.set_xlim(sweep.lrs[0] / 1.5, sweep.lrs[-1] * 1.5)
    ax.tick_params(labelbottom=False)
    ax.set_title(title)
    if margin_labels:
        tr = ax.get_yaxis_transform()
        for y, text in ((sweep.target, f"target {sweep.target:g}"), (STUCK_LOSS, "stuck (≈ ln 10)"),
                        (_TOP / 1.3, "× blew up")):
            ax.text(1.02, y, text, transform=tr, va="center", ha="left", fontsize=12, clip_on=False)


def _sweep_legend(ax_or_fig, bar_color, curves=None, **where):
    """The legend of the curves (``curves``: handles, labels) plus the bars' and crosses' meaning."""
    from matplotlib.lines import Line2D
    handles, labels = curves if curves is not None else ax_or_fig.get_legend_handles_labels()
    handles = [*handles, Line2D([], [], color=bar_color, lw=6, marker="o", ms=8)]
    labels = [*labels, "below: the lrs of the grid that reach the target"]
    return ax_or_fig.legend(handles, labels, frameon=False, fontsize=12, **where)


def _panel_and_strip(fig, spec, rows: int):
    """A sweep panel above a strip of ``rows`` good-lr rows, sharing the lr axis."""
    sub = spec.subgridspec(2, 1, height_ratios=[4.2, 0.45 * rows + 0.5], hspace=0.08)
    ax = fig.add_subplot(sub[0])
    strip = fig.add_subplot(sub[1], sharex=ax)
    return ax, strip


@plotting.styled
def init_figure(sweep: Sweep, scales=INIT_SCALES):
    """Final loss against lr, one curve per init scale (no normalization); below, in its own strip,
    the good lrs of each. Returns ``(fig, (ax, strip))``."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(8.6, 6.6), layout="constrained")
    ax, strip = _panel_and_strip(fig, fig.add_gridspec(1, 1)[0], len(scales))
    for i, s in enumerate(scales):
        color = INIT_COLORS.get(s, C["blue"])
        _sweep_curve(ax, sweep, (s, None), color, f"init_scale = {s:g}: {good_lrs(sweep, s).size} good lrs", row=i)
        _window(strip, sweep, (s, None), color, row=i)
    _sweep_axes(ax, sweep, "a bad initialization narrows the window of good lrs")
    _strip(strip, sweep, [f"init {s:g}" for s in scales])
    strip.set_title("the lrs of the grid that reach the target", fontsize=11)
    ax.set_ylabel(f"training loss after {SWEEP_STEPS} steps")
    ax.legend(frameon=False, fontsize=11, loc="lower left")
    return fig, (ax, strip)


@plotting.styled
def norm_figure(sweep: Sweep, scales=INIT_SCALES, norm="batch"):
    """One panel per init scale: the plain network (dashed, grey) against the normalized one (solid,
    blue), each with the strip of its good lrs below. Returns ``(fig, axes)`` (panels, strips)."""
    from matplotlib.figure import Figure
    name = {"batch": "BatchNorm", "layer": "LayerNorm"}.get(norm, str(norm))
    fig = Figure(figsize=(9.0, 5.6), layout="constrained")
    grid = fig.add_gridspec(1, len(scales))
    panels, strips = [], []
    for k, s in enumerate(scales):
        ax, strip = _panel_and_strip(fig, grid[k], 2)
        _sweep_curve(ax, sweep, (s, None), C["grey"], "plain", ls="--", marker="s", row=0)
        _sweep_curve(ax, sweep, (s, norm), C["blue"], name, row=1)
        _window(strip, sweep, (s, None), C["grey"], row=0)
        _window(strip, sweep, (s, norm), C["blue"], row=1)
        _sweep_axes(ax, sweep, f"init {s:g}: {good_lrs(sweep, s).size} → {good_lrs(sweep, s, norm).size} good",
                    margin_labels=False)
        _strip(strip, sweep, ["plain", "BN" if norm == "batch" else "LN"] if k == 0 else ["", ""])
        if k:
            ax.tick_params(labelleft=False)
        panels.append(ax)
        strips.append(strip)
    panels[0].set_ylabel(f"training loss after {SWEEP_STEPS} steps")
    fig.suptitle(f"{name} raises the top of the window of good lrs\nand makes it nearly independent of the init",
                 fontweight="bold", fontsize=12)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles, labels = panels[0].get_legend_handles_labels()
    handles += [Line2D([], [], color=C["black"], ls=":", lw=1.8), Patch(color=C["grey"], alpha=0.3),
                Line2D([], [], color=C["grey"], marker="X", ls="", ms=9),
                Line2D([], [], color=C["blue"], lw=6, marker="o", ms=8)]
    labels += [f"target {sweep.target:g}", "stuck (≈ ln 10)", "blew up", "below: lrs that reach the target"]
    fig.legend(handles, labels, frameon=False, fontsize=10, loc="outside lower center", ncols=3)
    return fig, np.array([panels, strips])


# --------------------------------------------------------------------------- exercises

#: what a check says before the student has answered (no hint yet: the hints come with a wrong answer)
_NO_ANSWER = Feedback(False, "No answer yet: replace None with your number.")

#: exercise 1: the second feature recorded in units ten times smaller (spread 100 instead of 10)
EXERCISE_RESCALE = 10.0


def rescaled_raw_loss(factor: float = EXERCISE_RESCALE) -> losses.LeastSquares:
    """Least squares on the raw features with the second one multiplied by ``factor``."""
    X, y = regression_data()
    return losses.least_squares(X * np.array([1.0, factor]), y)


def check_raw_limit(answer) -> Feedback:
    """Exercise 1: the boundary lr 2/L of gradient descent when the second raw feature is recorded in
    units ten times smaller (spread 100). An answer past the boundary is refused however close."""
    if answer is None:
        return _NO_ANSWER
    limit = theory.critical_lr(rescaled_raw_loss())
    return check_number_answer(answer, limit, rtol=0.05, at_most=limit,
                               hint="The steep direction is the second feature's. How does its curvature change "
                                    "when the feature's values are 10 times larger? Then use 2/L, with the table's L.",
                               beyond="past the boundary gradient descent diverges: the steep direction's factor "
                                      "1 − lr·L is below −1",
                               right=f"{limit:.3g} = 2/L: the curvature grew about 100-fold (the feature enters "
                                     "the loss squared), so the boundary fell about 100-fold.")


EXERCISE_KAPPA = 50.0


def check_correlated_kappa(answer) -> Feedback:
    """Exercise 2: the correlation r of two standardized features that gives kappa = 50:
    (1 + r)/(1 - r) = 50, r = 49/51."""
    expected = (EXERCISE_KAPPA - 1) / (EXERCISE_KAPPA + 1)
    if answer is None:
        return _NO_ANSWER
    if isinstance(answer, bool):
        return Feedback(False, f"Answer with a number, got {answer!r}.")
    try:
        r = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, f"Answer with a number (a correlation between 0 and 1), got {answer!r}.")
    if answer is None or not math.isfinite(r):
        return Feedback(False, "Replace the placeholder with a correlation between 0 and 1.")
    if not 0 <= r < 1:
        return Feedback(False, f"A correlation that gives a large κ lies between 0 and 1; got {r:g}.")
    kappa = (1 + r) / (1 - r)
    if abs(kappa / EXERCISE_KAPPA - 1) <= 0.05:
        return Feedback(True, f"r = {r:.4g} gives κ = {kappa:.3g}: a correlation that looks merely 'strong' makes "
                              f"the problem as badly conditioned as a bowl stretched 50-fold (exactly: r = 49/51 ≈ {expected:.4f}).")
    return Feedback(False, f"r = {r:g} gives κ = (1 + r)/(1 − r) = {kappa:.3g}, not {EXERCISE_KAPPA:g}. Hint: solve "
                           "(1 + r)/(1 − r) = κ for r; near 1, small changes of r change κ a lot.")


EXERCISE_INIT = 2.0


def check_output_growth(answer, scale: float = EXERCISE_INIT) -> Feedback:
    """Exercise 3: by what factor the output's spread at initialization grows from init_scale 1 to
    ``scale`` (measured: with zero biases and ReLUs every layer scales exactly by ``scale``)."""
    if answer is None:
        return _NO_ANSWER
    X, _ = _digits()
    X = torch.as_tensor(X)
    measured = activation_scales(digits_net(scale), X)[-1] / activation_scales(digits_net(1.0), X)[-1]
    layers = len(HIDDEN) + 1
    return check_number_answer(answer, measured, rtol=0.03,
                               hint="Section 3: each of the network's linear layers multiplies the signal by about "
                                    "the init scale. How many are there?",
                               right=f"{measured:.3g} = {scale:g}^{layers}, measured. Here it is exact: every weight is "
                                     "the same draw multiplied by s, the biases start at 0, and ReLU(s·z) = s·ReLU(z) "
                                     "for s > 0.")
