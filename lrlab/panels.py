"""Panels: the parts of an explorer's figure, one protocol for all of them.

A panel owns one axes of an :class:`lrlab.explorer.Explorer`'s figure. The
explorer calls

* ``panel.draw(ax, view)`` when the static part must be (re)drawn: once at
  construction and again whenever a control that changes the scene moves. It
  draws what does not depend on the lr (contours, theory lines, a sweep) and
  creates the artists that will move, keeping them in ``panel.artists``;
* ``panel.update(view)`` on every frame: it moves those artists (``set_data``,
  ``set_color``, ``set_text``) and nothing else, so the live canvas can blit.

``view`` (:class:`lrlab.explorer.View`) is everything a frame is computed
from: ``view.lr``, ``view.controls``, ``view.scene`` (what ``setup`` built),
``view.runs`` (name -> Trajectory) and ``view.regime``.

The built-in panels work on a scene that is a :class:`Problem` (a loss, a
start, a number of steps, a stepper) and on the run named ``"main"``; lessons
write their own panels as small subclasses of :class:`Panel`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import plotting
from ._validation import as_real_array, check_number
from .loop import Trajectory, run
from .types import Stepper

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from numpy.typing import ArrayLike

    # lrlab.explorer is a layer above panels (docs/architecture.md), so its View is not named here
    View = Any                  # a lrlab.explorer.View: lr, lr_range, controls, scene, runs, regime

__all__ = ["Problem", "Panel", "PathPanel", "LossPanel", "MapPanel", "RulerPanel", "BUILTIN", "finite"]


@dataclass
class Problem:
    """The scene of the common explorer: GD (or ``stepper``) on ``loss`` from ``x0`` for ``num_steps``."""

    loss: Any
    x0: Any
    num_steps: int = 100
    stepper: Any = None
    tol: float = 1e-6              # "steps to tolerance": loss gap below tol * initial gap
    title: str | None = None

    def __post_init__(self):
        if not (callable(getattr(self.loss, "value", None)) and callable(getattr(self.loss, "grad", None))):
            raise TypeError(f"loss must have value(x) and grad(x) methods (e.g. lrlab.losses.quadratic([1.0])), "
                            f"got {type(self.loss).__name__}")
        x0 = as_real_array("x0", self.x0, what="a point of real numbers, shape (d,) (or a batch (..., d))")
        if x0.ndim == 0 or x0.shape[-1] == 0:
            raise ValueError(f"x0 must have shape (d,) with d >= 1 (or a batch (..., d)), got shape {x0.shape}")
        if not np.all(np.isfinite(x0)):
            raise ValueError(f"x0 must be finite (no NaN or inf), got x0={self.x0!r}")
        dim = getattr(self.loss, "dim", None)
        if dim is not None and x0.shape[-1] != dim:
            raise ValueError(f"x0 must have shape ({dim},) for this loss (dimension {dim}), got shape {x0.shape}")
        self.num_steps = check_number("num_steps", self.num_steps, low=1, integer=True)
        if self.stepper is not None and not isinstance(self.stepper, Stepper):
            raise TypeError(f"stepper must be None (plain gradient descent) or a lrlab Stepper "
                            f"(e.g. lrlab.steppers.sgd(momentum=0.9)), got {type(self.stepper).__name__}")
        self.tol = check_number("tol", self.tol, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
        if self.title is not None and not isinstance(self.title, str):
            raise TypeError(f"title must be a string or None, got {self.title!r}")
        # one step of the loss at x0, so a loss whose value/grad return the wrong shape or kind fails here,
        # naming the method, rather than at the first frame
        run(loss=self.loss, stepper=self.stepper, x0=x0, lr=0.0, num_steps=1)

    @property
    def momentum(self) -> float:
        """The stepper's heavy-ball momentum (0 for plain GD): what the theory marks use."""
        hp = getattr(self.stepper, "hyperparams", None) or {}
        return float(hp.get("momentum", 0.0))

    def run(self, lr: float | ArrayLike | Callable) -> Trajectory:
        """The run at ``lr`` (a number, or an array of lrs for one vectorized run)."""
        return run(loss=self.loss, stepper=self.stepper, x0=np.asarray(self.x0, dtype=float), lr=lr,
                   num_steps=self.num_steps)


def finite(y: ArrayLike) -> np.ndarray:
    """``y`` with inf and NaN as NaN (matplotlib leaves a gap there instead of a line to infinity)."""
    y = np.asarray(y, dtype=float)
    return np.where(np.isfinite(y), y, np.nan)


class Panel:
    """The protocol: ``draw(ax, view)`` for the static part, ``update(view)`` for each frame.

    ``name`` keys the panel in ``explorer.panels`` and ``explorer.artists``.
    """

    name = "panel"

    def __init__(self, name: str | None = None):
        if name is not None:
            self.name = name
        self.artists: Any = None
        self.ax = None

    def draw(self, ax: Axes, view: View) -> None:          # pragma: no cover - protocol
        raise NotImplementedError

    def update(self, view: View) -> None:                  # pragma: no cover - protocol
        raise NotImplementedError


