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
           "RACE_COLORS", "RaceResult", "steps_to_stay_below", "longest_run", "race", "good_lr_window",
           "window_decades", "first_diverging_lr", "plot_distance", "plot_race", "race_table",
           "DECAY_LOSS", "DECAY_X0", "DECAY_LR", "weight_decay_run", "decay_per_step",
           "plot_weight_decay", "plot_momentum_maps", "check_heavy_ball_limit", "check_polyak_momentum",
           "check_adam_first_step", "check_race_question", "check_nesterov_limit", "check_adamw_half_life",
           "EIGEN_BOWL", "EIGEN_X0", "EIGEN_SETTINGS", "eigendirection_runs", "envelope_rate", "plot_eigendirections",
           "plot_phase_diagram", "check_direction_factor", "check_critical_momentum"]

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


def rate_map(loss, lrs, betas, nesterov: bool = False) -> np.ndarray:
    """Convergence rate (spectral radius) of heavy ball (or Nesterov) on ``loss`` for every (β, lr):
    shape (len(betas), len(lrs))."""
    if nesterov:
        return np.stack([theory.direction_rates(loss, lrs, float(b), nesterov=True).max(-1) for b in betas])
    return np.stack([theory.convergence_rate(loss, lrs, momentum=float(b)) for b in betas])


