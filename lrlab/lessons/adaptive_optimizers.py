r"""Lesson 06, adaptive optimizers: the explorer, the effective steps, AdamW, the race, the checks.

Everything the notebook ``06_adaptive_optimizers`` computes that is specific to it:

* the optimizer explorer (an :class:`lrlab.explorer.Explorer` with a choice of
  optimizer, GD, Adagrad, RMSprop or Adam, on the aligned or the rotated bowl);
* :func:`record_effective_steps`, which runs an adaptive stepper (``lrlab.run(...,
  record_state=True)``) and reads the per-coordinate effective step
  :math:`\eta/(\sqrt{\hat v}+\epsilon)` out of its state after every step;
* Adam + L2 against AdamW on three weights;
* :func:`race`, which tunes each optimizer's lr on one shared grid and compares
  the tuned runs;
* the exercise checks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import diagnostics, losses, plotting, steppers, theory
from ..exercises import Feedback, check_choice, check_number_answer
from ..loop import run
from ..panels import Problem
from ..explorer import Choice, Explorer, problem_stats
from ..widgets import theory_text

__all__ = ["BOWL", "X0", "rotated_bowl", "OPTIMIZERS", "BOWLS", "OPTIMIZER_PRESETS", "optimizer_problem",
           "optimizer_explorer", "effective_step", "record_effective_steps",
           "plot_effective_steps", "RACE_STEPPERS", "RACE_LRS", "RACE_STEPS", "RACE_TOL",
           "RACE_COLORS", "RaceResult", "steps_to_stay_below", "longest_run", "race", "good_lr_window",
           "window_decades", "first_diverging_lr", "plot_race", "race_table",
           "DECAY_LOSS", "DECAY_X0", "DECAY_LR", "weight_decay_run", "decay_per_step",
           "plot_weight_decay", "continue_race", "plot_continuation", "adam_second_step", "check_adam_second_step", "check_turned_bowl",
           "check_adamw_half_life"]

# --------------------------------------------------------------------------- the bowl of the lesson (lesson 05's)

BOWL_CURVATURES = (1.0, 81.0)
X0 = (-1.0, 0.8)
BOWL = losses.quadratic(list(BOWL_CURVATURES))        # f(w) = ½ (1·w₁² + 81·w₂²), condition number 81


def rotated_bowl(angle_deg: float = 30.0, bounds=None) -> losses.Quadratic:
    """The same bowl turned by ``angle_deg``: identical eigenvalues, eigenvectors off the axes."""
    a = math.radians(angle_deg)
    R = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    A = R @ np.diag(BOWL_CURVATURES) @ R.T
    return losses.quadratic((A + A.T) / 2, bounds=bounds)


# --------------------------------------------------------------------------- the optimizer explorer

#: the explorer's optimizers, torch's defaults (GD is plain SGD)
OPTIMIZERS = {"GD": steppers.sgd(), "Adagrad": steppers.adagrad(), "RMSprop": steppers.rmsprop(),
              "Adam": steppers.adam()}
#: the explorer's two bowls: the same eigenvalues, the valley along the axes or turned by 30°
BOWLS = ("aligned", "rotated 30°")
VIEW = [[-1.6, 1.6], [-1.6, 1.6]]

OPTIMIZER_PRESETS = {
    "GD, best lr": {"optimizer": "GD", "lr": 2.0 / 82.0},
    "GD past 2/L": {"optimizer": "GD", "lr": 0.03},
    "Adagrad, aligned": {"optimizer": "Adagrad", "lr": 0.5},
    "Adagrad, rotated": {"optimizer": "Adagrad", "lr": 0.5, "bowl": "rotated 30°"},
    "Adam": {"optimizer": "Adam", "lr": 0.05},
    "Adam, lr too small": {"optimizer": "Adam", "lr": 0.002},
}


def optimizer_problem(optimizer: str = "Adam", bowl: str = "aligned", num_steps: int = 200):
    """The optimizer explorer's scene: ``optimizer`` (torch's defaults) on the aligned or the rotated bowl."""
    loss = (losses.quadratic(list(BOWL_CURVATURES), bounds=VIEW) if bowl == "aligned"
            else rotated_bowl(30.0, bounds=VIEW))
    return Problem(loss=loss, x0=np.array(X0), num_steps=num_steps, stepper=OPTIMIZERS[optimizer],
                   title=f"{optimizer}, {bowl} bowl")


def _optimizer_theory(view) -> str:
    if view.controls["optimizer"] == "GD":
        return theory_text(view.scene.loss)
    crit = theory.critical_lr(view.scene.loss)
    return (f'<span class="lrlab-theory">GD\'s limit 2/L = {crit:.3g} does not bind '
            f'{view.controls["optimizer"]}: its step is lr/(√v̂ + ε), one per coordinate</span>')


def _optimizer_stats(view) -> list:
    parts = problem_stats(view)
    return parts if view.controls["optimizer"] == "GD" else [p for p in parts if not p.startswith("lr·L")]


def optimizer_explorer(lr: float = 0.05, optimizer: str = "Adam", bowl: str = "aligned"):
    """An lr slider, a choice of optimizer (GD, Adagrad, RMSprop, Adam) and of bowl (aligned or rotated):
    the path, the loss and every lr's final loss for the chosen optimizer."""
    controls = {"optimizer": Choice(tuple(OPTIMIZERS), description="optimizer", style="toggle"
                                    ).with_value("optimizer", optimizer),
                "bowl": Choice(BOWLS, description="bowl", style="toggle").with_value("bowl", bowl)}
    return Explorer(optimizer_problem, lr=lr, lr_range=(1e-3, 3.0), controls=controls,
                    presets=OPTIMIZER_PRESETS, panels=("path", "loss", "map"), theory=_optimizer_theory,
                    stats=_optimizer_stats, width=13.5, height=4.0)


