r"""Lesson 02, too high and too low: set-ups, figures and exercise checks of
``notebooks/02_too_high_too_low.ipynb``.

The lesson's quadratic is :math:`f(w) = \tfrac{\lambda}{2} w^2` with :math:`\lambda = 4`
(``lrlab.losses.quadratic([4.0])``): one step multiplies the error by
:math:`1 - \eta\lambda`, so ``1/L = 0.25`` and ``2/L = 0.5``. The ill-conditioned
problem is the 2-D bowl with curvatures ``(1/kappa, 1)``: its steep direction
(curvature ``L = 1``) fixes the stability limit at 2 for every ``kappa``, while
its flat direction gets flatter as ``kappa`` grows.

This module imports matplotlib and ipywidgets (through ``lrlab.explorer``).
"""
from __future__ import annotations

import numbers

import numpy as np
from matplotlib.ticker import MaxNLocator

import lrlab
from lrlab import diagnostics, losses, plotting, steppers, theory
from lrlab.explorer import Explorer, MapPanel, Problem, Slider
from lrlab.exercises import Feedback, check_choice, check_number_answer
from lrlab.theory import expected_regime

__all__ = ["LAM", "X0", "NUM_STEPS", "LR_RANGE", "PRESETS", "MAP_POINTS", "bowl", "problem", "explorer",
           "expected_regime", "step_factor", "paths_figure", "regimes_figure",
           "error_factor_figure", "lr_map_figure",
           "largest_converging_lr", "good_window", "ROTATED_H", "EIGEN_LR", "EIGEN_X0", "eigen_axes", "eigen_figure",
           "X0_2D", "NUM_STEPS_2D", "LR_RANGE_2D", "KAPPA_PRESETS", "ill_conditioned", "kappa_problem",
           "kappa_explorer", "kappa_map_figure", "WELLS_X0", "WELLS_STEPS", "WELLS_PRESETS", "wells_explorer",
           "landing_figure", "PLATEAU_X0", "exit_step", "plateau_figure",
           "EXERCISE_H", "EXERCISE_EIGENVALUES", "EXERCISE_REGIME", "EXERCISE_FLAT", "EXERCISE_POLYAK",
           "check_polyak_lr", "RULES_KAPPA", "RULES_STEPS", "ARMIJO_LR0", "step_rules", "steps_to_gap", "step_rules_figure",
           "check_largest_lr", "check_regime", "check_flat_steps"]

# --------------------------------------------------------------------------- the 1-D quadratic

LAM = 4.0
X0 = [1.5]
NUM_STEPS = 40
LR_RANGE = (1e-3, 1.0)
# lr * LAM = 0.02 (slow), 0.8 (good), 1.8 (oscillating), 2.2 (diverging)
PRESETS = {"too small": 0.005, "good": 0.2, "oscillating": 0.45, "diverging": 0.55}
MAP_POINTS = 5000


def bowl(lam: float = LAM) -> losses.Quadratic:
    """The lesson's 1-D quadratic :math:`f(w) = \\tfrac{\\lambda}{2} w^2`."""
    return losses.quadratic([lam])


def problem() -> Problem:
    """The main widget's problem: f(w) = 2w², started at w = 1.5, 40 steps."""
    return Problem(bowl(), X0, NUM_STEPS, title="f(w) = 2w²  (λ = 4)")


def explorer(lr: float = 0.2) -> Explorer:
    """The main widget of lesson 02: path, loss curve and the lr map of 5000 lrs, with 1/L and 2/L marked."""
    return Explorer(problem(), lr=lr, lr_range=LR_RANGE, presets=PRESETS,
                    panels=("path", "loss", MapPanel(MAP_POINTS)))


@plotting.styled
def paths_figure(loss, traj, titles, ncols: int = 2):
    """Small multiples of a batched run, one path per panel, titled ``titles``: ``plotting.small_multiples``
    without badges (the titles say what each run does). Returns ``(fig, axes)``."""
    return plotting.small_multiples(traj, loss, titles=titles, ncols=ncols, badges=False)