@plotting.styled
def plot_rate_map(loss, ax=None, *, lr_range=(1e-4, 0.1), beta_max: float = 0.95, num: int = 220,
                  colorbar: bool = True, live: bool = False, nesterov: bool = False):
    r"""The (lr, β) plane of heavy ball (or Nesterov) on a quadratic, coloured by the steps it needs per decade.

    Colour: :math:`\ln 10 / (-\ln\rho)`, the number of steps that divide the error by
    10 (:math:`\rho` = :func:`lrlab.theory.convergence_rate`, or the largest of
    :func:`lrlab.theory.direction_rates` with ``nesterov``); grey where :math:`\rho \ge 1`.
    Marks the stability edge (:math:`2(1+\beta)/L`; Nesterov's :math:`2(1+\beta)/((1+2\beta)L)`),
    GD's best lr (β = 0) and the fastest setting (Polyak's optimum; for Nesterov the best of the
    drawn grid). Returns ``{'mesh', 'marker', 'edge', 'best'}`` (the marker is empty, for a widget
    to move; ``live`` adds it to the legend).
    """
    import matplotlib as mpl

    if ax is None:
        _, ax = plotting.figure(width=5.4, height=4.2)
    lrs = np.geomspace(*lr_range, num)
    betas = np.linspace(0.0, beta_max, num // 2)
    rho = rate_map(loss, lrs, betas, nesterov)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_decade = np.where(rho < 1, np.log(10.0) / -np.log(np.clip(rho, 1e-300, None)), np.nan)
    L = theory.eigenvalues(loss)[-1]
    c = plotting.PALETTE
    # diverging cells (NaN) in the colour map's "bad" colour: the grey at half strength on white, one mesh
    cmap = mpl.colormaps["viridis_r"].with_extremes(bad="#BFBFBF")
    mesh = ax.pcolormesh(lrs, betas, per_decade, cmap=cmap, norm=mpl.colors.LogNorm(3, 3000),
                         shading="auto", rasterized=True)
    if nesterov:
        (edge,) = ax.plot(2 * (1 + betas) / ((1 + 2 * betas) * L), betas, color=c["vermillion"], lw=2.5,
                          label="edge: 2(1+β)/((1+2β)L)")
    else:
        (edge,) = ax.plot(2 * (1 + betas) / L, betas, color=c["vermillion"], lw=2.5, label="edge: 2(1+β)/L")
    lr_gd = theory.optimal_lr(loss)
    ax.plot([lr_gd], [0.0], "o", color=c["purple"], ms=10, mec="black", clip_on=False, zorder=5,
            label="GD's best (β = 0)")
    if nesterov:
        k = np.unravel_index(np.argmin(rho), rho.shape)
        (best,) = ax.plot([lrs[k[1]]], [betas[k[0]]], "*", color=c["sky"], ms=18, mec="black", zorder=5,
                          label="Nesterov's fastest")
    else:
        lr_p, b_p = theory.optimal_momentum(loss)
        (best,) = ax.plot([lr_p], [b_p], "*", color=c["sky"], ms=18, mec="black", zorder=5, label="Polyak's optimum")
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
    return {"mesh": mesh, "marker": marker, "edge": edge, "best": best}


@plotting.styled
def plot_momentum_maps(loss, *, lr_range=(1e-4, 0.1), beta_max: float = 0.95, num: int = 120):
    """Heavy ball's and Nesterov's (lr, β) maps side by side, on one colour scale; returns ``(fig, axes)``."""
    fig, axes = plotting.figure(1, 2, width=13.0, height=4.8)
    a = plot_rate_map(loss, axes[0], lr_range=lr_range, beta_max=beta_max, num=num, colorbar=False)
    plot_rate_map(loss, axes[1], lr_range=lr_range, beta_max=beta_max, num=num, colorbar=False, nesterov=True)
    axes[0].set_title("heavy ball: the wall moves out with β")
    axes[1].set_title("Nesterov: the wall moves in, below GD's 2/L")
    cb = fig.colorbar(a["mesh"], ax=list(axes), pad=0.01)
    cb.set_label("steps to shrink the error 10×")
    return fig, axes


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
    ax.legend(frameon=False, fontsize=12)
    return fig, ax


# --------------------------------------------------------------------------- one eigendirection at a time

# three eigendirections along the axes: flat (1), middle (10) and steep (81), the error 1 in each at the start
EIGEN_BOWL = losses.quadratic([1.0, 10.0, 81.0])
EIGEN_X0 = (1.0, 1.0, 1.0)
EIGEN_SETTINGS = {"gradient descent": dict(lr=0.02, momentum=0.0), "heavy ball": dict(lr=0.02, momentum=0.6)}


def eigendirection_runs(num_steps: int = 150) -> dict:
    """``{name: traj}`` for each of :data:`EIGEN_SETTINGS` on :data:`EIGEN_BOWL` from :data:`EIGEN_X0`."""
    return {name: run(loss=EIGEN_BOWL, stepper=steppers.sgd(momentum=kw["momentum"]), x0=np.array(EIGEN_X0),
                      lr=kw["lr"], num_steps=num_steps) for name, kw in EIGEN_SETTINGS.items()}


def envelope_rate(e, start: int, stop: int, window: int = 20) -> np.ndarray:
    """The per-step factor of ``|e|`` between steps ``start`` and ``stop``, read from the envelope
    (the largest value in a window before each), so that swinging errors are measured too. Vectorized over
    the trailing axes of ``e`` (steps first)."""
    a = np.abs(np.asarray(e))
    hi = a[stop - window + 1:stop + 1].max(axis=0)
    lo = a[start - window + 1:start + 1].max(axis=0)
    return (hi / lo) ** (1.0 / (stop - start))


@plotting.styled
def plot_eigendirections(runs: dict, titles=None):
    """One panel per run: each eigendirection's error against step (solid), its own factor ρᵢᵗ
    (dashed, from :func:`lrlab.theory.direction_rates`) and the total error (black) under the slowest
    factor's envelope. Returns ``(fig, axes)``."""
    c = plotting.PALETTE
    colors = (c["blue"], c["green"], c["purple"])
    fig, axes = plotting.figure(1, len(runs), width=6.5 * len(runs), height=4.6, squeeze=False)
    for k, (ax, (name, tr)) in enumerate(zip(axes[0], runs.items())):
        kw = EIGEN_SETTINGS.get(name, {})
        rho = theory.direction_rates(EIGEN_BOWL, tr.lr[0], kw.get("momentum", 0.0))
        t = np.arange(tr.params.shape[0])
        e = np.abs(tr.params - EIGEN_BOWL.minimizer)
        for i, lam in enumerate(EIGEN_BOWL.eigenvalues):
            ax.semilogy(t, np.where(e[:, i] > 0, e[:, i], np.nan), color=colors[i], lw=1.6,
                        label=f"λ = {lam:g}: factor {rho[i]:.3f}")
            ax.semilogy(t, e[0, i] * rho[i] ** t, color=colors[i], ls="--", lw=1.4)
        total = np.sqrt(np.add.reduce(e ** 2, axis=-1))
        ax.semilogy(t, total, color="black", lw=2.6, label="total error")
        ax.semilogy(t, total[0] * rho.max() ** t, color="black", ls=":", lw=2.0, label=f"slowest: {rho.max():.3f}ᵗ")
        ax.set_ylim(1e-9, 5)
        ax.set_xlim(0, t[-1])
        ax.set_xlabel("step")
        ax.set_ylabel("|error| along each eigendirection")
        ax.set_title(titles[k] if titles else f"{name}, lr = {tr.lr[0]:g}")
        ax.legend(fontsize=12, frameon=False, loc="lower left")
    return fig, axes[0]


@plotting.styled
def plot_phase_diagram(*, h_range=(0.0, 4.4), num: int = 160):
    """Heavy ball on one eigendirection, over (h = lr·λ, β). Left: the regime (monotone, ringing,
    flipping, diverging) from :func:`lrlab.theory.momentum_regime`; right: the steps per decade from the
    spectral radius. Both with the critical-damping curve β = (1 − √h)² and the wall h = 2(1 + β).
    Returns ``(fig, axes)``."""
    import matplotlib as mpl

    c = plotting.PALETTE
    hs = np.linspace(np.sqrt(h_range[0]), np.sqrt(h_range[1]), num) ** 2     # even in √h, the axis's scale
    betas = np.linspace(0.0, 0.99, num // 2)
    H, B = np.meshgrid(hs, betas)
    regime = theory.momentum_regime(H, B)
    rho = np.stack([np.abs(theory.momentum_roots(hs, float(b))[..., 0]) for b in betas])
    with np.errstate(divide="ignore"):
        per_decade = np.where(rho < 1, np.log(10.0) / -np.log(np.clip(rho, 1e-300, None)), np.nan)
    fig, (ax, bx) = plotting.figure(1, 2, width=13.5, height=5.0)
    region_colors = [c["sky"], c["green"], c["yellow"], "#BFBFBF"]
    ax.pcolormesh(hs, betas, regime, cmap=mpl.colors.ListedColormap(region_colors), vmin=-0.5, vmax=3.5,
                  shading="auto", rasterized=True)
    cmap = mpl.colormaps["viridis_r"].with_extremes(bad="#BFBFBF")
    mesh = bx.pcolormesh(hs, betas, per_decade, cmap=cmap, norm=mpl.colors.LogNorm(1, 3000), shading="auto",
                         rasterized=True)
    hc = np.linspace(0.0, 2.0, 400) ** 2
    bc = theory.critical_damping(hc)
    for a in (ax, bx):
        a.plot(hc, np.where(bc <= 0.99, bc, np.nan), color="black", lw=2.2, label="critical damping β = (1 − √h)²")
        a.plot(2 * (1 + betas), betas, color=c["vermillion"], lw=2.5, label="wall h = 2(1 + β)")
        a.set_xscale("function", functions=(lambda x: np.sqrt(np.clip(x, 0, None)), np.square))
        a.set_xticks([0, 0.01, 0.1, 0.25, 0.5, 1, 2, 3, 4], ["0", ".01", ".1", ".25", ".5", "1", "2", "3", "4"])
        a.set_xlim(*h_range)
        a.set_ylim(0, 0.99)
        a.set_xlabel("h = lr · λ for one eigendirection (axis in √h)")
        a.set_ylabel("momentum β")
        a.grid(False)
    for text, (x, y) in zip(theory.MOMENTUM_REGIMES, [(0.06, 0.2), (0.5, 0.75), (1.75, 0.035), (3.35, 0.3)]):
        ax.text(x, y, text, fontsize=13 if text != "flipping" else 11, fontweight="bold", ha="center", va="center",
                bbox=dict(fc="white", ec="none", alpha=0.75, pad=1.5))
    ax.set_title("regimes: the critical-damping curve splits them")
    bx.set_title("speed: fastest along the curve, 1 − √h per step")
    ax.legend(fontsize=12, loc="upper right", framealpha=0.9)
    cb = fig.colorbar(mesh, ax=bx, pad=0.01)
    cb.set_label("steps to shrink the error 10×")
    return fig, (ax, bx)


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
    fig.legend(axes[0, 0].lines[:3:2], [names[0], names[1]], loc="outside lower center", ncols=2, frameon=False,
               fontsize=12)
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
    fig, axes = plotting.figure(1, 3, width=14.5, height=4.6)
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
    ax.set_title(f"Adam + L2 divides the decay by √v̂ (wd = {wd:g})")
    ax.set_ylim(5e-6, 60)
    ax.legend(fontsize=12, frameon=False, loc="upper left")
    t = np.arange(coupled.num_steps + 1)
    for i in (0, 1):
        bx.plot(t, coupled.params[:, i], color=colors[i], label=f"Adam + L2, {DECAY_NAMES[i]}")
        target = DECAY_LOSS.eigenvalues[::-1][i] / (DECAY_LOSS.eigenvalues[::-1][i] + wd)
        bx.axhline(target, color=colors[i], ls=":", lw=1.5)
    bx.plot(t, decoupled.params[:, 0], color="black", ls="--", lw=2.2, label="AdamW, w₁ and w₂ (one curve)")
    bx.set_ylim(0.79, 1.02)
    bx.set_xlabel("step")
    bx.set_ylabel("weight (the loss wants 1)")
    bx.set_title("AdamW shrinks w₁ and w₂ alike, L2 does not")
    bx.legend(fontsize=12, frameon=False, loc="lower right")
    styles = {False: ("-", (c["blue"], c["sky"])), True: ("--", ("black", c["purple"]))}
    for dec in (False, True):
        ls, cols = styles[dec]
        for k, w in enumerate(wds):
            lw = 4.0 if (not dec and k == 0) else 2.0
            cx.plot(t, runs[(w, dec)].params[:, 2], ls=ls, color=cols[k], lw=lw,
                    label=f"{'AdamW' if dec else 'Adam + L2'}, wd = {w:g}")
    cx.set_ylim(-0.95, 1.05)
    cx.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    cx.set_xlabel("step")
    cx.set_ylabel("untouched weight w₃")
    cx.set_title("w₃: with L2, the decay ignores wd")
    cx.legend(fontsize=12, frameon=False, loc="lower right")
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
def plot_race(results, titles=None):
    """One row per problem. Left: steps to the finish line against lr, one curve per optimizer
    (gaps: lrs that never finish; ticks at the top: lrs that diverge; dot: the tuned lr; bar at the
    bottom: the good window). Right: the tuned runs' loss gap against step. ``titles``: one per row
    for the left panels (default: the problem's name). Returns ``(fig, axes)``."""
    names = list(results[0].best_lr)
    colors = {n: plotting.PALETTE[RACE_COLORS.get(n, "grey")] for n in names}
    fig, axes = plotting.figure(len(results), 2, width=13.0, height=3.9 * len(results) + 0.7, squeeze=False)
    floor = 1e-24
    for r, res in enumerate(results):
        ax, bx = axes[r]
        top = 1.6 * RACE_STEPS
        for k, name in enumerate(names):
            s = res.steps[name].astype(float)
            ax.plot(res.lrs, np.where(s >= 0, np.maximum(s, 1), np.nan), "-", color=colors[name], lw=2,
                    marker=".", ms=4)
            bad = ~np.isfinite(res.final[name])
            if bad.any():
                ax.plot(res.lrs[bad], np.full(bad.sum(), top * 1.12 ** k), "|", color=colors[name], ms=7, mew=1.5)
            win = good_lr_window(res, name)
            if win is not None:
                y = 1.6 * 1.32 ** k
                ax.plot(win, [y, y], color=colors[name], lw=5, solid_capstyle="butt")
            if res.best_steps[name] >= 0:
                ax.plot([res.best_lr[name]], [max(res.best_steps[name], 1)], "o", color=colors[name],
                        mec="white" if colors[name] == plotting.PALETTE["black"] else "black", ms=9, zorder=5)
            g = res.curves[name]
            bx.plot(np.arange(g.size), np.where(np.isfinite(g) & (g > 0), np.maximum(g, floor), floor),
                    color=colors[name], lw=1.8)
        g0 = res.curves[names[0]][0]
        ax.axhline(RACE_STEPS, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
        ax.text(res.lrs[0], RACE_STEPS, " budget", va="top", fontsize=12, color=plotting.PALETTE["grey"])
        ax.text(res.lrs[-1], top * 1.6, "diverged ", ha="right", va="bottom", fontsize=12)
        ax.text(res.lrs[0], 1.25, " bars: good windows", va="top", fontsize=12, color=plotting.PALETTE["grey"])
        ax.set_xscale("log"); ax.set_yscale("log")
        ax.set_xlim(res.lrs[0] / 1.5, res.lrs[-1] * 1.5)
        ax.set_ylim(0.7, top * 3)
        ax.set_xlabel(f"learning rate ({len(res.lrs)} candidates, 5% apart)")
        ax.set_ylabel("steps to finish")
        ax.set_title(titles[r] if titles else f"{res.problem}: every lr on the grid")
        bx.axhline(RACE_TOL * g0, color=plotting.PALETTE["grey"], ls="--", lw=1.2)
        bx.text(RACE_STEPS, RACE_TOL * g0, "finish line ", ha="right", va="bottom", fontsize=12,
                color=plotting.PALETTE["grey"])
        bx.set_yscale("log")
        bx.set_ylim(floor, max(30 * g0, 1.0))
        bx.set_xlim(0, RACE_STEPS)
        bx.set_xlabel("step")
        bx.set_ylabel("loss − min")
        bx.set_title(f"{res.problem}: tuned runs (fastest: {res.winner})")
    handles = [axes[0, 1].lines[i] for i in range(len(names))]
    fig.legend(handles, names, loc="outside upper center", ncols=len(names), frameon=False, fontsize=12)
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


def check_nesterov_limit(answer) -> Feedback:
    """Largest stable lr of Nesterov momentum (torch's form) with β = 0.5 on EXERCISE_BOWL (curvatures 2 and 50)."""
    crit = theory.nesterov_critical_lr(EXERCISE_BOWL, 0.5)
    return check_number_answer(answer, crit, rtol=0.03, digits=2, at_most=crit,
                               beyond="at that lr Nesterov diverges",
                               hint="Write the steepest direction's polynomial for Nesterov and ask where a root "
                                    "reaches -1; heavy ball's 2(1+β)/L is not the answer here.")


def check_adamw_half_life(answer) -> Feedback:
    """Steps until AdamW (lr = 1e-3, weight_decay = 1e-2, torch's defaults) halves a weight the loss does not touch."""
    return check_number_answer(answer, math.log(0.5) / math.log(1 - 1e-3 * 1e-2), rtol=0.02,
                               hint="The loss does not touch that weight, so only the decay acts on it. "
                                    "What does AdamW do to every weight at every step?")


def check_direction_factor(answer) -> Feedback:
    """Heavy ball (lr = 0.02, β = 0.6) on EIGEN_BOWL: the per-step factor of the middle direction (λ = 10)."""
    return check_number_answer(answer, float(theory.direction_rates(EIGEN_BOWL, 0.02, 0.6)[1]), rtol=0.01, digits=2,
                               hint="Write that direction's polynomial z² − (1 + β − h)z + β with h = lr·λ. "
                                    "Are its roots real? If not, what does their product tell you?")


def check_critical_momentum(answer) -> Feedback:
    """The momentum that makes one eigendirection with lr·λ = 0.25 fastest (critical damping)."""
    return check_number_answer(answer, float(theory.critical_damping(0.25)), rtol=0.02, digits=2,
                               hint="Below the best β the roots are real and the larger one is slow; above it they "
                                    "are complex with modulus √β. Where do the two regimes meet?")