# --------------------------------------------------------------------------- effective step per coordinate

def effective_step(stepper, state, lr: float) -> np.ndarray:
    r"""The per-coordinate step size an adaptive stepper's state implies, :math:`\eta/(\sqrt{\hat v}+\epsilon)`.

    * Adagrad: :math:`\hat v = S_t` (the running sum of squared gradients);
    * RMSprop: :math:`\hat v = v_t` (the running mean of squared gradients);
    * Adam: :math:`\hat v = v_t/(1-\beta_2^t)` (bias-corrected), the step being
      taken along the bias-corrected momentum :math:`m_t/(1-\beta_1^t)`;
    * SGD: the lr itself, the same for every coordinate.
    """
    hp = stepper.hyperparams
    if isinstance(state, steppers.AdagradState):
        return lr / (np.sqrt(state.sum) + hp["eps"])
    if isinstance(state, steppers.RMSpropState):
        return lr / (np.sqrt(state.square_avg) + hp["eps"])
    if isinstance(state, steppers.AdamState):
        beta2 = hp["betas"][1]
        v_hat = state.exp_avg_sq / (1.0 - beta2 ** state.step)
        return lr / (np.sqrt(v_hat) + hp["eps"])
    if isinstance(state, steppers.SGDState):
        return np.full(np.shape(state.momentum_buffer) if state.momentum_buffer is not None else (1,), float(lr))
    raise TypeError(f"no effective step known for a state of type {type(state).__name__}")


@dataclass(frozen=True)
class EffectiveStepRecord:
    """A run recorded by hand: ``params`` (T+1, d), ``effective`` (T, d) and the stepper's name."""

    params: np.ndarray
    effective: np.ndarray
    name: str
    lr: float


def record_effective_steps(loss, stepper, x0, lr: float, num_steps: int) -> EffectiveStepRecord:
    """``lrlab.run`` with ``record_state=True``, reading the effective step from the state after every step."""
    traj = run(loss=loss, stepper=stepper, x0=x0, lr=lr, num_steps=num_steps, record_state=True)
    eff = [effective_step(stepper, state, lr) for state in traj.state]
    return EffectiveStepRecord(traj.params, np.array(eff), stepper.name.split("(")[0], float(lr))


