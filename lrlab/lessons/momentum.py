r"""Lesson 05, momentum: the heavy-ball explorer, the eigendirection picture, the phase diagram, checks.

Everything the notebook ``05_momentum`` computes that is specific to it:

* the heavy-ball explorer (an :class:`lrlab.explorer.Explorer` with a momentum
  control and a live map of the convergence rate over the (lr, momentum) plane);
* one eigendirection at a time: the runs, the envelope of a swinging error, the
  (lr·λ, β) phase diagram;
* heavy ball's and Nesterov's (lr, β) maps;
* the exercise checks.
"""
from __future__ import annotations

import math

import numpy as np

from .. import diagnostics, losses, plotting, steppers, theory
from ..exercises import Feedback, check_number_answer
from ..loop import run
from ..panels import Panel, Problem

__all__ = ["BOWL", "BOWL_TALL", "EXERCISE_BOWL", "X0", "bowl", "heavy_ball_problem", "momentum_explorer",
           "MOMENTUM_PRESETS", "steps_to_distance", "rate_map", "plot_rate_map", "plot_distance",
           "plot_momentum_maps", "check_heavy_ball_limit", "check_polyak_momentum", "check_nesterov_limit",
           "EIGEN_BOWL", "EIGEN_X0", "EIGEN_SETTINGS", "eigendirection_runs", "envelope_rate", "plot_eigendirections",
           "plot_phase_diagram", "check_direction_factor", "check_critical_momentum",
           "FACTOR_EXERCISE"]

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


def plot_paths(traj, suptitle: str, *, momentum: float = 0.0, width: float = 9.0, height: float = 3.6):
    """``plotting.small_multiples`` of a batched run on :data:`BOWL_TALL`, one panel per lr, fitted to ``width``
    inches. Each badge (above the paths: a path never hides its own label) names the theory's regime
    (:func:`lrlab.theory.regime`) and, for a converging run, the share of the loss gap closed
    (:func:`lrlab.diagnostics.progress_text`). Returns ``(fig, axes)``."""
    words = [str(w) for w in np.atleast_1d(theory.regime(BOWL, traj.lr[0], momentum))]
    closed = np.atleast_1d(diagnostics.progress(traj))
    fig, axes = plotting.small_multiples(traj, BOWL_TALL, suptitle=suptitle, badges=words)
    fig.set_size_inches(width, height)
    for k, ax in enumerate(np.ravel(axes)):
        ax.set_ylabel(ax.get_ylabel() if ax is np.ravel(axes)[0] else "")
        for t in ax.texts:
            if t.get_bbox_patch() is None:
                continue
            t.set_zorder(20)
            t.set_fontsize("x-small")
            detail = diagnostics.progress_text(float(closed[k])) if words[k] != "divergence" else ""
            if detail:
                t.set_text(f"{words[k]}\n{detail}")
    return fig, axes


def rate_map(loss, lrs, betas, nesterov: bool = False) -> np.ndarray:
    """Convergence rate (spectral radius) of heavy ball (or Nesterov) on ``loss`` for every (β, lr):
    shape (len(betas), len(lrs))."""
    if nesterov:
        return np.stack([theory.direction_rates(loss, lrs, float(b), nesterov=True).max(-1) for b in betas])
    return np.stack([theory.convergence_rate(loss, lrs, momentum=float(b)) for b in betas])