@plotting.styled
def regimes_figure(loss, traj, titles, ncols: int = 2):
    """:func:`paths_figure` on a quadratic, each title followed by the regime the theory predicts
    (:func:`lrlab.theory.regime` of the panel's lr). Returns ``(fig, axes)``."""
    fig, axes = paths_figure(loss, traj, titles, ncols=ncols)
    for ax, lr, title in zip(axes.flat, np.ravel(traj.lr[0]), titles):
        ax.set_title(f"{title}\n{theory.regime(loss, lr)}")
    return fig, axes


@plotting.styled
def error_factor_figure(small=(0.2, 0.5, 1.0), large=(1.5, 1.9, 2.1), num_steps: int = 15):
    r"""The error factor :math:`(1-\eta\lambda)^t` against step t, for ``small`` products
    :math:`\eta\lambda \le 1` (top left) and ``large`` ones (top right); below: one step's factor
    :math:`|1-\eta\lambda|` against :math:`\eta\lambda`, regimes shaded. Returns ``(fig, axes)``."""
    fig = plotting.figure(1, 1, width=9.0, height=7.4)[0]
    fig.clear()
    mosaic = fig.subplot_mosaic([["small", "large"], ["factor", "factor"]], height_ratios=[1.15, 1])
    axes = [mosaic["small"], mosaic["large"], mosaic["factor"]]
    t = np.arange(num_steps + 1)
    col = {0.2: "sky", 0.5: "blue", 1.0: "green", 1.5: "orange", 1.9: "purple", 2.1: "vermillion"}
    cycle = ["sky", "blue", "green", "orange", "purple", "vermillion"]
    colors = {p: plotting.PALETTE[col.get(p, cycle[i % len(cycle)])] for i, p in enumerate(tuple(small) + tuple(large))}
    for ax, group, title in [(axes[0], small, "ηλ ≤ 1: shrinks, keeps its sign"),
                             (axes[1], large, "ηλ > 1: overshoots, flips sign")]:
        for p in group:
            factor = (1.0 - p) ** t
            ax.plot(t, np.clip(factor, -3.0, 3.0), "-o", color=colors[p], ms=3.5, lw=1.6, label=f"ηλ = {p:g}")
        ax.axhline(0, color=plotting.PALETTE["black"], lw=1)
        ax.axhline(1, color=plotting.PALETTE["grey"], lw=1, ls=":")
        ax.axhline(-1, color=plotting.PALETTE["grey"], lw=1, ls=":")
        ax.set_ylim(-2.05, 2.05)
        ax.set_xlim(0, num_steps)
        ax.set_xlabel("step t")
        ax.set_title(title)
        # below the axes, never over the curves
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=len(group),
                  fontsize=10.5, handlelength=1.2, columnspacing=1.0)
    axes[0].set_ylabel("error factor (1 − ηλ)ᵗ")

    ax = axes[2]
    p = np.linspace(0, 2.5, 501)
    spans = [(0, 1, "converging", "monotone convergence", "same sign"),
             (1, 2, "oscillating", "oscillating convergence", "flips sign"),
             (2, 2.5, "diverging", "divergence", "grows")]
    for lo, hi, color, regime, text in spans:
        ax.axvspan(lo, hi, color=plotting.REGIME_COLORS[color], alpha=0.25, lw=0)
        ax.text((lo + hi) / 2, 1.46, f"{regime}\n({text})", ha="center", va="top", fontsize=10)
    ax.plot(p, np.abs(1 - p), color=plotting.PALETTE["black"], lw=2.5)
    ax.axhline(1, color=plotting.PALETTE["vermillion"], ls=":", lw=2)
    for q, c in colors.items():
        ax.plot([q], [abs(1 - q)], "o", color=c, ms=8, mec="black", zorder=4)
    ax.set_xlim(0, 2.5)
    ax.set_ylim(0, 1.5)
    ax.set_xlabel("ηλ  (learning rate × curvature)")
    ax.set_ylabel("|1 − ηλ|, per step")
    ax.set_title("one step's shrink factor: smallest (0) at ηλ = 1, above 1 past ηλ = 2")
    return fig, axes


def step_factor(traj) -> np.ndarray:
    """Per run, the measured shrink factor of the distance per step: ``(gap_T / gap_0) ** (1 / (2 T))``
    (the loss gap of a quadratic is quadratic in the distance); NaN for a run that blew up."""
    g = plotting.gap(traj)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = (g[-1] / g[0]) ** (1.0 / (2 * traj.num_steps))
    return np.where(np.isfinite(f) & ~np.asarray(traj.diverged), f, np.nan)