NICE_NAMES = {"adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "sgd": "SGD"}


def _frozen_step_wall(name: str, beta1: float = 0.9):
    """(c, label): with its effective step s frozen, a coordinate of curvature λ is stable while s·λ < c.

    Without momentum (Adagrad, RMSprop) c = 2. Adam's step is s·m̂ with m an average of gradients (β₁): that
    is heavy ball with lr s(1 − β₁) and momentum β₁, whose wall s(1 − β₁)λ = 2(1 + β₁) gives
    c = 2(1 + β₁)/(1 − β₁), 38 for β₁ = 0.9.
    """
    if name == "adam":
        return 2 * (1 + beta1) / (1 - beta1), "38/λ"
    return 2.0, "2/λ"


@plotting.styled
def plot_effective_steps(records, loss):
    """Top row: each coordinate's effective step against step, with its own limit (dotted): 2/λᵢ, or for
    Adam, whose momentum moves it, 38/λᵢ (see :func:`_frozen_step_wall`).
    Bottom row: each coordinate's distance to the minimum. Returns ``(fig, axes)``."""
    c = plotting.PALETTE
    curv = np.diag(loss.hessian())
    n = len(records)
    fig, axes = plotting.figure(2, n, width=min(3.0 * n, 9.0), height=6.6, squeeze=False)
    names = {0: f"flat direction w₁ (λ = {curv[0]:g})", 1: f"steep direction w₂ (λ = {curv[1]:g})"}
    colors = {0: c["blue"], 1: c["vermillion"]}
    for j, rec in enumerate(records):
        ax, bx = axes[0, j], axes[1, j]
        steps = np.arange(1, rec.effective.shape[0] + 1)
        wall, wall_name = _frozen_step_wall(rec.name)
        for i in (0, 1):
            ax.plot(steps, rec.effective[:, i], color=colors[i], label=names[i])
            ax.axhline(wall / curv[i], color=colors[i], ls=":", lw=1.8)
            ax.text(steps[-1], wall / curv[i], f"{wall_name} = {wall / curv[i]:.3g}", color=colors[i], ha="right",
                    va="bottom", fontsize="x-small", fontweight="bold")
            dist = np.abs(rec.params[:, i] - loss.minimizer[i])
            bx.plot(np.arange(dist.size), np.where(dist > 0, dist, np.nan), color=colors[i])
        ax.set_yscale("log")
        ax.set_ylim(3e-4, 150)
        ax.set_title(f"{NICE_NAMES.get(rec.name, rec.name)}, lr = {rec.lr:g}", fontsize="medium")
        ax.set_xlabel("step")
        ax.set_ylabel("effective step  lr/(√v̂ + ε)" if j == 0 else "")
        bx.set_yscale("log")
        bx.set_ylim(1e-12, 3)
        bx.set_title("distance to the minimum", fontsize="medium")
        bx.set_xlabel("step")
        bx.set_ylabel("|wᵢ − wᵢ*|" if j == 0 else "")
    fig.legend(axes[0, 0].lines[:3:2], [names[0], names[1]], loc="outside lower center", ncols=2, frameon=False,
               fontsize="small")
    return fig, axes


# --------------------------------------------------------------------------- AdamW: decoupled weight decay

# three weights: a steep one (curvature 100) and a flat one (curvature 1), both pulled to 1 by the loss, and one
# the loss does not touch (curvature 0) that starts at 1: only the weight decay moves it
DECAY_LOSS = losses.quadratic([100.0, 1.0, 0.0], center=[1.0, 1.0, 0.0])
DECAY_X0 = (0.0, 0.0, 1.0)
DECAY_LR = 0.01
DECAY_NAMES = ("steep w₁ (λ = 100)", "flat w₂ (λ = 1)", "untouched w₃ (λ = 0)")


def weight_decay_run(weight_decay: float, decoupled: bool, *, lr: float = DECAY_LR, num_steps: int = 500):
    """Adam with L2 (torch ``Adam(weight_decay=...)``) or AdamW on :data:`DECAY_LOSS`, the state recorded."""
    stepper = steppers.adamw(weight_decay=weight_decay) if decoupled else steppers.adam(weight_decay=weight_decay)
    return run(loss=DECAY_LOSS, stepper=stepper, x0=np.array(DECAY_X0), lr=lr, num_steps=num_steps,
               record_state=True)


def decay_per_step(traj, lr: float, weight_decay: float, decoupled: bool, *, beta2: float = 0.999,
                   eps: float = 1e-8) -> np.ndarray:
    r"""The fraction of each weight that the decay removes per step, shape ``(T, d)``.

    AdamW: :math:`\eta\lambda_{wd}`, the same for every weight at every step. Adam with L2: the decay
    term :math:`\lambda_{wd} w` is added to the gradient and so divided by :math:`\sqrt{\hat v}+\epsilon`
    with everything else: :math:`\eta\lambda_{wd}/(\sqrt{\hat v_i}+\epsilon)`, one value per weight.
    """
    if decoupled:
        return np.full((traj.num_steps, traj.params.shape[-1]), lr * weight_decay)
    v_hat = np.array([s.exp_avg_sq / (1.0 - beta2 ** s.step) for s in traj.state])
    return lr * weight_decay / (np.sqrt(v_hat) + eps)


@plotting.styled
def plot_weight_decay(runs: dict, *, lr: float = DECAY_LR):
    """Three panels from ``{(weight_decay, decoupled): traj}``: the decay per step of each weight (largest
    weight decay), the two weights the loss pulls to 1, and the untouched weight for every weight decay.
    Returns ``(fig, axes)``."""
    c = plotting.PALETTE
    wds = sorted({wd for wd, _ in runs})
    wd = wds[-1]
    fig, axes = plotting.figure(1, 3, width=9.5, height=5.4)
    ax, bx, cx = axes
    coupled, decoupled = runs[(wd, False)], runs[(wd, True)]
    colors = (c["blue"], c["green"], c["purple"])
    d_l2 = decay_per_step(coupled, lr, wd, False)
    steps = np.arange(1, coupled.num_steps + 1)
    for i, name in enumerate(DECAY_NAMES):
        ax.plot(steps, d_l2[:, i], color=colors[i], label=f"Adam + L2, {name}")
    ax.axhline(lr * wd, color="black", ls="--", lw=2.2, label="AdamW, every weight: lr·wd")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("fraction of the weight decayed per step")
    ax.set_title(f"decay per step (wd = {wd:g})", fontsize="medium")
    ax.set_ylim(5e-6, 1)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize="x-small", frameon=False, handlelength=1.6)
    t = np.arange(coupled.num_steps + 1)
    for i in (0, 1):
        bx.plot(t, coupled.params[:, i], color=colors[i], label=f"Adam + L2, {DECAY_NAMES[i]}")
        target = DECAY_LOSS.eigenvalues[::-1][i] / (DECAY_LOSS.eigenvalues[::-1][i] + wd)
        bx.axhline(target, color=colors[i], ls=":", lw=1.5)
    bx.plot(t, decoupled.params[:, 0], color="black", ls="--", lw=2.2, label="AdamW, w₁ and w₂ (one curve)")
    bx.set_ylim(0.79, 1.02)
    bx.set_xlabel("step")
    bx.set_ylabel("weight (the loss wants 1)")
    bx.set_title("w₁ and w₂", fontsize="medium")
    bx.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize="x-small", frameon=False, handlelength=1.6)
    styles = {False: ("-", (c["blue"], c["sky"])), True: ("--", ("black", c["purple"]))}
    for dec in (False, True):
        ls, cols = styles[dec]
        for k, w in enumerate(wds):
            lw = 4.0 if (not dec and k == 0) else 2.0
            cx.plot(t, runs[(w, dec)].params[:, 2], ls=ls, color=cols[k], lw=lw,
                    label=f"{'AdamW' if dec else 'Adam + L2'}, wd = {w:g}")
    cx.set_ylim(-0.05, 1.05)
    cx.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    cx.set_xlabel("step")
    cx.set_ylabel("untouched weight w₃")
    cx.set_title("untouched w₃", fontsize="medium")
    cx.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize="x-small", frameon=False, handlelength=1.6)
    return fig, axes


