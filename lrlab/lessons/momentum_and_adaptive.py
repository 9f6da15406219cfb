r"""Lesson 05, momentum and adaptive optimizers: set-ups, the effective steps, figures, checks.

Everything the notebook ``05_momentum_and_adaptive`` computes that is specific to it:

* the heavy-ball explorer (an :class:`lrlab.explorer.Explorer` with a momentum
  control and a live map of the convergence rate over the (lr, momentum) plane);
* :func:`record_effective_steps`, which runs an adaptive stepper (``lrlab.run(...,
  record_state=True)``) and reads the per-coordinate effective step
  :math:`\eta/(\sqrt{\hat v}+\epsilon)` out of its state after every step;
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
from ..panels import Panel, Problem

__all__ = ["BOWL", "BOWL_TALL", "EXERCISE_BOWL", "X0", "bowl", "heavy_ball_problem", "momentum_explorer", "MOMENTUM_PRESETS",
           "steps_to_distance", "rate_map", "plot_rate_map", "effective_step", "record_effective_steps",
           "plot_effective_steps", "rotated_bowl", "RACE_STEPPERS", "RACE_LRS", "RACE_STEPS", "RACE_TOL",
           "RaceResult", "steps_to_stay_below", "race", "good_lr_window", "plot_distance", "plot_race", "race_table",
           "check_heavy_ball_limit", "check_polyak_momentum", "check_adam_first_step", "check_race_question"]

# --------------------------------------------------------------------------- the bowl of the lesson

BOWL_CURVATURES = (1.0, 81.0)
X0 = (-1.0, 0.8)


def bowl() -> losses.Quadratic:
    r"""The lesson's quadratic: curvatures 1 and 81 along the axes (condition number 81).

    Chosen so that Polyak's optimum is round: :math:`\eta^* = 4/(\sqrt{81}+1)^2 = 0.04`,
    :math:`\beta^* = (8/10)^2 = 0.64`, rate :math:`\sqrt{\beta^*} = 0.8` per step.
    """
    return losses.quadratic(list(BOWL_CURVATURES))


BOWL = bowl()
# the same bowl with a taller window, for the explorer: heavy ball's first steps overshoot in w2
BOWL_TALL = losses.quadratic(list(BOWL_CURVATURES), bounds=[[-1.6, 1.6], [-3.0, 3.0]])


def rotated_bowl(angle_deg: float = 30.0) -> losses.Quadratic:
    """The same bowl turned by ``angle_deg``: identical eigenvalues, eigenvectors off the axes."""
    a = math.radians(angle_deg)
    R = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    A = R @ np.diag(BOWL_CURVATURES) @ R.T
    return losses.quadratic((A + A.T) / 2)


# --------------------------------------------------------------------------- heavy ball explorer

MOMENTUM_PRESETS = {
    "too small": {"momentum": 0.0, "lr": 1e-4},
    "GD, best lr": {"momentum": 0.0, "lr": 2.0 / 82.0},
    "GD diverging": {"momentum": 0.0, "lr": 0.03},
    "Polyak": {"momentum": 0.64, "lr": 0.04},
    "past 2/L, saved by β": {"momentum": 0.9, "lr": 0.04},
    "diverging": {"momentum": 0.9, "lr": 0.05},
}


def heavy_ball_problem(momentum: float = 0.0, num_steps: int = 100):
    """The explorer's problem for one momentum: SGD(momentum) on the bowl, theory marks at 2(1+β)/L."""
    beta = float(momentum)
    return Problem(loss=BOWL_TALL, x0=np.array(X0), num_steps=num_steps, stepper=steppers.sgd(momentum=beta),
                   title=f"heavy ball, β = {beta:.2f}")


def rate_map(loss, lrs, betas) -> np.ndarray:
    """Convergence rate (spectral radius) of heavy ball on ``loss`` for every (β, lr): shape (len(betas), len(lrs))."""
    return np.stack([theory.convergence_rate(loss, lrs, momentum=float(b)) for b in betas])


