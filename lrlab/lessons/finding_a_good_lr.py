"""Lesson 03, finding a good learning rate: set-ups, figures, widgets and exercise checks.

The lesson's problem with a known answer is least squares on two features of
different scales (``lrlab.data.linear_regression`` with ``scales=[1, 3]``):
its Hessian ``X^T X / n`` is known, so ``2/L`` and the best constant lr
``2/(mu + L)`` are known exactly, and every way of *searching* for the lr can be
scored against them. The LR range test is run on the same problem
(``lrlab.diagnostics.lr_range_test``) and then on a real classifier
(``lrlab.pytorch.find_lr``).

Imports matplotlib and ipywidgets; torch only inside the functions that train the digits net
(``train_on_budget`` and what calls it), so importing the lesson does not load it.
"""
from __future__ import annotations

from dataclasses import dataclass

import functools
from typing import Any

import numpy as np

from lrlab import data, diagnostics, losses, plotting, theory
from lrlab.explorer import Choice, Explorer, LossPanel, MapPanel, Panel, Problem, Slider, problem_stats
from lrlab.exercises import Feedback, check_choice, check_number_answer, student_lrs

__all__ = ["GRID", "NUM_STEPS", "TOL", "RULES", "KnownAnswer", "known_answer_problem", "explorer", "presets",
           "grid_figure", "sweep_figure", "range_test", "rule_values", "rules_table", "range_test_figure",
           "rules_figure", "RangeTestScene", "RangePanel", "range_test_explorer", "finder_figure", "training_figure",
           "smoothing_lag", "GEN_LRS", "GEN_SCHEDULES", "GEN_SEEDS", "BUDGET", "EX_BUDGET", "EX_SEEDS", "BUDGET_TARGET", "digits",
           "budget_schedule", "train_on_budget", "generalization_table", "generalization_figure",
           "exercise_problem", "paths_figure", "EX_RANGE",
           "check_boundary_lr", "check_best_fraction", "check_closest_rule", "check_range_test_function",
           "check_budget_schedule", "exercise_answers"]

GRID = (0.1, 0.01, 0.001)          # the coarse grid everyone tries first
NUM_STEPS = 50                     # the training budget of the known-answer problem
TOL = 1e-6                         # "converged": the error shrank a million-fold
RANGE_KW = dict(start_lr=1e-4, end_lr=10.0)
RULES = ("steepest", "valley", "min", "min/10")
RULE_COLORS = {"steepest": plotting.PALETTE["blue"], "valley": plotting.PALETTE["purple"],
               "min": plotting.PALETTE["vermillion"], "min/10": plotting.PALETTE["green"]}
RULE_MARKERS = {"steepest": "v", "valley": "D", "min": "o", "min/10": "s"}
# generalization on the digits: a smaller net (64 -> 32 -> 10) and a budget of 100 SGD steps (momentum 0.9,
# batches of 64), so that 6 lrs x 2 schedules x 3 seeds cost about two seconds on one CPU core
GEN_LRS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
GEN_SCHEDULES = ("constant", "cosine")
GEN_SEEDS = (0, 1, 2)
GEN_HIDDEN = (32,)
BUDGET = 100                       # optimizer steps
EX_BUDGET = 50                     # exercise 5: half the budget of section 6 ...
EX_SEEDS = (3, 4, 5)               # ... on seeds section 6 did not use ...
BUDGET_TARGET = 0.935              # ... and this mean test accuracy over EX_SEEDS
EX_RANGE = dict(num_iter=700, smooth=0.9)    # exercise 3's range test: a slower ramp than the lesson's
EX_FRACTION = 0.99                            # exercise 2: the kappa that puts the best lr at this fraction of 2/L




@dataclass(frozen=True)
class KnownAnswer:
    """The lesson's least-squares problem and what theory says about it.

    ``data_loss`` is the least-squares loss on the data; ``loss`` is the same
    function written as a quadratic, ``f(w) - f* = 1/2 (w - w*)^T H (w - w*)``,
    whose gradient ``H (w - w*)`` equals ``X^T (X w - y) / n`` exactly. Gradient
    descent gives the same iterates on both; the quadratic form is much cheaper
    to evaluate on the 40 000 points of a contour plot.
    """

    data_loss: losses.LeastSquares
    loss: losses.Quadratic
    x0: np.ndarray
    num_steps: int
    critical_lr: float      # 2/L: the largest lr that converges
    optimal_lr: float       # 2/(mu + L): the constant lr with the fastest guaranteed rate
    L: float
    mu: float