@plotting.styled
def plot_rate_map(loss, ax=None, *, lr_range=(1e-4, 0.1), beta_max: float = 0.95, num: int = 220,
                  colorbar: bool = True, live: bool = False, nesterov: bool = False, legend: str = "inside"):
    r"""The (lr, β) plane of heavy ball (or Nesterov) on a quadratic, coloured by the steps it needs per decade.

    Colour: :math:`\ln 10 / (-\ln\rho)`, the number of steps that divide the error by
    10 (:math:`\rho` = :func:`lrlab.theory.convergence_rate`, or the largest of
    :func:`lrlab.theory.direction_rates` with ``nesterov``); grey where :math:`\rho \ge 1`.
    Marks the stability edge (:math:`2(1+\beta)/L`; Nesterov's :math:`2(1+\beta)/((1+2\beta)L)`),
    GD's best lr (β = 0) and the fastest setting (Polyak's optimum; for Nesterov the best of the
    drawn grid). Returns ``{'mesh', 'marker', 'edge', 'best'}`` (the marker is empty, for a widget
    to move; ``live`` adds it to the legend). ``legend``: ``"inside"`` (upper left), ``"below"`` (under the
    axes, off the data) or ``"none"`` (a caller's figure legend).
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
        (edge,) = ax.plot(2 * (1 + betas) / ((1 + 2 * betas) * L), betas, color=c["vermillion"], lw=2.5, ls="--",
                          label="Nesterov's edge: 2(1+β)/((1+2β)L)")
    else:
        (edge,) = ax.plot(2 * (1 + betas) / L, betas, color=c["vermillion"], lw=2.5,
                          label="heavy ball's edge: 2(1+β)/L" if legend == "none" else "edge: 2(1+β)/L")
    lr_gd = theory.optimal_lr(loss)
    ax.plot([lr_gd], [0.0], "o", color=c["purple"], ms=10, mec="black", clip_on=False, zorder=5,
            label="GD's best (β = 0)")
    if nesterov:
        k = np.unravel_index(np.argmin(rho), rho.shape)
        (best,) = ax.plot([lrs[k[1]]], [betas[k[0]]], "D", color=c["yellow"], ms=11, mec="black", zorder=5,
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
    if legend == "inside":
        ax.legend(loc="upper left", framealpha=0.85)
    elif legend == "below":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, frameon=False, fontsize="small",
                  columnspacing=1.0, handletextpad=0.4)
    if colorbar:
        cb = ax.figure.colorbar(mesh, ax=ax, pad=0.01)
        cb.set_label("steps to shrink the error 10×")
    return {"mesh": mesh, "marker": marker, "edge": edge, "best": best}


@plotting.styled
def plot_momentum_maps(loss, *, lr_range=(1e-4, 0.1), beta_max: float = 0.95, num: int = 120):
    """Heavy ball's and Nesterov's (lr, β) maps side by side, on one colour scale; returns ``(fig, axes)``."""
    fig, axes = plotting.figure(1, 2, width=9.5, height=4.8)
    a = plot_rate_map(loss, axes[0], lr_range=lr_range, beta_max=beta_max, num=num, colorbar=False, legend="none")
    b = plot_rate_map(loss, axes[1], lr_range=lr_range, beta_max=beta_max, num=num, colorbar=False, nesterov=True,
                      legend="none")
    axes[1].set_ylabel("")
    axes[0].set_title("heavy ball: wall moves out")
    axes[1].set_title("Nesterov: wall moves in")
    cb = fig.colorbar(a["mesh"], ax=list(axes), pad=0.01)
    cb.set_label("steps to shrink the error 10×")
    gd_best = next(ln for ln in axes[0].lines if ln.get_label().startswith("GD's best"))
    handles = [a["edge"], b["edge"], gd_best, a["best"], b["best"]]
    fig.legend(handles=handles, labels=[h.get_label() for h in handles], loc="outside lower center", ncols=3,
               frameon=False, fontsize="small", columnspacing=1.0)
    return fig, axes


class RatePanel(Panel):
    """The (lr, β) map of the convergence rate, the current setting as a marker, its rate written above."""

    name = "rate map"

    def draw(self, ax, view):
        # the legend inside the map: below it, the live figure's narrow layouts have no room (constrained
        # layout collapses the axes in a phone's column)
        a = plot_rate_map(view.scene.loss, ax, lr_range=view.lr_range, num=160, colorbar=False, live=True,
                          legend="inside")
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
                  continuous=True, width=360).with_value("momentum", momentum)
    return Explorer(heavy_ball_problem, lr=lr, lr_range=(1e-4, 0.1), presets=MOMENTUM_PRESETS,
                    controls={"momentum": beta}, panels=("path", "loss", RatePanel()), theory=_momentum_theory,
                    width=13.5, height=4.0)


def _momentum_theory(view) -> str:
    """The theory line: GD's 1/L and 2/L at β = 0; with momentum, the wall 2(1+β)/L and Polyak's optimum."""
    from ..widgets import theory_text
    p = view.scene
    if p.momentum == 0:
        return theory_text(p.loss)
    c = plotting.TEXT_COLORS
    lr_p, b_p = theory.optimal_momentum(p.loss)
    return (f'<span class="lrlab-theory">theory: <b style="color:{c["vermillion"]}">2(1+β)/L = '
            f'{theory.critical_lr(p.loss, p.momentum):.3g}</b> (stability limit at β = {p.momentum:.2f}) · '
            f'<b style="color:{c["green"]}">Polyak: lr = {lr_p:.3g}, β = {b_p:.2f}</b> (fastest setting)</span>')


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
    fig, axes = plotting.figure(1, len(runs), width=min(4.6 * len(runs), 9.2), height=5.2, squeeze=False)
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
        ax.semilogy(t, total, color="black", lw=4.0, alpha=0.3, zorder=1.5, label="total error")
        ax.semilogy(t, total[0] * rho.max() ** t, color="black", ls=":", lw=2.0, label=f"slowest: {rho.max():.3f}ᵗ")
        ax.set_ylim(1e-9, 5)
        ax.set_xlim(0, t[-1])
        ax.set_xlabel("step")
        ax.set_ylabel("|error| along each eigendirection" if k == 0 else "")
        ax.set_title(titles[k] if titles else f"{name}, lr = {tr.lr[0]:g}")
        ax.legend(fontsize="small", frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2,
                  columnspacing=1.0, handlelength=1.5)
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
    fig, (ax, bx) = plotting.figure(1, 2, width=9.5, height=4.9)
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
        a.set_xlabel("h = lr · λ  (axis in √h)")
        a.set_ylabel("momentum β" if a is ax else "")
        a.grid(False)
    for text, (x, y) in zip(theory.MOMENTUM_REGIMES, [(0.09, 0.12), (0.5, 0.75), (1.75, 0.035), (3.3, 0.12)]):
        ax.text(x, y, text, fontsize=11 if text != "flipping" else 10, fontweight="bold", ha="center", va="center",
                bbox=dict(fc="white", ec="none", alpha=0.75, pad=1.5))
    ax.set_title("regimes")
    bx.set_title("speed: fastest on the curve")
    ax.set_xticks([0, 0.1, 0.5, 1, 2, 3, 4], ["0", ".1", ".5", "1", "2", "3", "4"])
    bx.set_xticks([0, 0.1, 0.5, 1, 2, 3, 4], ["0", ".1", ".5", "1", "2", "3", "4"])
    fig.legend(handles=ax.lines[:2], loc="outside lower center", ncols=2, frameon=False, fontsize="small")
    cb = fig.colorbar(mesh, ax=bx, pad=0.01)
    cb.set_label("steps to shrink the error 10×")
    return fig, (ax, bx)


# --------------------------------------------------------------------------- exercises

EXERCISE_BOWL = losses.quadratic([2.0, 50.0])


def check_heavy_ball_limit(answer) -> Feedback:
    """The boundary lr of heavy ball with β = 0.5 on EXERCISE_BOWL (curvatures 2 and 50): 2(1 + β)/L."""
    crit = theory.critical_lr(EXERCISE_BOWL, 0.5)
    return check_number_answer(answer, crit, rtol=0.03, digits=2, at_most=crit,
                               beyond="at that lr heavy ball diverges",
                               hint="Which of the two curvatures reaches its wall first? Section 2 says where "
                                    "the wall of one direction lies for a given β.")


def check_polyak_momentum(answer) -> Feedback:
    """Polyak's optimal momentum on EXERCISE_BOWL (condition number 25)."""
    return check_number_answer(answer, theory.optimal_momentum(EXERCISE_BOWL)[1], rtol=0.005,
                               hint="Polyak's β* depends on the bowl only through its flattest and steepest "
                                    "curvatures μ and L: read them off the bowl and use section 5's formula.")