# --------------------------------------------------------------------------- the race

RACE_STEPPERS = {
    "GD": steppers.sgd(),
    "heavy ball β=0.9": steppers.sgd(momentum=0.9),
    "Adagrad": steppers.adagrad(),
    "RMSprop": steppers.rmsprop(),
    "Adam": steppers.adam(),
}
RACE_LRS = np.geomspace(1e-4, 10.0, 241)  # the same 241 candidate lrs for every optimizer: 48 a decade, 5% apart
RACE_STEPS = 1000                          # the same number of steps for every run
RACE_TOL = 1e-8                            # finish line: loss gap <= RACE_TOL * initial gap
RACE_COLORS = {"GD": "black", "heavy ball β=0.9": "orange", "Adagrad": "green", "RMSprop": "purple", "Adam": "blue"}


@dataclass(frozen=True)
class RaceResult:
    """The race on one problem: per optimizer, every lr's outcome, its good window and its tuned run."""

    problem: str
    loss: object
    lrs: np.ndarray
    final: dict          # name -> (len(lrs),) loss gap after RACE_STEPS steps (inf if diverged)
    steps: dict          # name -> (len(lrs),) steps to the finish line (-1 if never)
    window: dict         # name -> (lo, hi) indices into lrs of the good window (None if no lr finishes)
    best_lr: dict        # name -> tuned lr (the fastest in the good window)
    best_steps: dict     # name -> steps to the finish line with the tuned lr (-1 if never)
    best_final: dict     # name -> final loss gap with the tuned lr
    curves: dict         # name -> (RACE_STEPS + 1,) loss gap of the tuned run
    winner: str