@plotting.styled
def lr_map_figure(lrs, traj, loss, marks: dict | None = None):
    """The lr map: top, the loss gap after the run against lr (1/L and 2/L marked, named lrs as dots);
    below, the shrink factor per step measured from the same runs, whose minimum (0) sits at 1/L.

    ``traj`` is one batched run over ``lrs``. Returns ``(fig, axes)``.
    """
    fig, axes = plotting.figure(2, 1, width=9.0, height=7.0)
    axes[1].sharex(axes[0])
    ax = axes[0]
    final = plotting.gap(traj)[-1]
    art = plotting.lr_map(lrs, final, ax, loss=loss, label=f"loss − min after {traj.num_steps} steps")
    art["vline"].set_visible(False)
    art["diverged"].set_label(f"blew up (loss > 1e10 × start)")
    ax.set_xlabel("")
    factor = step_factor(traj)
    for name, lr in (marks or {}).items():
        i = int(np.argmin(np.abs(np.log(lrs) - np.log(lr))))
        color = plotting.REGIME_COLORS[theory.regime(loss, lrs[i])]
        y = final[i] if np.isfinite(final[i]) else art["top"]
        y = min(max(y, art["bottom"]), art["top"])
        ax.plot([lr], [y], "o", ms=10, color=color, mec="black", zorder=6, clip_on=False)
        beside = lr > 1.2 / theory.eigenvalues(loss)[-1]         # right of the floor: label to the left
        ax.annotate(name, (lr, y), xytext=(-10, 0) if beside else (0, 12), textcoords="offset points",
                    ha="right" if beside else "center", va="center" if beside else "bottom", fontsize=10.5,
                    fontweight="bold", bbox=dict(fc="white", ec="none", alpha=0.8, pad=1))
        if np.isfinite(factor[i]):
            axes[1].plot([lr], [factor[i]], "o", ms=9, color=color, mec="black", zorder=6)
    ax.tick_params(labelbottom=False)
    ax.set_title("slow far below 1/L, fastest at 1/L (lower panel), oscillating up to 2/L, diverging past it",
                 fontsize=11)
    ax.legend(frameon=False, loc="lower left", fontsize=10.5)

    ax = axes[1]
    ax.plot(lrs, factor, color=plotting.PALETTE["blue"], lw=2)
    ax.axhline(1, color=plotting.PALETTE["vermillion"], ls=":", lw=1.5)
    plotting.theory_lines(ax, loss, labels=False)
    edge = theory.critical_lr(loss)                              # divergence starts at 2/L (theory)
    if edge < lrs[-1]:
        ax.axvspan(edge, lrs[-1], color=plotting.REGIME_COLORS["diverging"], alpha=0.2, lw=0)
    ax.set_ylim(0, 1.25)
    ax.set_xlim(lrs[0], lrs[-1])
    ax.set_xlabel("learning rate")
    ax.set_ylabel("shrink factor per step\n(measured)")
    return fig, axes


def largest_converging_lr(lrs, traj) -> float:
    """The largest lr of a batched run whose final loss gap is below its initial gap."""
    g = plotting.gap(traj)
    ok = np.isfinite(g[-1]) & (g[-1] < g[0]) & ~np.asarray(traj.diverged)
    return float(np.asarray(lrs)[ok].max())


def good_window(lrs, traj, target: float = 1e-6):
    """``(lo, hi)``: the smallest and largest lr whose final gap is at most ``target`` × the initial gap
    (``None`` if no lr gets there)."""
    g = plotting.gap(traj)
    ok = np.isfinite(g[-1]) & (g[-1] <= target * g[0])
    if not ok.any():
        return None
    lrs = np.asarray(lrs)
    return float(lrs[ok].min()), float(lrs[ok].max())


# --------------------------------------------------------------------------- curvature in several dimensions

#: a bowl turned by 45 degrees: eigenvalues 0.5 along (1, -1)/sqrt 2 (the valley floor) and 2 along (1, 1)/sqrt 2
ROTATED_H = np.array([[1.25, 0.75], [0.75, 1.25]])
EIGEN_LR = 0.7
EIGEN_X0 = [1.3, -0.4]