@plotting.styled
def plot_rate_map(loss, ax=None, *, lr_range=(1e-4, 0.1), beta_max: float = 0.95, num: int = 220,
                  colorbar: bool = True, live: bool = False):
    r"""The (lr, β) plane of heavy ball on a quadratic, coloured by the steps it needs per decade.

    Colour: :math:`\ln 10 / (-\ln\rho)`, the number of steps that divide the error by
    10 (:math:`\rho` = :func:`lrlab.theory.convergence_rate`); grey where :math:`\rho \ge 1`.
    Marks the stability edge :math:`\eta = 2(1+\beta)/L`, GD's best lr (β = 0) and
    Polyak's optimum. Returns ``{'mesh', 'marker', 'edge'}`` (the marker is empty,
    for a widget to move; ``live`` adds it to the legend).
    """
    import matplotlib as mpl

    if ax is None:
        _, ax = plotting.figure(width=5.4, height=4.2)
    lrs = np.geomspace(*lr_range, num)
    betas = np.linspace(0.0, beta_max, num // 2)
    rho = rate_map(loss, lrs, betas)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_decade = np.where(rho < 1, np.log(10.0) / -np.log(np.clip(rho, 1e-300, None)), np.nan)
    L = theory.eigenvalues(loss)[-1]
    c = plotting.PALETTE
    mesh = ax.pcolormesh(lrs, betas, per_decade, cmap="viridis_r", norm=mpl.colors.LogNorm(3, 3000),
                         shading="auto", rasterized=True)
    ax.pcolormesh(lrs, betas, np.where(rho >= 1, 1.0, np.nan), cmap=mpl.colors.ListedColormap([c["grey"]]),
                  shading="auto", rasterized=True, alpha=0.5)
    (edge,) = ax.plot(2 * (1 + betas) / L, betas, color=c["vermillion"], lw=2.5, label="edge: 2(1+β)/L")
    lr_gd = theory.optimal_lr(loss)
    lr_p, b_p = theory.optimal_momentum(loss)
    ax.plot([lr_gd], [0.0], "o", color=c["purple"], ms=10, mec="black", clip_on=False, zorder=5,
            label=f"GD's best (β = 0)")
    ax.plot([lr_p], [b_p], "*", color=c["sky"], ms=18, mec="black", zorder=5, label="Polyak's optimum")
    (marker,) = ax.plot([], [], "o", color="white", mec="black", mew=2, ms=11, zorder=6,
                        label="you" if live else None)
    ax.set_xscale("log")
    ax.set_xlim(*lr_range)
    ax.set_ylim(0, beta_max)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("momentum β")
    ax.grid(False)
    ax.text(0.98, 0.97, "diverges", transform=ax.transAxes, ha="right", va="top", fontweight="bold",
            color="black", bbox=dict(fc="white", ec="none", alpha=0.7, pad=1))
    ax.legend(loc="upper left", framealpha=0.85)
    if colorbar:
        cb = ax.figure.colorbar(mesh, ax=ax, pad=0.01)
        cb.set_label("steps to shrink the error 10×")
    return {"mesh": mesh, "marker": marker, "edge": edge}


class RatePanel(Panel):
    """The (lr, β) map of the convergence rate, the current setting as a marker, its rate written above."""

    name = "rate map"

    def draw(self, ax, view):
        a = plot_rate_map(view.scene.loss, ax, lr_range=view.lr_range, num=160, colorbar=False, live=True)
        # the live number sits where a title would be: a text artist (a title change would re-lay the figure
        # out and force a full redraw); on top of everything, so that nothing has to be redrawn over it
        a["info"] = ax.text(0.5, 1.015, "error × 0.000 per step", transform=ax.transAxes, ha="center",
                            va="bottom", fontweight="bold", fontsize=plotting.STYLE["axes.titlesize"], zorder=10)
        self.artists = a

    def update(self, view):
        # only artists' data and text change here (no titles, no limits), so the live canvas can blit
        p = view.scene
        self.artists["marker"].set_data([view.lr], [p.momentum])
        rho = theory.convergence_rate(p.loss, view.lr, p.momentum)
        self.artists["info"].set_text(f"error × {rho:.3f} per step" if rho < 1 else "error grows: diverges")


def momentum_explorer(lr: float = 0.01, momentum: float = 0.0):
    """The main widget: lr slider, momentum slider, path, loss and the (lr, β) rate map."""
    from ..explorer import Explorer, Slider
    beta = Slider(0.0, 0.0, 0.95, step=0.01, description="momentum β", readout_format=".2f",
                  continuous=True, width="360px").with_value("momentum", momentum)
    return Explorer(heavy_ball_problem, lr=lr, lr_range=(1e-4, 0.1), presets=MOMENTUM_PRESETS,
                    controls={"momentum": beta}, panels=("path", "loss", RatePanel()), width=13.5, height=4.0)


def steps_to_distance(traj, minimizer, tol: float) -> np.ndarray:
    """First step at which the distance to ``minimizer`` is at most ``tol`` times the initial distance (-1: never)."""
    d = np.sqrt(np.add.reduce((traj.params - np.asarray(minimizer)) ** 2, axis=-1))
    return np.asarray(diagnostics.first_step_below(d, tol, relative_to_start=True))


@plotting.styled
def plot_distance(runs: dict, minimizer, *, tol: float = 1e-6, xmax: int = 700, ax=None):
    """Distance to ``minimizer`` relative to the start, against step, for ``{label: traj}``; returns ``(fig, ax)``."""
    fig, ax = plotting.figure_or_ax(ax, width=7.0, height=3.6)
    colors = [plotting.PALETTE["blue"], plotting.PALETTE["orange"], plotting.PALETTE["green"]]
    for (label, tr), color in zip(runs.items(), colors):
        d = np.sqrt(np.add.reduce((tr.params - np.asarray(minimizer)) ** 2, axis=-1))
        ax.semilogy(np.arange(d.size), d / d[0], color=color, label=label)
    ax.axhline(tol, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
    ax.text(xmax, tol, f"{tol:g} ", ha="right", va="bottom", fontsize="small", color=plotting.PALETTE["grey"])
    ax.set_xlim(0, xmax)
    ax.set_ylim(1e-9, 10)
    ax.set_xlabel("step")
    ax.set_ylabel("distance to minimum / initial")
    ax.legend(frameon=False)
    return fig, ax


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


@plotting.styled
def plot_effective_steps(records, loss):
    """Top row: each coordinate's effective step against step, with its own limit 2/λᵢ (dotted).
    Bottom row: each coordinate's distance to the minimum. Returns ``(fig, axes)``."""
    c = plotting.PALETTE
    curv = np.diag(loss.hessian())
    n = len(records)
    fig, axes = plotting.figure(2, n, width=4.4 * n, height=7.4, squeeze=False)
    names = {0: f"flat direction w₁ (λ = {curv[0]:g})", 1: f"steep direction w₂ (λ = {curv[1]:g})"}
    colors = {0: c["blue"], 1: c["vermillion"]}
    for j, rec in enumerate(records):
        ax, bx = axes[0, j], axes[1, j]
        steps = np.arange(1, rec.effective.shape[0] + 1)
        for i in (0, 1):
            ax.plot(steps, rec.effective[:, i], color=colors[i], label=names[i])
            ax.axhline(2 / curv[i], color=colors[i], ls=":", lw=1.8)
            ax.text(steps[-1], 2 / curv[i], f"limit 2/λ = {2 / curv[i]:.3g}", color=colors[i], ha="right",
                    va="bottom", fontsize="small", fontweight="bold")
            dist = np.abs(rec.params[:, i] - loss.minimizer[i])
            bx.plot(np.arange(dist.size), np.where(dist > 0, dist, np.nan), color=colors[i])
        ax.set_yscale("log")
        ax.set_ylim(3e-4, 5)
        ax.set_title(f"{NICE_NAMES.get(rec.name, rec.name)}, lr = {rec.lr:g}")
        ax.set_xlabel("step")
        ax.set_ylabel("effective step  lr/(√v̂ + ε)")
        bx.set_yscale("log")
        bx.set_ylim(1e-12, 3)
        bx.set_title("distance to the minimum")
        bx.set_xlabel("step")
        bx.set_ylabel("|wᵢ − wᵢ*|")
    fig.legend(axes[0, 0].lines[:3:2], [names[0], names[1]], loc="outside lower center", ncols=2, frameon=False)
    return fig, axes


# --------------------------------------------------------------------------- the race

RACE_STEPPERS = {
    "GD": steppers.sgd(),
    "heavy ball β=0.9": steppers.sgd(momentum=0.9),
    "Adagrad": steppers.adagrad(),
    "RMSprop": steppers.rmsprop(),
    "Adam": steppers.adam(),
}
RACE_LRS = np.geomspace(1e-4, 10.0, 60)   # the same 60 candidate lrs for every optimizer
RACE_STEPS = 1000                          # the same number of steps for every run
RACE_TOL = 1e-8                            # finish line: loss gap <= RACE_TOL * initial gap


@dataclass(frozen=True)
class RaceResult:
    """The race on one problem: per optimizer, the tuned lr and its run."""

    problem: str
    loss: object
    lrs: np.ndarray
    final: dict          # name -> (len(lrs),) loss gap after RACE_STEPS steps (inf if diverged)
    steps: dict          # name -> (len(lrs),) steps to the finish line (-1 if never)
    best_lr: dict        # name -> tuned lr
    best_steps: dict     # name -> steps to the finish line with the tuned lr (-1 if never)
    best_final: dict     # name -> final loss gap with the tuned lr
    curves: dict         # name -> (RACE_STEPS + 1,) loss gap of the tuned run
    winner: str


def steps_to_stay_below(gap, tol: float) -> np.ndarray:
    """First step from which the loss gap stays at most ``tol`` times the initial gap to the end (-1: never).

    A run that dips below the line and bounces back up has not finished.
    """
    return np.asarray(diagnostics.first_step_below(gap, tol, stay=True, relative_to_start=True))


def _tune(final, steps):
    """Index of the best lr: fewest steps to the finish line; if none finishes, lowest final gap."""
    if (steps >= 0).any():
        s = np.where(steps >= 0, steps, np.iinfo(np.int64).max)
        best = np.nonzero(s == s.min())[0]
        return int(best[np.argmin(final[best])])
    f = np.where(np.isfinite(final), final, np.inf)
    return int(np.argmin(f))


def race(problem: str, loss, x0, *, stepper_set=None, lrs=None, num_steps: int = RACE_STEPS,
         tol: float = RACE_TOL) -> RaceResult:
    """Tune every optimizer on the same lr grid with the same budget (one vectorized run each)."""
    stepper_set = RACE_STEPPERS if stepper_set is None else stepper_set
    lrs = RACE_LRS if lrs is None else np.asarray(lrs, dtype=float)
    final, steps, best_lr, best_steps, best_final, curves = {}, {}, {}, {}, {}, {}
    for name, stepper in stepper_set.items():
        traj = run(loss=loss, stepper=stepper, x0=x0, lr=lrs, num_steps=num_steps)
        g = plotting.gap(traj)
        final[name] = g[-1]
        steps[name] = steps_to_stay_below(g, tol)
        i = _tune(final[name], steps[name])
        best_lr[name] = float(lrs[i])
        best_steps[name] = int(steps[name][i])
        best_final[name] = float(final[name][i])
        curves[name] = g[:, i]

    def key(name):
        s = best_steps[name]
        return (0, s, best_final[name]) if s >= 0 else (1, 0, best_final[name])

    winner = min(stepper_set, key=key)
    return RaceResult(problem, loss, lrs, final, steps, best_lr, best_steps, best_final, curves, winner)


def good_lr_window(result: RaceResult, name: str, slack: float = 1.25):
    """``(lo, hi)``: the smallest and largest candidate lr that finish within ``slack`` × the best time (None if none finish)."""
    s, best = result.steps[name], result.best_steps[name]
    if best < 0:
        return None
    ok = (s >= 0) & (s <= slack * best)
    return float(result.lrs[ok].min()), float(result.lrs[ok].max())


def race_table(result: RaceResult) -> str:
    """A fixed-width text table of the tuned lrs and results (deterministic formatting)."""
    lines = [f"{result.problem}: {len(result.lrs)} lrs from {result.lrs[0]:.0e} to {result.lrs[-1]:.0e}, "
             f"{RACE_STEPS} steps each",
             f"{'optimizer':<18}{'tuned lr':>10}{'steps to 1e-8':>15}{'final gap':>12}{'good lrs (≤1.25× best steps)':>32}"]
    for name in result.best_lr:
        s = result.best_steps[name]
        win = good_lr_window(result, name)
        span = f"{win[0]:.2g} to {win[1]:.2g}" if win else "-"
        lines.append(f"{name:<18}{result.best_lr[name]:>10.3g}{(str(s) if s >= 0 else 'never'):>15}"
                     f"{result.best_final[name]:>12.1e}{span:>32}")
    lines.append(f"winner: {result.winner}")
    return "\n".join(lines)


@plotting.styled
def plot_race(results):
    """One row per problem. Left: steps to the finish line against lr, one curve per optimizer
    (gaps: lrs that never finish; ticks at the top: lrs that diverge; dot: the tuned lr).
    Right: the tuned runs' loss gap against step. Returns ``(fig, axes)``."""
    names = list(results[0].best_lr)
    colors = dict(zip(names, plotting.CYCLE))
    fig, axes = plotting.figure(len(results), 2, width=12.5, height=3.6 * len(results) + 0.6, squeeze=False)
    floor = 1e-24
    for r, res in enumerate(results):
        ax, bx = axes[r]
        top = 1.6 * RACE_STEPS
        for k, name in enumerate(names):
            s = res.steps[name].astype(float)
            ax.plot(res.lrs, np.where(s >= 0, np.maximum(s, 1), np.nan), "-", color=colors[name], lw=2,
                    marker=".", ms=5)
            bad = ~np.isfinite(res.final[name])
            if bad.any():
                ax.plot(res.lrs[bad], np.full(bad.sum(), top * 1.12 ** k), "|", color=colors[name], ms=7, mew=1.5)
            if res.best_steps[name] >= 0:
                ax.plot([res.best_lr[name]], [max(res.best_steps[name], 1)], "o", color=colors[name],
                        mec="black", ms=9, zorder=5)
            g = res.curves[name]
            bx.plot(np.arange(g.size), np.where(np.isfinite(g) & (g > 0), np.maximum(g, floor), floor),
                    color=colors[name], lw=1.8)
        g0 = res.curves[names[0]][0]
        ax.axhline(RACE_STEPS, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
        ax.text(res.lrs[0], RACE_STEPS, " budget", va="bottom", fontsize="small", color=plotting.PALETTE["grey"])
        ax.text(res.lrs[-1], top * 1.6, "diverged ", ha="right", va="bottom", fontsize="small")
        ax.set_xscale("log"); ax.set_yscale("log")
        ax.set_xlim(res.lrs[0] / 1.5, res.lrs[-1] * 1.5)
        ax.set_ylim(1, top * 3)
        ax.set_xlabel("learning rate (the 60 candidates)")
        ax.set_ylabel("steps to finish")
        ax.set_title(f"{res.problem}: tuning each lr")
        bx.axhline(RACE_TOL * g0, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
        bx.text(RACE_STEPS, RACE_TOL * g0, "finish line ", ha="right", va="bottom", fontsize="small",
                color=plotting.PALETTE["grey"])
        bx.set_yscale("log")
        bx.set_ylim(floor, max(30 * g0, 1.0))
        bx.set_xlim(0, RACE_STEPS)
        bx.set_xlabel("step")
        bx.set_ylabel("loss − min")
        bx.set_title(f"{res.problem}: tuned runs (winner: {res.winner})")
    handles = [axes[0, 1].lines[i] for i in range(len(names))]
    fig.legend(handles, names, loc="outside upper center", ncols=len(names), frameon=False)
    return fig, axes


# --------------------------------------------------------------------------- exercises

EXERCISE_BOWL = losses.quadratic([2.0, 50.0])


def check_heavy_ball_limit(answer) -> Feedback:
    """Largest stable lr of heavy ball with β = 0.5 on EXERCISE_BOWL (curvatures 2 and 50)."""
    return check_number_answer(answer, theory.critical_lr(EXERCISE_BOWL, 0.5), rtol=0.03,
                               hint="The steepest curvature L sets the limit, and momentum β stretches "
                                    "GD's 2/L by the factor (1 + β).")


def check_polyak_momentum(answer) -> Feedback:
    """Polyak's optimal momentum on EXERCISE_BOWL (condition number 25)."""
    return check_number_answer(answer, theory.optimal_momentum(EXERCISE_BOWL)[1], rtol=0.02,
                               hint="β* = ((√L − √μ)/(√L + √μ))²; here √(L/μ) = 5.")


def check_adam_first_step(answer) -> Feedback:
    """How far each coordinate moves in Adam's first step with lr = 0.05 (any gradient, eps negligible)."""
    return check_number_answer(answer, 0.05, rtol=0.01,
                               hint="At step 1 the bias-corrected m̂ is g and √v̂ is |g|: the step is lr·g/|g|.")


def check_race_question(answer) -> Feedback:
    """Which bowl do the per-coordinate methods (Adagrad, RMSprop) solve faster: 'aligned' or 'rotated'?"""
    return check_choice(answer, "aligned", choices=["aligned", "rotated"],
                        hint="They rescale each coordinate axis. Which bowl has its steep and flat "
                             "directions along the axes?",
                        right="Yes: a per-coordinate rescaling can only straighten a bowl whose axes are the "
                              "coordinate axes; rotate it and the steep direction mixes both coordinates.")