def steps_to_stay_below(gap, tol: float) -> np.ndarray:
    """First step from which the loss gap stays at most ``tol`` times the initial gap to the end (-1: never).

    A run that dips below the line and bounces back up has not finished.
    """
    return np.asarray(diagnostics.first_step_below(gap, tol, stay=True, relative_to_start=True))


def longest_run(ok) -> tuple[int, int] | None:
    """``(i, j)``: the first and last index of the longest run of consecutive True values (None if none)."""
    ok = np.asarray(ok, dtype=bool)
    if not ok.any():
        return None
    edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1
    k = int(np.argmax(ends - starts))          # the first of the longest
    return int(starts[k]), int(ends[k])


def _tune(final, steps):
    """Index of the tuned lr and the good window ``(i, j)`` (or None).

    The good window is the longest run of neighbouring grid lrs that all reach the finish line within the
    budget; an isolated lr that finishes outside it (on a chaotic landscape, by luck) is not a tuning
    result. The tuned lr is the fastest in the window (ties: lowest final gap); if no lr finishes, the one
    with the lowest final gap.
    """
    win = longest_run(steps >= 0)
    if win is not None:
        i, j = win
        s = steps[i:j + 1]
        best = i + np.nonzero(s == s.min())[0]
        return int(best[np.argmin(final[best])]), win
    f = np.where(np.isfinite(final), final, np.inf)
    return int(np.argmin(f)), None


def race(problem: str, loss, x0, *, stepper_set=None, lrs=None, num_steps: int = RACE_STEPS,
         tol: float = RACE_TOL) -> RaceResult:
    """Tune every optimizer on the same lr grid with the same budget (one vectorized run each)."""
    stepper_set = RACE_STEPPERS if stepper_set is None else stepper_set
    lrs = RACE_LRS if lrs is None else np.asarray(lrs, dtype=float)
    final, steps, window, best_lr, best_steps, best_final, curves = {}, {}, {}, {}, {}, {}, {}
    for name, stepper in stepper_set.items():
        traj = run(loss=loss, stepper=stepper, x0=x0, lr=lrs, num_steps=num_steps)
        g = plotting.gap(traj)
        final[name] = g[-1]
        steps[name] = steps_to_stay_below(g, tol)
        i, window[name] = _tune(final[name], steps[name])
        best_lr[name] = float(lrs[i])
        best_steps[name] = int(steps[name][i])
        best_final[name] = float(final[name][i])
        curves[name] = g[:, i]

    def key(name):
        s = best_steps[name]
        return (0, s, best_final[name]) if s >= 0 else (1, 0, best_final[name])

    winner = min(stepper_set, key=key)
    return RaceResult(problem, loss, lrs, final, steps, window, best_lr, best_steps, best_final, curves, winner)