class PathPanel(Panel):
    """The path of run ``run``: a 1-D curve with stride arrows, or 2-D contours with the path."""

    name = "path"

    def __init__(self, run: str = "main", title: str | None = None, equal_aspect: bool = False,
                 name: str | None = None):
        super().__init__(name)
        self.run, self.title, self.equal_aspect = run, title, equal_aspect

    def draw(self, ax: Axes, view: View) -> None:
        p, traj = view.scene, view.runs[self.run]
        self.ax = ax
        if np.asarray(p.x0).shape[-1] == 1:
            plotting.curve_1d(p.loss, ax)
            lo, hi = p.loss.bounds[0]
            vals = p.loss.value(np.linspace(lo, hi, 300)[:, None])
            ax.set_xlim(lo, hi)
            ax.set_ylim(vals.min() - 0.08 * np.ptp(vals), vals.max() + 0.08 * np.ptp(vals))
            self.artists = plotting.path_1d(p.loss, traj, ax)
        else:
            plotting.contour(p.loss, ax)
            self.artists = plotting.path_2d(traj, ax)
        if self.equal_aspect:
            ax.set_aspect("equal", adjustable="box")
        ax.set_title(self.title or p.title or "the path")

    def update(self, view: View) -> None:
        traj = view.runs[self.run]
        if isinstance(self.artists, dict):
            plotting.update_path_1d(self.artists, traj)
        else:
            plotting.update_path_2d(self.artists, traj, color=plotting.REGIME_COLORS.get(view.regime),
                                    diverging=view.regime in ("divergence", "diverging") or None)


class LossPanel(Panel):
    """The loss gap of run ``run`` against step (log scale), coloured by the regime, with the tolerance line."""

    name = "loss"

    def __init__(self, run: str = "main", ylim: tuple[float, float] | None = None, name: str | None = None):
        super().__init__(name)
        self.run, self.ylim = run, ylim

    def draw(self, ax: Axes, view: View) -> None:
        p, traj = view.scene, view.runs[self.run]
        self.ax = ax
        g0 = plotting.gap(traj)[0]
        (self.artists,) = plotting.loss_curve(traj, ax, color=plotting.PALETTE["blue"])
        lo, hi = self.ylim or (max(g0 * 1e-14, 1e-300), g0 * 1e4)
        ax.set_ylim(lo, hi)
        ax.set_xlim(0, p.num_steps)
        ax.axhline(p.tol * g0, color=plotting.PALETTE["grey"], ls="--", lw=1)
        ax.set_title("loss, log scale")

    def update(self, view: View) -> None:
        gap = plotting.gap(view.runs[self.run])
        self.artists.set_data(np.arange(gap.size), finite(gap))
        self.artists.set_color(plotting.REGIME_COLORS.get(view.regime, plotting.PALETTE["grey"]))


class MapPanel(Panel):
    """Final loss gap against lr for ``points`` lrs over the slider's range (one vectorized run),
    with the current lr as a moving marker and the theory lines."""

    name = "map"

    def __init__(self, points: int = 300, name: str | None = None):
        super().__init__(name)
        if not isinstance(points, (int, np.integer)) or isinstance(points, bool) or points < 2:
            raise ValueError(f"points must be an integer >= 2; got {points!r}")
        self.points = int(points)

    def draw(self, ax: Axes, view: View) -> None:
        p = view.scene
        self.ax = ax
        self.lrs = np.geomspace(*view.lr_range, self.points)
        self.final = plotting.gap(p.run(self.lrs))[-1]
        self.artists = plotting.lr_map(self.lrs, self.final, ax, loss=p.loss, momentum=p.momentum,
                                       label=f"loss − min after {p.num_steps} steps")
        ax.set_title("every lr at once")

    def update(self, view: View) -> None:
        m, lr = self.artists, view.lr
        i = int(np.argmin(np.abs(np.log(self.lrs) - math.log(lr))))
        y = self.final[i]
        y = m["top"] if not np.isfinite(y) else min(max(y, m["bottom"]), m["top"])
        m["marker"].set_data([lr], [y])
        m["vline"].set_xdata([lr, lr])


class RulerPanel(Panel):
    """The lr axis with the regimes theory predicts shaded, and the current lr as a line."""

    name = "ruler"

    def draw(self, ax: Axes, view: View) -> None:
        self.ax = ax
        p = view.scene
        self.artists = plotting.lr_ruler(ax, *view.lr_range, p.loss, momentum=p.momentum)

    def update(self, view: View) -> None:
        self.artists.set_xdata([view.lr, view.lr])


#: the panels an explorer can name by a string
BUILTIN = {"path": PathPanel, "loss": LossPanel, "map": MapPanel, "ruler": RulerPanel}