def eigen_axes(H):
    """Eigenvalues (ascending) and unit eigenvectors (columns) of a symmetric matrix, each eigenvector's
    sign fixed so that its first non-zero entry is positive (``numpy.linalg.eigh`` leaves the sign free)."""
    lams, vecs = np.linalg.eigh(np.asarray(H, dtype=float))
    for j in range(vecs.shape[1]):
        k = int(np.flatnonzero(np.abs(vecs[:, j]) > 1e-12)[0])
        if vecs[k, j] < 0:
            vecs[:, j] = -vecs[:, j]
    return lams, vecs


@plotting.styled
def eigen_figure(loss, path, lr: float):
    r"""Left: the contours of a 2-D quadratic, its eigenvectors drawn as the valley's axes (labelled with
    their eigenvalues) and a path ``(T + 1, 2)``. Right: the size of the error along each eigenvector
    against the step, with the prediction :math:`|c_i(0)|\,|1 - \eta\lambda_i|^t`. Returns ``(fig, axes)``."""
    fig, axes = plotting.figure(1, 2, width=9.0, height=4.1)
    lams, vecs = eigen_axes(loss.hessian())
    path = np.asarray(path, dtype=float)
    colors = [plotting.PALETTE["blue"], plotting.PALETTE["vermillion"]]
    ax = axes[0]
    plotting.contour(loss, ax)
    ax.set_aspect("equal")
    for i in range(2):
        v = vecs[:, i] * 1.45
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color=colors[i], lw=2.5,
                                                             mutation_scale=18), zorder=6)
        ax.plot([-v[0], v[0]], [-v[1], v[1]], color=colors[i], lw=1.2, ls="--", zorder=3)
        ax.text(*(v * 1.0), f" v{'₁₂'[i]}: λ{'₁₂'[i]} = {lams[i]:g} ", color=colors[i], fontweight="bold", fontsize=10.5,
                ha="right" if v[0] > 0 and i == 1 else "left", va="bottom" if v[1] > 0 else "top",
                bbox=dict(fc="white", ec="none", alpha=0.85, pad=1), zorder=7)
    ax.plot(path[:, 0], path[:, 1], "-o", color=plotting.PALETTE["green"], ms=3.5, lw=1.5, zorder=5)
    ax.plot(*path[0], "o", color=plotting.PALETTE["green"], mec="black", ms=9, zorder=6)
    ax.annotate("start", path[0], xytext=(0, 9), textcoords="offset points", ha="center", fontsize=10.5)
    ax.set_title(f"the bowl's own axes; path at lr = {lr:g}")

    ax = axes[1]
    t = np.arange(len(path))
    coords = path @ vecs                                         # (T + 1, 2): the error along v1, v2
    for i in range(2):
        r = 1 - lr * lams[i]
        ax.plot(t, np.abs(coords[:, i]), "o", color=colors[i], ms=5,
                label=f"along v{'₁₂'[i]}: factor 1 − ηλ{'₁₂'[i]} = {r:+.2g}")
        ax.plot(t, np.abs(coords[0, i]) * np.abs(r) ** t, color=colors[i], lw=1.2, ls="--")
    ax.plot([], [], color=plotting.PALETTE["grey"], ls="--", lw=1.2, label="|c(0)| · |1 − ηλ|ᵗ")
    ax.set_yscale("log")
    low = np.abs(coords[coords != 0]).min()
    ax.set_ylim(low * 1e-5, np.abs(coords).max() * 3)          # room below the data for the legend
    ax.set_xlim(0, len(path) - 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("step t")
    ax.set_ylabel("|error along the eigenvector|")
    ax.set_title("each direction keeps its own factor")
    ax.legend(frameon=False, loc="lower left", fontsize=10)
    return fig, axes


# --------------------------------------------------------------------------- the ill-conditioned bowl

X0_2D = [-1.5, 1.0]
NUM_STEPS_2D = 60
LR_RANGE_2D = (1e-3, 3.0)
#: at kappa = 20 the zig-zagging run (1.8, slowest factor 0.91) is faster than the cautious one (1.0, 0.95);
#: the best lr is 2/(mu + L) = 1.905
KAPPA_PRESETS = {"too small": {"kappa": 20.0, "lr": 0.02}, "cautious": {"kappa": 20.0, "lr": 1.0},
                 "near-optimal, zig-zags": {"kappa": 20.0, "lr": 1.8}, "diverging": {"kappa": 20.0, "lr": 2.1},
                 "round bowl (κ = 1)": {"kappa": 1.0, "lr": 1.0},
                 "narrow valley (κ = 200)": {"kappa": 200.0, "lr": 1.0}}


def ill_conditioned(kappa: float) -> losses.Quadratic:
    r"""The 2-D bowl with curvatures :math:`(1/\kappa, 1)`: flat along w₁, steep along w₂, L = 1."""
    return losses.quadratic([1.0 / float(kappa), 1.0])


def kappa_problem(kappa: float = 20.0) -> Problem:
    """The condition-number widget's problem for one κ (rebuilt whenever the κ slider moves)."""
    return Problem(ill_conditioned(kappa), X0_2D, NUM_STEPS_2D, title=f"κ = {kappa:.3g}: contours and path")


def kappa_explorer(lr: float = 1.0, kappa: float = 20.0) -> Explorer:
    """LR slider plus a condition-number slider on the 2-D bowl (1/κ, 1): contour with path, loss, lr map."""
    kappa_slider = Slider(20.0, 1.0, 1000.0, step=0.05, log=True, description="condition number κ",
                          readout_format=".3g", width=420).with_value("kappa", kappa)
    return Explorer(kappa_problem, lr=lr, lr_range=LR_RANGE_2D, presets=KAPPA_PRESETS,
                    controls={"kappa": kappa_slider}, panels=("path", "loss", MapPanel(300)))


@plotting.styled
def kappa_map_figure(lrs, maps: dict, target: float = 1e-6, ax=None):
    """lr maps of the bowl (1/κ, 1) for several κ: final gap / initial gap against lr, one line per κ."""
    fig, ax = plotting.figure_or_ax(ax, width=9.0, height=4.2)
    colors = [plotting.PALETTE[c] for c in ("blue", "orange", "green", "purple")]
    for i, (kappa, traj) in enumerate(maps.items()):
        g = plotting.gap(traj)
        ratio = np.where(np.isfinite(g[-1]), g[-1] / g[0], np.nan)
        ax.plot(lrs, np.clip(ratio, 1e-30, None), color=colors[i % len(colors)], label=f"κ = {kappa:g}")
    ax.axhline(target, color=plotting.PALETTE["grey"], ls="--", lw=1.5)
    ax.text(lrs[0] * 1.1, target * 2, f"target: {target:g} × initial gap", color=plotting.PALETTE["grey"],
            fontsize=10.5, va="bottom")
    plotting.theory_lines(ax, ill_conditioned(1.0))          # L = 1 for every κ
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lrs[0], lrs[-1])
    ax.set_ylim(1e-30, 1e3)
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"gap after {next(iter(maps.values())).num_steps} steps / initial gap")
    ax.set_title("the valley of good learning rates narrows as κ grows")
    ax.legend(frameon=False, loc="lower left")
    return fig, ax