def good_lr_window(result: RaceResult, name: str):
    """``(lo, hi)``: the smallest and largest lr of ``name``'s good window (None if no lr finishes).

    The window is the longest run of neighbouring grid lrs that all reach the finish line within the budget.
    """
    w = result.window[name]
    return None if w is None else (float(result.lrs[w[0]]), float(result.lrs[w[1]]))


def window_decades(result: RaceResult, name: str) -> float:
    """The width of ``name``'s good window in decades, log10(hi/lo) (0.0 if no lr finishes)."""
    w = good_lr_window(result, name)
    return 0.0 if w is None else float(np.log10(w[1] / w[0]))


def first_diverging_lr(result: RaceResult, name: str):
    """The smallest grid lr at which ``name`` diverges (None if none does)."""
    bad = ~np.isfinite(result.final[name])
    return float(result.lrs[bad][0]) if bad.any() else None


def race_table(result: RaceResult) -> str:
    """A fixed-width text table: per optimizer its speed (tuned lr, steps) beside its robustness (good window)."""
    lines = [f"{result.problem}: {len(result.lrs)} lrs from {result.lrs[0]:.0e} to {result.lrs[-1]:.0e}, "
             f"{RACE_STEPS} steps each",
             f"{'optimizer':<18}{'tuned lr':>10}{'steps to 1e-8':>15}{'good window (finish in budget)':>33}"
             f"{'decades':>9}{'diverges from':>15}"]
    for name in result.best_lr:
        s = result.best_steps[name]
        win = good_lr_window(result, name)
        span = f"{win[0]:.3g} to {win[1]:.3g}" if win else "-"
        div = first_diverging_lr(result, name)
        lines.append(f"{name:<18}{result.best_lr[name]:>10.3g}{(str(s) if s >= 0 else 'never'):>15}"
                     f"{span:>33}{window_decades(result, name):>9.2f}{(f'{div:.3g}' if div else '-'):>15}")
    lines.append(f"winner: {result.winner}")
    return "\n".join(lines)


