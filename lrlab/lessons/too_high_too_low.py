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

import numpy as np

from lrlab import diagnostics, losses, plotting
from lrlab.explorer import Explorer, MapPanel, Problem, Slider
from lrlab.exercises import Feedback, check_choice, check_number_answer
from lrlab.theory import expected_regime

__all__ = ["LAM", "X0", "NUM_STEPS", "LR_RANGE", "PRESETS", "MAP_POINTS", "bowl", "problem", "explorer",
           "expected_regime", "error_factor_figure", "lr_map_figure", "largest_converging_lr", "good_window",
           "X0_2D", "NUM_STEPS_2D", "LR_RANGE_2D", "KAPPA_PRESETS", "ill_conditioned", "kappa_problem",
           "kappa_explorer", "kappa_map_figure", "WELLS_X0", "WELLS_STEPS", "WELLS_PRESETS", "wells_explorer",
           "landing_figure", "PLATEAU_X0", "exit_step", "plateau_figure",
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
def error_factor_figure(small=(0.2, 0.5, 1.0), large=(1.5, 1.9, 2.1), num_steps: int = 15):
    r"""The error factor :math:`(1-\eta\lambda)^t` against step t, for ``small`` products
    :math:`\eta\lambda \le 1` (left) and ``large`` ones (middle); right: one step's factor
    :math:`|1-\eta\lambda|` against :math:`\eta\lambda`, regimes shaded. Returns ``(fig, axes)``."""
    fig, axes = plotting.figure(1, 3, width=13.5, height=4.2)
    t = np.arange(num_steps + 1)
    col = {0.2: "sky", 0.5: "blue", 1.0: "green", 1.5: "orange", 1.9: "purple", 2.1: "vermillion"}
    cycle = ["sky", "blue", "green", "orange", "purple", "vermillion"]
    colors = {p: plotting.PALETTE[col.get(p, cycle[i % len(cycle)])] for i, p in enumerate(tuple(small) + tuple(large))}
    for ax, group, title in [(axes[0], small, "ηλ ≤ 1: shrinks, keeps its sign"),
                             (axes[1], large, "ηλ > 1: overshoots, flips sign")]:
        for p in group:
            factor = (1.0 - p) ** t
            ax.plot(t, np.clip(factor, -3.0, 3.0), "-o", color=colors[p], ms=4, lw=1.8, label=f"ηλ = {p:g}")
        ax.axhline(0, color=plotting.PALETTE["black"], lw=1)
        ax.axhline(1, color=plotting.PALETTE["grey"], lw=1, ls=":")
        ax.axhline(-1, color=plotting.PALETTE["grey"], lw=1, ls=":")
        ax.set_ylim(-2.05, 2.05)
        ax.set_xlim(0, num_steps)
        ax.set_xlabel("step t")
        ax.set_title(title)
        ax.legend(frameon=False, loc="lower right" if ax is axes[0] else "lower left", ncols=1)
    axes[0].set_ylabel("error factor (1 − ηλ)ᵗ")

    ax = axes[2]
    p = np.linspace(0, 2.5, 501)
    spans = [(0, 1, "converging", "same sign"), (1, 2, "oscillating", "flips sign"),
             (2, 2.5, "diverging", "grows")]
    for lo, hi, regime, text in spans:
        ax.axvspan(lo, hi, color=plotting.REGIME_COLORS[regime], alpha=0.25, lw=0)
        ax.text((lo + hi) / 2, 1.46, f"{regime}\n({text})", ha="center", va="top", fontsize=10)
    ax.plot(p, np.abs(1 - p), color=plotting.PALETTE["black"], lw=2.5)
    ax.axhline(1, color=plotting.PALETTE["vermillion"], ls=":", lw=2)
    for q, c in colors.items():
        ax.plot([q], [abs(1 - q)], "o", color=c, ms=8, mec="black", zorder=4)
    ax.set_xlim(0, 2.5)
    ax.set_ylim(0, 1.5)
    ax.set_xlabel("ηλ  (learning rate × curvature)")
    ax.set_ylabel("|1 − ηλ|, per step")
    ax.set_title("one step's shrink factor")
    return fig, axes


@plotting.styled
def lr_map_figure(lrs, traj, loss, marks: dict | None = None, ax=None):
    """The lr map: loss gap after the run against lr, 1/L and 2/L marked, and named lrs as dots.

    ``traj`` is one batched run over ``lrs``. Returns ``(fig, ax)``.
    """
    fig, ax = plotting.figure_or_ax(ax, width=9.0, height=4.2)
    final = plotting.gap(traj)[-1]
    art = plotting.lr_map(lrs, final, ax, loss=loss, label=f"loss − min after {traj.num_steps} steps")
    art["vline"].set_visible(False)
    regimes = diagnostics.classify(traj)
    for name, lr in (marks or {}).items():
        i = int(np.argmin(np.abs(np.log(lrs) - np.log(lr))))
        y = final[i] if np.isfinite(final[i]) else art["top"]
        y = min(max(y, art["bottom"]), art["top"])
        ax.plot([lr], [y], "o", ms=10, color=plotting.REGIME_COLORS[regimes[i]], mec="black", zorder=6)
        ax.annotate(name, (lr, y), xytext=(0, 12), textcoords="offset points", ha="center", fontsize=10.5,
                    fontweight="bold", bbox=dict(fc="white", ec="none", alpha=0.8, pad=1))
    ax.set_title("slow far below 1/L, fastest at 1/L, oscillating up to 2/L, diverging past it")
    ax.legend(frameon=False, loc="lower left")
    return fig, ax


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


# --------------------------------------------------------------------------- the ill-conditioned bowl

X0_2D = [-1.5, 1.0]
NUM_STEPS_2D = 60
LR_RANGE_2D = (1e-3, 3.0)
KAPPA_PRESETS = {"too small": {"kappa": 20.0, "lr": 0.02}, "good": {"kappa": 20.0, "lr": 1.0},
                 "oscillating": {"kappa": 20.0, "lr": 1.8}, "diverging": {"kappa": 20.0, "lr": 2.1},
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
                          readout_format=".3g", width="420px").with_value("kappa", kappa)
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
    fig, ax = plotting.figure_or_ax(ax, width=10.0, height=4.4)
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
        ax.text(lrs[0] * 1.15, m, f"{name} (w = {m:.2f})", color=c, fontsize=10.5, fontweight="bold",
                va="bottom" if name == "good minimum" else "top", ha="left")
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
    fig, axes = plotting.figure(1, 2, width=12.0, height=4.2)
    colors = [plotting.PALETTE[c] for c in ("sky", "blue", "orange", "vermillion")]
    exits = exit_step(traj, level)
    ax = axes[0]
    plotting.curve_1d(loss, ax)
    x0 = traj.params[0, 0, 0]
    ax.plot([x0], loss.value(np.array([[x0]])), "o", color="black", ms=9, zorder=5)
    ax.annotate("start", (x0, float(loss.value(np.array([x0])))), xytext=(0, -22), textcoords="offset points",
                ha="center", fontsize=11)
    ax.axvspan(loss.bounds[0, 0], -1.0, color=plotting.PALETTE["yellow"], alpha=0.3, lw=0)
    ax.text(-3.0, 0.4, "the shelf:\nslope ≈ 0.02", ha="center", fontsize=11)
    ax.axhline(level, color=plotting.PALETTE["grey"], ls="--", lw=1)
    ax.set_xlim(*loss.bounds[0])
    ax.set_title("a plateau, then a drop")
    ax = axes[1]
    t = np.arange(traj.num_steps + 1)
    for i, lr in enumerate(lrs):
        c = colors[i % len(colors)]
        ax.plot(t, traj.loss[:, i], color=c, label=f"lr = {lr:g}: leaves at step {exits[i]}")
        if exits[i] >= 0:
            ax.plot([exits[i]], [traj.loss[exits[i], i]], "o", color=c, ms=8, mec="black")
    ax.axhline(level, color=plotting.PALETTE["grey"], ls="--", lw=1)
    ax.set_xlim(0, traj.num_steps)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("flat for hundreds of steps, then a cliff")
    ax.legend(frameon=False, loc="center")
    return fig, axes


# --------------------------------------------------------------------------- exercises

def check_largest_lr(answer) -> Feedback:
    """Exercise 1: the largest constant lr that converges on ``quadratic([1.0, 8.0])``."""
    return check_number_answer(answer, 0.25, rtol=0.02, at_most=0.25,
                               beyond="there |1 − lr·8| > 1 and the steep direction grows every step",
                               hint="Only the steepest direction matters for stability: the error along it is "
                                    "multiplied by 1 − lr·8 each step. When does that factor reach −1?",
                               right="0.25 = 2/L with L = 8. Just below it the steep direction zig-zags but "
                                     "shrinks; above it, it grows.")


def check_regime(answer) -> Feedback:
    """Exercise 2: the regime of lr = 0.3 on ``quadratic([5.0])``."""
    return check_choice(answer, "oscillating", choices=diagnostics.REGIMES,
                        hint="Compute ηλ = 0.3 × 5 and the factor 1 − ηλ. Is it below 1 in size? Is it negative?",
                        right="Yes: ηλ = 1.5, so the error is multiplied by −0.5 per step: it flips sign "
                              "and halves.")


def check_flat_steps(answer) -> Feedback:
    """Exercise 3: steps at lr = 1 on the bowl (1/50, 1) until the flat direction's error is 1e-3 of its start."""
    expected = float(np.ceil(np.log(1e-3) / np.log(1 - 1.0 / 50)))
    return check_number_answer(answer, expected, rtol=0.03,
                               hint="Along the flat direction the factor per step is 1 − lr/κ = 0.98. "
                                    "Solve 0.98ᵗ = 0.001 for t (take logarithms).",
                               right=f"{expected:.0f} steps: 0.98ᵗ ≤ 0.001 needs t ≥ ln(1000)/(−ln 0.98). "
                                     "The flat direction sets the pace; the steep one sets the limit.")