# --------------------------------------------------------------------------- non-convex: two wells, a plateau

WELLS_X0 = [-1.6]
WELLS_STEPS = 150
WELLS_PRESETS = {"too small (stuck)": 0.03, "bouncing in the trap": 0.12, "good (escapes)": 0.3,
                 "diverging": 6.0}


def wells_explorer(lr: float = 0.03) -> Explorer:
    """LR slider on ``losses.two_wells()`` started in the narrow trap at w = -1.6."""
    p = Problem(losses.two_wells(), WELLS_X0, WELLS_STEPS, title="two wells: a narrow trap, a wide basin")
    return Explorer(p, lr=lr, lr_range=(1e-3, 8.0), presets=WELLS_PRESETS, panels=("path", "loss"),
                    width=11.0, height=3.9)


@plotting.styled
def landing_figure(loss, lrs, traj, last: int = 30, ax=None):
    """Where each lr ends up on a 1-D loss: the last ``last`` iterates of every run against lr.

    A single dot per lr is a run that settled; a vertical spread is a run still bouncing. Local minima
    are drawn as horizontal lines and ``2 / curvature`` of each as a vertical one. Returns ``(fig, ax)``.
    """
    fig, ax = plotting.figure_or_ax(ax, width=9.0, height=4.4)
    tail = traj.params[-last:, :, 0]                        # (last, n)
    ok = np.asarray(~traj.diverged)
    xs = np.broadcast_to(np.asarray(lrs)[None, ok], tail[:, ok].shape)
    ax.plot(xs.ravel(), tail[:, ok].ravel(), ".", ms=1.2, color=plotting.PALETTE["blue"], alpha=0.5,
            rasterized=True)
    ax.plot([], [], "s", color=plotting.PALETTE["blue"], label=f"last {last} iterates of each run")
    colors = [plotting.PALETTE["green"], plotting.PALETTE["vermillion"]]
    names = ["good minimum", "trap"]
    for m, name, c in zip(loss.local_minima, names, colors):
        ax.axhline(m, color=c, lw=1, ls="--", alpha=0.8)
        limit = 2.0 / float(loss.curvature(np.array([m])))
        ax.axvline(limit, color=c, ls=":", lw=2)
        ax.text(limit, 0.03 if name == "trap" else 0.36, f"2/curvature of\nthe {name}\n= {limit:.3g} ",
                transform=ax.get_xaxis_transform(), color=c, fontsize=10, fontweight="bold", ha="right",
                va="bottom", bbox=dict(fc="white", ec="none", alpha=0.85, pad=1))
        # the trap's label right of the lrs that stay in it (their dots would run over it), on a white box
        ax.text(lrs[0] * 1.15 if name == "good minimum" else 0.17, m, f"{name} (w = {m:.2f})", color=c,
                fontsize=10.5, fontweight="bold", va="bottom" if name == "good minimum" else "top", ha="left",
                bbox=dict(fc="white", ec="none", alpha=0.85, pad=1))
    bad = ~ok
    if bad.any():
        ax.axvspan(np.asarray(lrs)[bad].min(), lrs[-1], color=plotting.REGIME_COLORS["diverging"], alpha=0.2, lw=0,
                   label="diverged")
    ax.set_xscale("log")
    ax.set_xlim(lrs[0], lrs[-1])
    lo, hi = loss.bounds[0]
    ax.set_ylim(lo, hi)
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"w after {traj.num_steps - last}–{traj.num_steps} steps")
    ax.set_title("where each learning rate ends up, started in the trap at w = −1.6")
    ax.legend(frameon=False, loc="upper center", markerscale=1.5)
    return fig, ax