@functools.lru_cache(maxsize=None)
def known_answer_problem(num_steps: int = NUM_STEPS, scales: tuple = (1.0, 3.0), seed: int = 6) -> KnownAnswer:
    """Least squares on 200 points, features of scale 1 and 3 (``scales``), started from w = 0."""
    X, y, _ = data.linear_regression(n=200, d=2, noise=0.5, seed=seed, scales=list(scales))
    ls = losses.least_squares(X, y)
    quad = ls.as_quadratic()
    return KnownAnswer(data_loss=ls, loss=quad, x0=np.zeros(2), num_steps=num_steps,
                       critical_lr=float(theory.critical_lr(ls)), optimal_lr=float(theory.optimal_lr(ls)),
                       L=ls.L, mu=ls.mu)


def exercise_problem() -> KnownAnswer:
    """The exercises' own problem: the same kind of data, but the second feature has scale 4 (seed 3)."""
    return known_answer_problem(scales=(1.0, 4.0), seed=3)


@plotting.styled
def paths_figure(traj, p: KnownAnswer, lrs, ncols: int = 3):
    """One panel per lr: the path on the contours (start point in view), titled with the lr, the regime
    theory names and the share of the loss gap closed; coloured by the regime."""
    lrs = list(lrs)
    nrows = -(-len(lrs) // ncols)
    fig, axes = plotting.figure(nrows, ncols, width=9.0, height=3.3 * nrows, squeeze=False)
    names = np.atleast_1d(theory.regime(p.loss, lrs))
    closed = np.atleast_1d(diagnostics.progress(traj))
    centre = np.asarray(p.loss.minimizer, dtype=float)     # a view centred on the minimum that holds the start
    half = np.maximum(np.ptp(p.loss.bounds, axis=1) / 2, np.abs(p.x0 - centre) + 0.4)
    bounds = np.stack([centre - half, centre + half], axis=1)
    for i, ax in enumerate(axes.flat):
        if i >= len(lrs):
            ax.set_visible(False)
            continue
        plotting.contour(p.loss, ax, bounds=bounds)
        plotting.path_2d(traj[i], ax, color=plotting.REGIME_COLORS[str(names[i])])
        ax.plot(*p.x0, "o", color=plotting.PALETTE["black"], ms=7, zorder=6)
        ax.set_title(f"lr = {lrs[i]:g}\n{names[i]}\n{diagnostics.progress_text(closed[i]) or 'the run blew up'}", fontsize=11,
                     color=plotting.TEXT_COLORS["vermillion"] if names[i] == "divergence" else "black")
        ax.set_xlabel("w₁ (flat direction)" if i >= len(lrs) - ncols else "")
        ax.set_ylabel("w₂ (steep)" if i % ncols == 0 else "")
    fig.suptitle(f"{p.num_steps} steps from w = (0, 0) (black dot)", fontweight="bold")
    return fig


def presets(p: KnownAnswer | None = None) -> dict:
    """The main widget's teaching cases: the grid's three values, the best lr, the edge, beyond it."""
    p = p or known_answer_problem()
    return {"0.001 (grid)": 0.001, "0.01 (grid)": 0.01, "0.1 (grid)": 0.1,
            "best: 2/(μ+L)": round(p.optimal_lr, 4), "at the edge": round(0.97 * p.critical_lr, 4),
            "diverging": round(1.1 * p.critical_lr, 3)}


def explorer(lr: float = 0.01) -> Explorer:
    """The main widget: the lr slider on the known-answer problem, with the grid as presets."""
    p = known_answer_problem()
    problem = Problem(p.loss, p.x0, p.num_steps, tol=TOL, title="path on the loss contours")
    return Explorer(problem, lr=lr, lr_range=(1e-4, 1.0), presets=presets(p),
                    panels=("path", LossPanel(ylim=(1e-14, 1e6)), MapPanel(300)))


# ----------------------------------------------------------------------------- grid and sweep

@plotting.styled
def grid_figure(traj, p: KnownAnswer, lrs, ax=None):
    """Loss gap against step for the coarse grid, one line per lr."""
    fig, ax = plotting.figure_or_ax(ax, width=6.4, height=3.8)
    colors = [plotting.PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple")]
    plotting.loss_curve(traj, ax, labels=[f"lr = {lr:g}" for lr in lrs], colors=colors[:len(lrs)])
    ax.set_ylim(1e-7, 1e2)
    ax.set_title(f"the coarse grid: {p.num_steps} steps of gradient descent")
    return fig


@plotting.styled
def sweep_figure(lrs, final_gap, p: KnownAnswer, grid=GRID, best=None, ax=None):
    """Final loss gap against lr for a whole log sweep, with the grid, the best lr and 2/L marked."""
    fig, ax = plotting.figure_or_ax(ax, width=7.6, height=4.2)
    art = plotting.lr_map(lrs, final_gap, ax, loss=p.loss, label=f"loss − min after {p.num_steps} steps")
    art["vline"].set_visible(False)
    i = [int(np.argmin(np.abs(np.log(lrs / g)))) for g in grid]
    y = np.clip(np.asarray(final_gap)[i], art["bottom"], art["top"])
    ax.plot(np.asarray(grid), y, "D", color=plotting.PALETTE["orange"], ms=9, zorder=6, label="coarse grid")
    if best is not None:
        ax.plot([best], [np.nanmin(final_gap)], "*", color=plotting.PALETTE["black"], ms=16, zorder=7,
                label=f"sweep's best: {best:.3g}")
    ax.legend(frameon=True, loc="lower left", framealpha=0.9)
    ax.set_xlim(np.min(lrs) / 1.6, np.max(lrs))
    _drop_one_over_L(ax, p)
    ax.set_title("the best lr: twice the grid's winner, just below the cliff at 2/L")
    return fig


def _drop_one_over_L(ax, p: KnownAnswer):
    """Remove the dotted 1/L line and its label that ``plotting.theory_lines`` draws: the lesson's figures
    need 2/L only."""
    for text in list(ax.texts):
        if text.get_text().strip() == "1/L":
            text.remove()
    for line in list(ax.lines):
        x = np.asarray(line.get_xdata(), dtype=float)
        if x.size == 2 and np.allclose(x, 1 / p.L) and line.get_linestyle() == ":":
            line.remove()


# ----------------------------------------------------------------------------- range test on the toy

def range_test(p: KnownAnswer | None = None, num_iter: int = 100, smooth: float = 0.98):
    """``lrlab.diagnostics.lr_range_test`` on the known-answer problem (lr from 1e-4 to 10)."""
    p = p or known_answer_problem()
    return diagnostics.lr_range_test(p.loss, p.x0, num_iter=int(num_iter), smooth=float(smooth), **RANGE_KW)


def rule_values(result) -> dict:
    """The four suggestion rules of a range test: {'steepest', 'valley', 'min', 'min/10'} -> lr
    ('valley': ``lrlab.diagnostics.suggest_lr(..., method="valley")`` on the test's smoothed curve)."""
    valley, _, _ = diagnostics.suggest_lr(result.lrs, result.smoothed, method="valley")
    return {"steepest": float(result.suggestion), "valley": float(valley), "min": float(result.min_lr),
            "min/10": float(result.min_lr_over_10)}


def rules_table(p: KnownAnswer, num_iters=(30, 100, 300, 1000), smooths=(0.0, 0.9, 0.98)) -> dict:
    """Rule -> array (len(smooths), len(num_iters)) of suggested lr divided by 2/L."""
    out = {r: np.empty((len(smooths), len(num_iters))) for r in RULES}
    for i, s in enumerate(smooths):
        for j, n in enumerate(num_iters):
            v = rule_values(range_test(p, n, s))
            for r in RULES:
                out[r][i, j] = v[r] / p.critical_lr
    return out


@plotting.styled
def _range_curve(ax, result, p: KnownAnswer, short_labels: bool = False):
    """Draw a range test (raw and smoothed loss gap against lr) with 1/L, 2/L and the rules."""
    gap_raw = result.losses - p.loss.min_value
    gap_sm = result.smoothed - p.loss.min_value   # loss is the quadratic form: min_value is 0
    (raw,) = ax.plot(result.lrs, gap_raw, color=plotting.PALETTE["grey"], lw=1.2, alpha=0.8, label="loss")
    (sm,) = ax.plot(result.lrs, gap_sm, color=plotting.PALETTE["black"], lw=2.2, label="smoothed loss")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(RANGE_KW["start_lr"], RANGE_KW["end_lr"])
    ax.set_xlabel("learning rate of the step (grows every step)")
    ax.set_ylabel("loss − min")
    plotting.theory_lines(ax, p.loss)
    _drop_one_over_L(ax, p)
    both = np.concatenate([gap_raw, gap_sm])
    positive = both[np.isfinite(both) & (both > 0)]
    bottom = max(float(positive.min()) / 3, 1e-14) if positive.size else 1e-6
    ax.set_ylim(bottom, 1e4)
    marks = {}
    for r, v in rule_values(result).items():
        y = float(np.clip(np.interp(np.log(v), np.log(result.lrs), gap_sm), 2 * bottom, 1e4))  # stay in view
        (marks[r],) = ax.plot([v], [y], RULE_MARKERS[r], color=RULE_COLORS[r], ms=11, mec="white", mew=1.2,
                              zorder=6, label=r if short_labels else f"{r}: {v:.3g} = {v / p.critical_lr:.2g}·(2/L)")
    return {"raw": raw, "smoothed": sm, "marks": marks}


@plotting.styled
def range_test_figure(result, p: KnownAnswer, ax=None):
    """The range test on the toy, rules marked against the known 2/L."""
    fig, ax = plotting.figure_or_ax(ax, width=7.6, height=4.4)
    _range_curve(ax, result, p)
    ax.legend(frameon=True, framealpha=0.9, loc="lower left", fontsize=12)
    ax.set_title(f"LR range test: the loss after each of {len(result.lrs)} steps")
    return fig


@plotting.styled
def rules_figure(table: dict, num_iters, smooths, *, smooth_index: int = -1, num_iter_index: int = 1):
    """Where the rules land (in units of 2/L) against num_iter and against the smoothing."""
    fig, (a, b) = plotting.figure(1, 2, width=9.0, height=4.0)
    for ax in (a, b):
        ax.axhspan(1.0, 100.0, color=plotting.REGIME_COLORS["diverging"], alpha=0.15, lw=0)
        ax.axhline(1.0, color=plotting.PALETTE["vermillion"], ls=":", lw=2)
        ax.text(0.99, 25, "above 2/L: diverges", transform=ax.get_yaxis_transform(), ha="right", va="top",
                color=plotting.TEXT_COLORS["vermillion"], fontsize=10, fontweight="bold")
        ax.set_yscale("log")
        ax.set_ylim(1e-3, 30)
        ax.set_ylabel("suggested lr ÷ (2/L)")
    for r in RULES:
        a.plot(num_iters, table[r][smooth_index], "-" + RULE_MARKERS[r], color=RULE_COLORS[r], ms=8, label=r)
        b.plot(smooths, table[r][:, num_iter_index], "-" + RULE_MARKERS[r], color=RULE_COLORS[r], ms=8, label=r)
    a.set_xscale("log")
    a.set_xlabel("num_iter (steps in the test)")
    a.set_title(f"against num_iter (β = {smooths[smooth_index]:g})")
    b.set_xlabel("smoothing β of the moving average")
    b.set_title(f"against β ({num_iters[num_iter_index]} iterations)")
    fig.legend(*a.get_legend_handles_labels(), loc="outside lower center", ncols=4, frameon=False)
    return fig


@dataclass
class RangeTestScene(Problem):
    """The range-test explorer's scene: the known-answer problem and its range test at the controls' values."""

    result: Any = None


def _range_scene(num_iter: int, smooth: float) -> RangeTestScene:
    k = known_answer_problem()
    return RangeTestScene(k.loss, k.x0, k.num_steps, tol=TOL, title="range test",
                          result=range_test(k, num_iter, smooth))


class RangePanel(Panel):
    """The range test's loss against lr with 1/L, 2/L and the three rules; the slider's lr as a line."""

    name = "range"

    def draw(self, ax, view):
        c = view.controls
        self.artists = _range_curve(ax, view.scene.result, known_answer_problem(), short_labels=True)  # values: stats line
        ax.legend(frameon=True, framealpha=0.9, loc="lower left")
        ax.set_title(f"range test: {c['num_iter']} steps, β = {c['smooth']:.2f}")
        self.artists["vline"] = ax.axvline(view.lr, color=plotting.PALETTE["black"], lw=1.5, alpha=0.7)

    def update(self, view):
        self.artists["vline"].set_xdata([view.lr, view.lr])


def _range_stats(view) -> str:
    crit = known_answer_problem().critical_lr
    rules = " · ".join(f"{r} = <b>{lr:.3g}</b> ({lr / crit:.2g}·2/L)" for r, lr in rule_values(view.scene.result).items())
    return " · ".join(problem_stats(view)) + f"<br>rules: {rules}"


def range_test_explorer(num_iter: int = 100, smooth: float = 0.98, lr: float = 0.01) -> Explorer:
    """The range test on the toy, live: num_iter and smoothing sliders move the rules.

    The lr slider picks a constant lr; the right panel trains with it for
    ``NUM_STEPS`` steps, so the student sees what each rule's lr really does.
    The rule buttons (class ``lrlab-preset``) jump to the current rules' lrs.
    """
    controls = {"num_iter": Choice((20, 30, 50, 100, 200, 300, 500, 1000), 100, description="num_iter",
                                   style="slider").with_value("num_iter", num_iter),
                "smooth": Slider(0.98, 0.0, 0.99, step=0.01, description="smoothing β",
                                 readout_format=".2f").with_value("smooth", smooth)}
    rules = {f"use {r}": (lambda view, r=r: rule_values(view.scene.result)[r]) for r in RULES}
    return Explorer(_range_scene, lr=lr, lr_range=(RANGE_KW["start_lr"], RANGE_KW["end_lr"]), controls=controls,
                    preset_rows={"try a rule:": rules}, stats=_range_stats,
                    panels=(RangePanel(), LossPanel(ylim=(1e-14, 1e6))), width=12.0, height=4.2)


def smoothing_lag(result, beta: float = 0.98) -> dict:
    """Where a range test's minimum lands: {'raw', 'moving average', 'average of log', 'centred'} -> lr.

    'raw': the lowest recorded loss; 'moving average': the minimum of the test's own (online,
    bias-corrected) average, i.e. the *min* rule; 'average of log': the same average of the
    log-loss (so that a fall over many decades does not weigh the early, large losses); 'centred': the minimum of
    ``diagnostics.centred_moving_average`` of the log-loss with the same ``beta``, a smoothing of
    the same width with no lag. Points after a non-finite loss are dropped first.
    """
    losses = np.asarray(result.losses, dtype=float)
    n = int(np.argmin(np.isfinite(losses))) if not np.all(np.isfinite(losses)) else losses.size
    lrs, losses = np.asarray(result.lrs)[:n], losses[:n]
    centred = diagnostics.centred_moving_average(np.log(losses), beta)
    log_avg = diagnostics.moving_average(np.log(losses), beta)
    return {"raw": float(lrs[np.argmin(losses)]), "moving average": float(result.min_lr),
            "average of log": float(lrs[np.argmin(log_avg)]), "centred": float(lrs[np.argmin(centred)])}


# ----------------------------------------------------------------------------- the real classifier

@plotting.styled
def finder_figure(result, title: str = "find_lr on the digits", ax=None):
    """A torch ``LRFinderResult``: raw and smoothed loss against lr, the rules marked."""
    fig, ax = plotting.figure_or_ax(ax, width=7.4, height=4.2)
    ax.plot(result.lrs, result.losses, color=plotting.PALETTE["grey"], lw=1.2, alpha=0.8, label="batch loss")
    ax.plot(result.lrs, result.smoothed, color=plotting.PALETTE["black"], lw=2.2, label="smoothed loss")
    for r, v in rule_values(result).items():
        y = np.interp(np.log(v), np.log(result.lrs), result.smoothed)
        ax.plot([v], [y], RULE_MARKERS[r], color=RULE_COLORS[r], ms=11, mec="white", mew=1.2, zorder=6,
                label=f"{r}: {v:.3g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate of the step (grows every step)")
    ax.set_ylabel("cross-entropy loss")
    finite = result.smoothed[np.isfinite(result.smoothed)]
    ax.set_ylim(0, min(np.nanmax(result.losses[np.isfinite(result.losses)]), 3 * finite[0]) * 1.05)
    ax.legend(frameon=True, framealpha=0.9, loc="upper left")
    ax.set_title(title)
    return fig


@plotting.styled
def training_figure(records: dict, accuracies: dict, ax=None):
    """Training loss against step for several lrs (a dict label -> TrainingRecord); ``accuracies``:
    label -> test accuracy (None, or absent, for a run that diverged: it has no accuracy to report)."""
    fig, ax = plotting.figure_or_ax(ax, width=7.4, height=5.6)
    colors = [RULE_COLORS[r] for r in RULES] + [plotting.PALETTE["sky"], plotting.PALETTE["orange"]]
    for (name, rec), color in zip(records.items(), colors):
        loss = np.where(np.isfinite(rec.loss), rec.loss, np.nan)
        k = 10
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid") if loss.size >= k else loss
        acc = accuracies.get(name)
        diverged = bool(getattr(rec, "diverged", False))
        what = "diverged: no accuracy to report" if diverged or acc is None else f"test accuracy {acc:.1%}"
        ax.plot(rec.steps[:smooth.size] + (k - 1 if loss.size >= k else 0), smooth, color=color,
                label=f"{name} (lr = {rec.lr[0]:.3g}): {what}")
        if diverged:                           # where train() caught the blow-up
            ax.plot([rec.diverged_at], [np.nanmax(smooth)], "X", color=color, ms=10, zorder=5)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (10-step average)")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18))   # below the axes: off the data
    ax.set_title("training with each rule's learning rate")
    return fig


# ----------------------------------------------------------------------------- generalization

@functools.lru_cache(maxsize=1)
def digits():
    """The lesson's split of the digits (standardized with training statistics): X_train, X_test, y_train, y_test."""
    return data.train_test_split_digits(test_fraction=0.25, seed=0, standardize=True)


def budget_schedule(name: str, lr: float, num_steps: int = BUDGET):
    """``t -> lr`` for the generalization study: 'constant', or 'cosine' (torch's CosineAnnealingLR, T_max = budget)."""
    from lrlab import schedules
    if name == "constant":
        return lambda t: lr
    if name == "cosine":
        return schedules.cosine_annealing_lr(lr, T_max=num_steps)
    raise ValueError(f"name must be one of {GEN_SCHEDULES}, got {name=}")


def train_on_budget(lr_at, seed: int = 0, num_steps: int = BUDGET):
    """Train ``small_mlp(64, (32,), 10, seed=seed)`` for ``num_steps`` SGD steps (momentum 0.9, batches of 64)
    with the lr of step t equal to ``lr_at(t)`` (torch's ``LambdaLR`` on a base lr of 1).

    Returns ``(record, test_accuracy)``; the accuracy is None for a run that diverged (no number to report).
    """
    import torch
    from lrlab import pytorch
    X_train, X_test, y_train, y_test = digits()
    net = pytorch.small_mlp(64, hidden=GEN_HIDDEN, out_features=10, seed=seed)
    opt = torch.optim.SGD(net.parameters(), lr=1.0, momentum=0.9)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: float(lr_at(t)))
    rec = pytorch.train(net, torch.nn.CrossEntropyLoss(), (X_train, y_train), opt, scheduler=sched,
                        num_steps=num_steps, batch_size=64, seed=seed)
    return rec, (None if rec.diverged else pytorch.accuracy(net, X_test, y_test))


def generalization_table(lrs=GEN_LRS, schedule_names=GEN_SCHEDULES, seeds=GEN_SEEDS) -> dict:
    """Schedule name -> array (len(lrs), len(seeds)) of test accuracy after the budget (NaN: diverged)."""
    out = {}
    for name in schedule_names:
        acc = np.full((len(lrs), len(seeds)), np.nan)
        for i, lr in enumerate(lrs):
            for j, seed in enumerate(seeds):
                a = train_on_budget(budget_schedule(name, lr), seed)[1]
                acc[i, j] = np.nan if a is None else a
        out[name] = acc
    return out


@plotting.styled
def generalization_figure(table: dict, lrs=GEN_LRS, ax=None):
    """Test accuracy against the (peak) lr, one line per schedule: the mean over seeds, every seed as a dot,
    the spread as a band."""
    fig, ax = plotting.figure_or_ax(ax, width=7.6, height=4.4)
    colors = {"constant": plotting.PALETTE["blue"], "cosine": plotting.PALETTE["orange"]}
    markers = {"constant": "o", "cosine": "s"}
    lrs = np.asarray(lrs)
    for name, acc in table.items():
        c = colors.get(name, plotting.PALETTE["grey"])
        ax.fill_between(lrs, np.nanmin(acc, axis=1), np.nanmax(acc, axis=1), color=c, alpha=0.2, lw=0)
        ax.plot(lrs, np.nanmean(acc, axis=1), "-" + markers.get(name, "o"), color=c, ms=7,
                label=f"{name} lr: mean of {acc.shape[1]} seeds (band: min to max)")
        for j in range(acc.shape[1]):
            ax.plot(lrs, acc[:, j], markers.get(name, "o"), color=c, ms=3.5, alpha=0.6)
    ax.set_xscale("log")
    ax.set_ylim(0.5, 1.0)
    ax.set_xlabel("learning rate (the peak, for cosine)")
    ax.set_ylabel(f"test accuracy after {BUDGET} steps")
    ax.legend(frameon=True, framealpha=0.9, loc="lower center")
    ax.set_title("cosine decay rescues large lrs, and hurts small ones")
    return fig


# ----------------------------------------------------------------------------- exercises

def exercise_answers() -> dict:
    """The right answers of the exercises, computed (never typed in)."""
    p, q = known_answer_problem(), exercise_problem()
    rules = rule_values(range_test(p, **EX_RANGE))
    closest = min(RULES, key=lambda r: abs(np.log(rules[r] / p.optimal_lr)))
    return {"boundary_lr": q.critical_lr, "kappa": EX_FRACTION / (1 - EX_FRACTION), "closest_rule": closest}


def _range_reference(p: KnownAnswer, lrs):
    """The loss after each step of a range test over ``lrs``, by ``lrlab.run``, and the step it diverged at."""
    from lrlab import loop
    lrs = np.asarray(lrs, dtype=float)
    traj = loop.run(loss=p.loss, x0=p.x0, lr=lambda t: lrs[np.asarray(t)], num_steps=lrs.size)
    after = traj.loss[1:]
    finite = np.isfinite(after) & (np.arange(lrs.size) + 1 < (traj.diverged_at if traj.diverged else np.inf))
    n = lrs.size if finite.all() else int(np.argmin(finite))     # the steps before lrlab flags a blow-up
    return after, traj.loss[:-1], n


def check_range_test_function(fn, num_iter: int = 100) -> Feedback:
    """Exercise 4: ``fn(loss, x0, lrs)`` must return the loss after each gradient step, one step per lr.

    The check runs ``fn`` on the known-answer problem with the lesson's ramp (1e-4 to 10), compares its
    losses with ``lrlab.run``'s up to the step where lrlab flags divergence, recognises the usual slips
    (the loss recorded before the step, one lr for every step, the wrong length), and then scores the
    student's own test: its *min* rule against lrlab's and against 2/L.
    """
    import warnings
    if not callable(fn):
        return Feedback(False, f"Pass your function itself (my_range_test, no parentheses), got {fn!r}.")
    p = known_answer_problem()
    lrs = RANGE_KW["start_lr"] * (RANGE_KW["end_lr"] / RANGE_KW["start_lr"]) ** (np.arange(num_iter) / (num_iter - 1))
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = fn(p.loss, p.x0.copy(), lrs.copy())
    except Exception as exc:                              # the student's code: report, never crash the cell
        return Feedback(False, f"my_range_test raised {type(exc).__name__}: {exc}")
    if got is None:
        return Feedback(False, "my_range_test returned None: replace the placeholder with your loop and return "
                               "the list of losses.")
    try:
        got = np.asarray(got, dtype=float).reshape(-1) if np.ndim(got) else np.asarray([float(got)])
    except (TypeError, ValueError):
        return Feedback(False, f"my_range_test should return a list of numbers (one loss per lr), got {type(got).__name__}.")
    if got.size != lrs.size:
        return Feedback(False, f"It returned {got.size} losses for {lrs.size} lrs: record one loss per step, "
                               "after each step.")
    after, before, n = _range_reference(p, lrs)
    close = lambda a, b: bool(np.allclose(a[:n], b[:n], rtol=1e-8, atol=1e-12))
    if not close(got, after):
        if close(got, before):
            return Feedback(False, "These are the losses *before* each step: loss i should be the result of the step "
                                   "taken with lrs[i], so take the step first, then record the loss.")
        from lrlab import loop
        const = loop.run(loss=p.loss, x0=p.x0, lr=float(lrs[0]), num_steps=lrs.size).loss[1:]
        if close(got, const):
            return Feedback(False, "Every step used the same lr (lrs[0]): step i must use lrs[i].")
        bad = int(np.argmax(~np.isclose(got[:n], after[:n], rtol=1e-8, atol=1e-12)))
        return Feedback(False, f"At step {bad} (lr {lrs[bad]:.3g}) your loss is {got[bad]:.6g}, gradient descent gives "
                               f"{after[bad]:.6g}. Each step is x ← x − lr·∇f(x), with loss.grad(x); then "
                               "record loss.value(x).")
    mine = diagnostics.analyze_lr_range(lrs, got)
    ref = range_test(p, num_iter)
    if not np.isclose(mine.min_lr, ref.min_lr, rtol=1e-9):
        return Feedback(False, f"Your losses agree with lrlab's up to step {n}, but past it your min rule lands at "
                               f"{mine.min_lr:.3g} and lrlab's at {ref.min_lr:.3g}: check the steps after the blow-up.")
    return Feedback(True, f"Right: your range test matches lrlab's step for step. Its min rule lands at "
                          f"{mine.min_lr:.3g} = {mine.min_lr / p.critical_lr:.2f}·(2/L), past the cliff, as in "
                          "the figure of section 3; min/10 would suggest "
                          f"{mine.min_lr / 10 / p.critical_lr:.2f}·(2/L).")


def check_budget_schedule(fn, seeds=EX_SEEDS, num_steps: int = EX_BUDGET, target: float = BUDGET_TARGET) -> Feedback:
    """Exercise 5: ``fn(t)`` is the lr of step t; trained on the budget, the mean test accuracy over
    ``seeds`` must reach ``target`` with no seed diverging. The feedback says what went wrong."""
    sched, problem = student_lrs(fn, "my_lr", range(num_steps), nonnegative=True)
    if problem is not None:
        return problem
    sched = np.array(sched)
    runs = [train_on_budget(lambda t: sched[min(t, num_steps - 1)], seed, num_steps) for seed in seeds]
    accs = [a for _, a in runs]
    diverged = [s for s, (rec, a) in zip(seeds, runs) if a is None]
    if diverged:
        rec = next(r for r, a in runs if a is None)
        k = int(rec.diverged_at)
        return Feedback(False, f"Seed {diverged[0]} diverged at step {k} (lr there {sched[min(k, num_steps - 1)]:.3g}): "
                               f"{len(diverged)} of {len(seeds)} seeds blew up. Lower the lr, at least around that step.")
    mean = float(np.mean(accs))
    shown = ", ".join(f"{a:.1%}" for a in accs)
    if mean >= target:
        return Feedback(True, f"Mean test accuracy {mean:.1%} over {len(seeds)} seeds ({shown}), at least "
                              f"{target:.0%}: within the budget.")
    end_loss = np.mean([rec.loss[-10:].mean() for rec, _ in runs])
    if sched.max() < 0.03:
        hint = (f"Your largest lr is {sched.max():.3g}: in {num_steps} steps the net is still learning "
                f"(training loss {end_loss:.2g} at the end). Raise the lr.")
    elif sched[-num_steps // 5:].mean() > 0.2:
        hint = (f"The last fifth of the run trains at lr ≈ {sched[-num_steps // 5:].mean():.2g}: it ends noisy. "
                "Lower the lr, or decay it towards the end.")
    else:
        hint = "Look at the generalization figure above: which lr and schedule did best on every seed?"
    return Feedback(False, f"Mean test accuracy {mean:.1%} ({shown}), below the target {target:.0%}. {hint}")


def check_boundary_lr(answer) -> Feedback:
    """Exercise 1: the boundary of the converging lrs on ``exercise_problem()`` (its 2/L); past it, refused."""
    crit = exercise_problem().critical_lr
    try:
        past = answer is not None and not isinstance(answer, bool) and float(answer) > crit * (1 + 1e-12)
    except (TypeError, ValueError):
        past = False
    if past:                                   # no slack on the wrong side: rounding up lands past the boundary
        return Feedback(False, f"{float(answer):.5g} is past the limit: at that lr the run does not converge. If you "
                               "rounded, round down: the boundary itself is the largest answer accepted.")
    return check_number_answer(answer, crit, rtol=0.011, at_most=crit,
                               beyond="at that lr the run does not converge: you are past the boundary",
                               hint="The boundary is set by the steepest direction of this problem, not the "
                                    "lesson's: look at q.loss.eigenvalues, or sweep lrs with lrlab.run and see where "
                                    "the final loss jumps up.",
                               right=f"Right: the boundary is 2/L = {crit:.4g}, lower than the lesson's problem's, "
                                     "because the larger feature scale makes the steep direction steeper.")


def check_best_fraction(answer) -> Feedback:
    """Exercise 2: the condition number κ at which the best constant lr 2/(mu + L) is ``EX_FRACTION`` of 2/L."""
    want = exercise_answers()["kappa"]
    q = exercise_problem()
    return check_number_answer(answer, want, rtol=0.002,
                               hint="Divide the two formulas of section 2 by each other: (2/(μ+L)) / (2/L) depends "
                                    f"on κ = L/μ alone. Set it equal to {EX_FRACTION:g} and solve for κ exactly (the "
                                    "approximation 1 − 1/κ is not exact).",
                               right=f"Right: (2/(μ+L)) / (2/L) = L/(μ+L) = κ/(κ+1), which is {EX_FRACTION:g} at "
                                     f"κ = {want:.0f}. The more ill-conditioned the problem, the closer the best lr "
                                     f"creeps to the cliff: on `q` (κ = {q.L / q.mu:.1f}) it is "
                                     f"{q.optimal_lr / q.critical_lr:.3f} of 2/L.")


def check_closest_rule(answer) -> Feedback:
    """Exercise 3: which rule of a range test with ``EX_RANGE`` lands closest (as a factor) to the best lr."""
    p = known_answer_problem()
    expected = exercise_answers()["closest_rule"]
    rules = rule_values(range_test(p, **EX_RANGE))
    factor = {r: float(np.exp(abs(np.log(v / p.optimal_lr)))) for r, v in rules.items()}
    fb = check_choice(answer, expected, choices=RULES,
                      hint="Compute each rule's lr divided by p.optimal_lr, and compare the factors (a factor of 3 "
                           "above counts the same as a factor of 3 below).",
                      right=f"Yes: {expected}, a factor {factor[expected]:.2f} from the best lr (min/10: "
                            f"{factor['min/10']:.2f}). But would you train with it? "
                            + ("It is past 2/L, so the run diverges: near the cliff, a factor above the best lr "
                               "is not as good as the same factor below it." if rules[expected] > p.critical_lr
                               else "It is below 2/L, so the run converges."))
    return fb