def check_nesterov_limit(answer) -> Feedback:
    """Largest stable lr of Nesterov momentum (torch's form) with β = 0.5 on EXERCISE_BOWL (curvatures 2 and 50)."""
    crit = theory.nesterov_critical_lr(EXERCISE_BOWL, 0.5)
    return check_number_answer(answer, crit, rtol=0.03, digits=2, at_most=crit,
                               beyond="at that lr Nesterov diverges",
                               hint="Write the steepest direction's polynomial for Nesterov and ask where a root "
                                    "reaches -1; heavy ball's 2(1+β)/L is not the answer here.")


#: exercise 4: heavy ball on EIGEN_BOWL with its own momentum (section 3 uses 0.6)
FACTOR_EXERCISE = dict(lr=0.02, momentum=0.3)


def check_direction_factor(answer) -> Feedback:
    """Heavy ball (lr = 0.02, β = 0.3) on EIGEN_BOWL: the per-step factor of the middle direction (λ = 10)."""
    rho = float(theory.direction_rates(EIGEN_BOWL, FACTOR_EXERCISE["lr"], FACTOR_EXERCISE["momentum"])[1])
    hint = ("Write that direction's polynomial z² − (1 + β − h)z + β with h = lr·λ and solve it. Are its "
            "roots real or complex? The factor is the larger root's size.")
    try:
        if math.isclose(float(answer), math.sqrt(FACTOR_EXERCISE["momentum"]), rel_tol=0.01):
            return Feedback(False, "√β is the factor when the roots are complex. Are they complex here? " + hint)
    except (TypeError, ValueError):
        pass
    return check_number_answer(answer, rho, rtol=0.01, digits=2, hint=hint)


def check_critical_momentum(answer) -> Feedback:
    """The momentum that makes one eigendirection with lr·λ = 0.25 fastest (critical damping)."""
    return check_number_answer(answer, float(theory.critical_damping(0.25)), rtol=0.02, digits=2,
                               hint="Below the best β the roots are real and the larger one is slow; above it they "
                                    "are complex with modulus √β. Where do the two regimes meet?")