PLATEAU_X0 = [-4.0]


def exit_step(traj, level: float = 0.0):
    """Per trajectory, the first step at which the loss is below ``level`` (-1 if never)."""
    return np.asarray(diagnostics.first_step_below(traj.loss, level, strict=True))


@plotting.styled
def plateau_figure(loss, lrs, traj, level: float = 0.0):
    """Left: the plateau loss with the shelf. Right: loss against step for each lr, exits marked."""
    fig, axes = plotting.figure(1, 2, width=9.0, height=4.3)
    colors = [plotting.PALETTE[c] for c in ("sky", "blue", "orange", "vermillion")]
    exits = exit_step(traj, level)
    ax = axes[0]
    plotting.curve_1d(loss, ax)
    x0 = traj.params[0, 0, 0]
    ax.plot([x0], loss.value(np.array([[x0]])), "o", color="black", ms=9, zorder=5)
    ax.annotate("start", (x0, float(loss.value(np.array([x0])))), xytext=(0, -22), textcoords="offset points",
                ha="center", fontsize=11)
    ax.axvspan(loss.bounds[0, 0], -1.0, color=plotting.PALETTE["yellow"], alpha=0.3, lw=0)
    ax.text(-3.0, 0.4, "the shelf:\nslope ≈ 0.02", ha="center", fontsize=10.5)
    ax.axhline(level, color=plotting.PALETTE["grey"], ls="--", lw=1)
    ax.set_xlim(*loss.bounds[0])
    ax.set_title("a plateau, then a drop")
    ax = axes[1]
    t = np.arange(traj.num_steps + 1)
    for i, lr in enumerate(lrs):
        c = colors[i % len(colors)]
        ax.plot(t, traj.loss[:, i], color=c, label=f"lr = {lr:g}: step {exits[i]}")
        if exits[i] >= 0:
            ax.plot([exits[i]], [traj.loss[exits[i], i]], "o", color=c, ms=8, mec="black")
    ax.axhline(level, color=plotting.PALETTE["grey"], ls="--", lw=1)
    ax.set_xlim(0, traj.num_steps)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("a long flat shelf, then a cliff")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, fontsize=10.5,
              title="leaves the shelf at", title_fontsize=10.5, handlelength=1.2, columnspacing=0.8)
    return fig, axes