@plotting.styled
def plot_race(results, titles=None, *, width: float = 9.0):
    """One row per problem. Left: steps to the finish line against lr, one curve per optimizer
    (gaps: lrs that never finish; ticks at the top: lrs that diverge; dot: the tuned lr), and under it,
    in an axes of its own, each optimizer's good window as a bar. Right: the tuned runs' loss gap
    against step. ``titles``: one per row for the left panels (default: the problem's name).
    Returns ``(fig, axes)``, ``axes[r] = (steps, windows, tuned runs)``."""
    names = list(results[0].best_lr)
    colors = {n: plotting.PALETTE[RACE_COLORS.get(n, "grey")] for n in names}
    n_rows = len(results)
    fig, _ = plotting.figure(1, 1, width=width, height=4.3 * n_rows + 0.5)
    fig.clear()
    gs = fig.add_gridspec(2 * n_rows, 2, height_ratios=[3.0, 1.25] * n_rows, width_ratios=[1.15, 1.0])
    axes = []
    floor = 1e-24
    for r, res in enumerate(results):
        ax = fig.add_subplot(gs[2 * r, 0])
        wx = fig.add_subplot(gs[2 * r + 1, 0], sharex=ax)
        bx = fig.add_subplot(gs[2 * r:2 * r + 2, 1])
        axes.append((ax, wx, bx))
        top = 1.6 * RACE_STEPS
        for k, name in enumerate(names):
            s = res.steps[name].astype(float)
            ax.plot(res.lrs, np.where(s >= 0, np.maximum(s, 1), np.nan), "-", color=colors[name], lw=2,
                    marker=".", ms=3, label=name)
            bad = ~np.isfinite(res.final[name])
            if bad.any():
                ax.plot(res.lrs[bad], np.full(bad.sum(), top * 1.3 ** k), "|", color=colors[name], ms=5, mew=1.2)
            win = good_lr_window(res, name)
            if win is not None:
                wx.plot(win, [k, k], color=colors[name], lw=6, solid_capstyle="butt")
            if res.best_steps[name] >= 0:
                ax.plot([res.best_lr[name]], [max(res.best_steps[name], 1)], "o", color=colors[name],
                        mec="white" if colors[name] == plotting.PALETTE["black"] else "black", ms=8, zorder=5)
            g = res.curves[name]
            bx.plot(np.arange(g.size), np.where(np.isfinite(g) & (g > 0), np.maximum(g, floor), floor),
                    color=colors[name], lw=1.6)
        g0 = res.curves[names[0]][0]
        ax.axhline(RACE_STEPS, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
        ax.text(res.lrs[0], RACE_STEPS, " budget", va="top", fontsize="small", color=plotting.PALETTE["grey"])
        ax.text(res.lrs[-1], top * 1.3 ** len(names), "diverged ", ha="right", va="bottom", fontsize="small")
        ax.set_xscale("log"); ax.set_yscale("log")
        ax.set_xlim(res.lrs[0] / 1.5, res.lrs[-1] * 1.5)
        ax.set_ylim(0.7, top * 1.3 ** len(names) * 1.8)
        ax.set_ylabel("steps to finish")
        ax.tick_params(labelbottom=False)
        ax.set_title(titles[r] if titles else f"{res.problem}: every lr on the grid", fontsize="medium")
        wx.set_ylim(len(names) - 0.4, -0.6)
        wx.set_yticks(range(len(names)), ["heavy ball" if n.startswith("heavy") else n for n in names],
                      fontsize="x-small")
        for lab, name in zip(wx.get_yticklabels(), names):
            lab.set_color(colors[name])
        wx.grid(False, axis="y")
        wx.set_xlabel(f"learning rate ({len(res.lrs)} candidates, 5% apart)")
        wx.set_title("good windows", fontsize="small", loc="left")
        bx.axhline(RACE_TOL * g0, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
        bx.text(RACE_STEPS, RACE_TOL * g0, "finish line ", ha="right", va="bottom", fontsize="small",
                color=plotting.PALETTE["grey"])
        bx.set_yscale("log")
        bx.set_ylim(floor, max(30 * g0, 1.0))
        bx.set_xlim(0, RACE_STEPS)
        bx.set_xlabel("step")
        bx.set_ylabel("loss − min")
        bx.set_title(f"{res.problem}: the tuned runs", fontsize="medium")
    handles = [ln for ln in axes[0][0].lines if ln.get_label() in names]
    fig.legend(handles, names, loc="outside upper center", ncols=len(names), frameon=False, fontsize="small",
               columnspacing=1.0, handlelength=1.5)
    return fig, np.array(axes, dtype=object)


# --------------------------------------------------------------------------- after the race: a constant lr

def continue_race(result: RaceResult, x0, *, num_steps: int = 4 * RACE_STEPS, tol: float = RACE_TOL) -> dict:
    """Every optimizer's good window run on past the race's budget, to ``num_steps``, with the same constant lr.

    Returns ``{name: (curve, leaves)}``: ``curve`` the tuned lr's loss gap, shape ``(num_steps + 1,)``;
    ``leaves`` one bool per lr of the good window: does the gap climb back above ``tol`` times the initial
    gap after the race's budget? (No entry for an optimizer without a good window.)
    """
    out = {}
    for name, stepper in RACE_STEPPERS.items():
        w = result.window.get(name)
        if w is None:
            continue
        lrs = result.lrs[w[0]:w[1] + 1]
        g = plotting.gap(run(loss=result.loss, stepper=stepper, x0=x0, lr=lrs, num_steps=num_steps))
        rel = g / g[0]
        tail = rel[RACE_STEPS:]
        leaves = ~np.all(np.isfinite(tail) & (tail <= tol), axis=0)
        k = int(np.nonzero(lrs == result.best_lr[name])[0][0])
        out[name] = (g[:, k], leaves)
    return out


@plotting.styled
def plot_continuation(results, continued, names=("heavy ball β=0.9", "RMSprop", "Adam"), *, width: float = 9.0):
    """One panel per problem: the tuned runs of ``names`` continued past the race's budget (dotted line),
    loss gap against step. Returns ``(fig, axes)``."""
    fig, axes = plotting.figure(1, len(results), width=width, height=3.6, squeeze=False)
    floor = 1e-24
    for ax, res, cont in zip(axes[0], results, continued):
        g0 = res.curves[next(iter(res.curves))][0]
        for name in names:
            if name not in cont:
                continue
            g = cont[name][0]
            ax.plot(np.arange(g.size), np.where(np.isfinite(g) & (g > 0), np.maximum(g, floor), floor),
                    color=plotting.PALETTE[RACE_COLORS[name]], lw=1.4,
                    label="heavy ball" if name.startswith("heavy") else name)
        ax.axhline(RACE_TOL * g0, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
        ax.axvline(RACE_STEPS, color="black", ls=":", lw=1.2)
        ax.text(RACE_STEPS, 30 * g0, " end of the race", fontsize="x-small", va="top")
        ax.set_yscale("log")
        ax.set_ylim(floor, max(30 * g0, 1.0))
        ax.set_xlim(0, g.size - 1)
        ax.set_xlabel("step")
        ax.set_ylabel("loss − min" if ax is axes[0, 0] else "")
        ax.set_title(res.problem, fontsize="medium")
    seen = {}
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    order = [lab for lab in ("heavy ball" if n.startswith("heavy") else n for n in names) if lab in seen]
    fig.legend([seen[lab] for lab in order], order, loc="outside lower center", ncols=len(order), frameon=False,
               fontsize="small")
    return fig, axes[0]


# --------------------------------------------------------------------------- exercises

def adam_second_step(lr: float = 0.05, g1=(300.0, -0.002), g2=(-300.0, -0.002)) -> np.ndarray:
    """How far each coordinate moves in Adam's second step (torch's defaults) after gradients ``g1``, ``g2``."""
    adam = steppers.adam()
    x0 = np.zeros(len(g1))
    x1, state = adam.update(np.asarray(g1, dtype=float), adam.init(x0), x0, lr)
    x2, _ = adam.update(np.asarray(g2, dtype=float), state, x1, lr)
    return np.abs(x2 - x1)


def check_adam_second_step(answer) -> Feedback:
    """Adam, lr = 0.05: gradient (300, -0.002), then (-300, -0.002). How far does coordinate 1 move at step 2?"""
    if not isinstance(answer, bool):
        try:
            answer = abs(float(answer))       # a distance: the signed move is accepted too
        except (TypeError, ValueError):
            pass
    return check_number_answer(answer, float(adam_second_step()[0]), rtol=0.02,
                               hint="Write m and v after each of the two steps (β₁ = 0.9, β₂ = 0.999, both start "
                                    "at 0), then the bias corrections 1 − β₁² and 1 − β₂². The flip shows up in m, "
                                    "not in v.")


def check_turned_bowl(answer) -> Feedback:
    """Adagrad on the bowl turned by 90°: 'fast' (as on the aligned bowl) or 'slow' (as turned by 30°)?"""
    return check_choice(answer, "fast", choices=["fast", "slow"],
                        hint="Draw the bowl's steep and flat directions after a turn of 90°. Where do they point, "
                             "compared with the coordinate axes?",
                        right="Yes: a quarter turn swaps the axes, so the steep and the flat direction are the "
                              "coordinate axes again and each coordinate gets its own curvature's step.")


def check_adamw_half_life(answer) -> Feedback:
    """Steps until AdamW (lr = 1e-3, weight_decay = 1e-2, torch's defaults) halves a weight the loss does not touch."""
    return check_number_answer(answer, math.log(0.5) / math.log(1 - 1e-3 * 1e-2), rtol=0.02,
                               hint="The loss does not touch that weight, so only the decay acts on it. "
                                    "What does AdamW do to every weight at every step?")