# --------------------------------------------------------------------------- how big a step? (section 6)

#: the classical step-size rules on the kappa = 20 valley: Armijo's search starts every step at 10 (five times
#: 2/L) and halves; the fixed lrs are the cautious preset and the best constant lr 2/(mu + L)
RULES_KAPPA = 20.0
RULES_STEPS = 120
ARMIJO_LR0 = 10.0


def step_rules(loss=None, x0=None, num_steps: int = RULES_STEPS) -> dict:
    """Gradient descent on the kappa = 20 valley with two fixed lrs, Armijo backtracking, Polyak's step
    size and Newton's method: ``{name: Trajectory}`` (the rules' ``traj.lr`` holds the lr each step took)."""
    from lrlab import linesearch
    loss = ill_conditioned(RULES_KAPPA) if loss is None else loss
    x0 = X0_2D if x0 is None else x0
    return {
        "fixed lr = 1": lrlab.run(loss=loss, x0=x0, lr=1.0, num_steps=num_steps),
        f"fixed best lr = {theory.optimal_lr(loss):.2f}": lrlab.run(loss=loss, x0=x0, lr=theory.optimal_lr(loss),
                                                                  num_steps=num_steps),
        "Armijo (from 10, halving)": linesearch.run_line_search(loss, x0, num_steps, lr0=ARMIJO_LR0, shrink=0.5),
        "Polyak (needs f*)": linesearch.run_polyak(loss, x0, num_steps),
        "Newton (needs H)": lrlab.run(loss=loss, stepper=steppers.newton(loss), x0=x0, lr=1.0, num_steps=num_steps),
    }


def steps_to_gap(traj, target: float = 1e-6):
    """The first step at which the loss gap is at most ``target`` × its start (None if never)."""
    g = plotting.gap(traj)
    hit = np.flatnonzero(g / g[0] <= target)
    return int(hit[0]) if hit.size else None


@plotting.styled
def step_rules_figure(runs: dict, floor: float = 1e-16, ax=None):
    """Loss gap / start against step for each rule of :func:`step_rules` (log y; a gap below ``floor``,
    such as Newton's exact 0 after one step, is drawn on the floor)."""
    fig, ax = plotting.figure_or_ax(ax, width=8.0, height=4.2)
    colors = [plotting.PALETTE[c] for c in ("sky", "blue", "orange", "green", "vermillion")]
    styles = ["-", "-", "-", "-", "--"]
    for (name, traj), c, ls_ in zip(runs.items(), colors, styles):
        g = plotting.gap(traj)
        ax.plot(np.arange(g.size), np.maximum(g / g[0], floor), ls_, color=c, lw=2, label=name)
    ax.axhline(1e-6, color=plotting.PALETTE["grey"], ls=":", lw=1.2)
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, 3)
    ax.text(0.98, floor * 2.5, f"gap 0 or below {floor:.0e}: drawn on this line", transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", fontsize=9.5, color=plotting.PALETTE["grey"])
    ax.set_xlabel("step")
    ax.set_ylabel("loss gap / its start")
    ax.set_title(f"κ = {RULES_KAPPA:g} valley: a fixed lr against rules that choose it")
    ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=10)
    return fig, ax


#: exercise 4: Polyak's first lr on the 1-D bowl f(w) = 3 w**2 (curvature 6) from w = 2
EXERCISE_POLYAK = {"curvature": 6.0, "w0": 2.0}


def check_polyak_lr(answer) -> Feedback:
    """Exercise 4: Polyak's lr (f(w) - f*) / f'(w)**2 at w = 2 on f(w) = 3 w**2: 12 / 144 = 1/12, half Newton's."""
    lam, w0 = EXERCISE_POLYAK["curvature"], EXERCISE_POLYAK["w0"]
    expected = (0.5 * lam * w0 ** 2) / (lam * w0) ** 2              # = 1 / (2 lam), whatever w0
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool) and np.isclose(answer, 1 / lam, rtol=0.02):
        return Feedback(False, "That is Newton's lr, 1/curvature. Polyak's rule is another formula: put the loss "
                               "value and the slope at w = 2 into it.")
    return check_number_answer(answer, expected, rtol=0.01, digits=2,
                               hint="f* = 0 here. Compute f(2) and f'(2) and put them into "
                                    "(f(w) − f*) / f'(w)².",
                               right="1/12 ≈ 0.0833: f(2) = 12 and f'(2) = 12, so 12/144. On any 1-D bowl it is "
                                     "1/(2λ), half Newton's lr: each step halves w instead of landing on 0.")


# --------------------------------------------------------------------------- exercises

#: exercise 1's bowl: a rotated Hessian, eigenvalues 1 and 9 (not its diagonal entries, 5 and 5); its edge
#: 2/9 is printed nowhere in the lesson (unlike 1/L = 0.25 of the 1-D bowl)
EXERCISE_H = np.array([[5.0, 4.0], [4.0, 5.0]])
EXERCISE_EIGENVALUES = (1.0, 9.0)         # exact (eigenvectors (1, -1) and (1, 1)); the tests check eigvalsh agrees
#: exercise 2: lr and curvatures; exercise 3: condition number and lr on the valley (1/kappa, 1)
EXERCISE_REGIME = {"lr": 0.3, "curvatures": [1.0, 5.0]}
EXERCISE_FLAT = {"kappa": 40.0, "lr": 1.5}


def check_largest_lr(answer) -> Feedback:
    """Exercise 1: the boundary lr of gradient descent on ``quadratic(EXERCISE_H)`` (2/L, L = 9): the set of
    converging lrs is open, so the answer is its upper end; an answer past it is refused however close."""
    L = max(EXERCISE_EIGENVALUES)
    edge = 2.0 / L                            # 2/9 = 0.2222...: answers rounded below it pass
    beyond = "there the error along the steepest eigenvector grows at every step"
    hint = ("The limit comes from the curvature along the bowl's steepest axis. In a "
            "rotated bowl that is not a diagonal entry of the matrix: find the "
            "eigenvalues (np.linalg.eigvalsh), then use section 1's rule for one direction.")
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool) and answer > edge:   # no slack past it
        return Feedback(False, f"{float(answer)!r} is past the limit: {beyond}. {hint}")
    return check_number_answer(answer, edge, rtol=0.02, at_most=edge, beyond=beyond, hint=hint,
                               right=f"2/9 = {edge:.4f} = 2/L with L = {L:g}, the largest eigenvalue (the diagonal entries, "
                                     "5, are the curvatures along w₁ and w₂, which are not the bowl's axes). "
                                     "Below it every direction shrinks; at it the steep one bounces for ever.")


def check_regime(answer) -> Feedback:
    """Exercise 2: the regime of lr = 0.3 on ``quadratic([1.0, 5.0])``: factors 0.7 and -0.5."""
    expected = theory.regime(losses.quadratic(EXERCISE_REGIME["curvatures"]), EXERCISE_REGIME["lr"])
    return check_choice(answer, expected, choices=theory.REGIMES,
                        hint="Each direction has its own factor 1 − ηλ. Compute both: are they below 1 in "
                             "size? Is either negative?",
                        right="Yes: the factors are 1 − 0.3·1 = 0.7 and 1 − 0.3·5 = −0.5. Both are below 1 in "
                              "size, so it converges, and the steep direction flips sign at every step.")


def check_flat_steps(answer) -> Feedback:
    """Exercise 3: steps until the error on the valley (1/40, 1) at lr = 1.5 is 1e-3 of its start (both
    directions: the flat one, factor 0.9625, is the slower)."""
    kappa, lr = EXERCISE_FLAT["kappa"], EXERCISE_FLAT["lr"]
    factors = np.abs(1 - lr * np.array([1.0 / kappa, 1.0]))
    expected = float(np.ceil(np.log(1e-3) / np.log(factors.max())))
    return check_number_answer(answer, expected, rtol=0.03,
                               hint="Write the factor of each direction. Which one shrinks its error more "
                                    "slowly? Then solve factorᵗ = 0.001 for t (take logarithms).",
                               right=f"{expected:.0f} steps: the steep direction's factor is −0.5 and is done "
                                     "in ten steps; the flat one's, 1 − 1.5/40 = 0.9625, needs "
                                     "t ≥ ln(1000)/(−ln 0.9625). The flat direction sets the pace.")
