"""Matplotlib figures for the lrlab notebooks.

Every function takes ``ax=None`` (a new figure is made when omitted) and
returns the artists it made, so a live widget can update them in place with
``set_data``. Nothing here calls ``plt.show()``; figures are made with
``matplotlib.figure.Figure`` (no pyplot state), and ``show`` turns one into a
PNG image for a static notebook cell.

Colours are the Okabe-Ito palette, safe for the common colour-vision deficiencies.
"""
from __future__ import annotations

import io
import os
import weakref
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Literal, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import diagnostics, theory
from ._validation import (as_real_array, check_count, check_flag, check_choice, check_instance, check_list, check_loss, check_number,
                          check_range, check_text)
from .loop import Trajectory, check_trajectory

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager

    from matplotlib.artist import Artist
    from matplotlib.contour import QuadContourSet
    from matplotlib.figure import SubFigure
    from matplotlib.lines import Line2D
    from matplotlib.typing import ColorType
    from numpy.typing import ArrayLike

    from .types import HasEigenvalues, Loss

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = ["PALETTE", "REGIME_COLORS", "TEXT_COLORS", "STYLE", "PRESENTER_STYLE", "EXPLORER_STYLE",
           "PRESENTER_EXPLORER_STYLE", "use_style", "presenter_mode", "style", "explorer_style", "styled", "figure",
           "show", "png_bytes", "loss_curve", "gap", "curve_1d", "path_1d", "contour", "path_2d",
           "update_path_2d",
           "theory_lines", "lr_ruler", "lr_map", "small_multiples", "schedule_curves", "regime_badge"]

# Okabe & Ito (2008), colour-blind safe
PALETTE = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
           "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
           "grey": "#7F7F7F"}
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
#: a colour for every regime word: theory's (``lrlab.theory.REGIMES``), the path's
#: (``lrlab.diagnostics.PATH_SHAPES``), and 'slow' and 'converging' (``lrlab.theory.expected_regime``'s
#: words, which lessons 02 and 08 colour with)
REGIME_COLORS = {"monotone convergence": PALETTE["green"], "oscillating convergence": PALETTE["orange"],
                 "no convergence": PALETTE["purple"], "divergence": PALETTE["vermillion"],
                 "monotone": PALETTE["green"], "oscillating": PALETTE["orange"], "diverging": PALETTE["vermillion"],
                 "slow": PALETTE["sky"], "converging": PALETTE["green"],
                 # a network's training loss read epoch by epoch (lrlab.lessons.capstone.LOSS_SHAPES)
                 "kept falling": PALETTE["green"], "climbed back over 1.5× its low": PALETTE["orange"],
                 "ended above its start": PALETTE["vermillion"], "blew up": PALETTE["vermillion"]}
#: darker shades of two palette colours for coloured *text* on a white page: the palette's own green and
#: vermillion are 3.3:1 and 3.8:1 against white, below WCAG AA's 4.5:1 for text; these are 5.5:1 and 5.6:1
TEXT_COLORS = {"green": "#00755A", "vermillion": "#A84A00"}

STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 12,
         "xtick.labelsize": 11, "ytick.labelsize": 11, "lines.linewidth": 2.0, "lines.markersize": 5,
         "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
         "axes.prop_cycle": mpl.cycler(color=CYCLE), "figure.dpi": 100, "savefig.dpi": 100,
         "figure.facecolor": "white", "axes.titleweight": "bold"}
# for a lecture hall (``lrlab present``): larger type and thicker lines (an explorer's figure takes
# the type sizes of PRESENTER_EXPLORER_STYLE below, so that three panels share a 1024 px projector)
PRESENTER_STYLE = {**STYLE, "font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                   "legend.fontsize": 13, "xtick.labelsize": 13, "ytick.labelsize": 13,
                   "lines.linewidth": 3.2, "lines.markersize": 8, "axes.linewidth": 1.4,
                   "grid.alpha": 0.35}

#: an explorer's figure (changes to the style above): a size smaller type, so that its panels share a
#: notebook column three abreast (JupyterLab's column is 848 px wide at a 1280 px window with the file
#: browser open: 280 px a panel), and the same in the presenter's style for a 1024 px projector
EXPLORER_STYLE = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 10.5,
                  "xtick.labelsize": 10, "ytick.labelsize": 10}
PRESENTER_EXPLORER_STYLE = {"font.size": 13, "axes.titlesize": 14, "axes.labelsize": 13, "legend.fontsize": 12,
                            "xtick.labelsize": 12, "ytick.labelsize": 12}

_current = dict(STYLE)

# upper limits that keep a figure drawable (a typo of 1e9 points would exhaust memory instead)
_MAX_POINTS = 1_000_000      # points along a curve, steps of a schedule plot
_MAX_GRID = 2_000            # contour grid points per axis
_MAX_ARROWS = 10_000
_MAX_LEVELS = 1_000
_MAX_PANELS = 100            # rows or columns of a figure
_MAX_INCHES = 100.0
_MAX_DPI = 1_000


# --------------------------------------------------------------------------- argument checks

def _check_color(name: str, color, *, optional: bool = True):
    """A matplotlib colour (or None when ``optional``)."""
    if color is None and optional:
        return None
    if isinstance(color, (bool, np.bool_)) or not mpl.colors.is_color_like(color):
        raise ValueError(f"{name} must be a matplotlib colour (a name such as 'tab:blue', '#0072B2' or an RGB "
                         f"tuple){' or None' if optional else ''}, got {name}={color!r}")
    return color


def _check_theory_loss(name: str, loss, *, optional: bool = True):
    """A loss with known Hessian eigenvalues (or None); anything else that theory refuses is refused here."""
    if loss is None and optional:
        return None
    theory.eigenvalues(loss)          # raises TypeError/ValueError naming 'loss'
    return loss


def _check_size(name: str, value):
    """A figure's width or height in inches (None: the default)."""
    return None if value is None else check_number(name, value, low=0.0, low_inclusive=False, high=_MAX_INCHES)


def _check_ax(name: str, ax, *, optional: bool = True):
    return check_instance(name, ax, Axes, "a matplotlib Axes", optional=optional)


def _check_fig(name: str, fig):
    return check_instance(name, fig, Figure, "a matplotlib Figure (from lrlab.plotting.figure or plt.figure)")


_POSITIVE = dict(low=0.0, low_inclusive=False)      # a learning rate on a log axis
_MOMENTUM = dict(low=0.0, high=1.0, high_inclusive=False)


def use_style(presenter: bool = False) -> None:
    """Set lrlab's style for the figures made from now on (presenter: big fonts, thick lines)."""
    presenter = check_flag("presenter", presenter)
    _current.clear()
    _current.update(PRESENTER_STYLE if presenter else STYLE)


if os.environ.get("LRLAB_PRESENTER", "0") not in ("", "0"):   # set by ``lrlab present`` for its kernels
    use_style(presenter=True)


def presenter_mode() -> bool:
    """Whether figures are made in the presenter's style now (``lrlab present``, or ``use_style(presenter=True)``)."""
    return _current["font.size"] > STYLE["font.size"]


def style(presenter: bool | None = None) -> AbstractContextManager[None]:
    """Context manager applying lrlab's rcParams (the current style, or the one asked for)."""
    if presenter is not None:
        presenter = check_flag("presenter", presenter)
    return _style(_current if presenter is None else (PRESENTER_STYLE if presenter else STYLE))


def explorer_style() -> AbstractContextManager[None]:
    """Context manager: the current style with an explorer figure's type sizes (:data:`EXPLORER_STYLE`)."""
    return _style({**_current, **(PRESENTER_EXPLORER_STYLE if presenter_mode() else EXPLORER_STYLE)})


@contextmanager
def _style(params):
    with mpl.rc_context(params):
        yield


def styled(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator: run a figure builder inside lrlab's rcParams (titles and labels get the style)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with style():
            return fn(*args, **kwargs)
    return wrapper


def figure(nrows: int = 1, ncols: int = 1, *, width: float | None = None, height: float | None = None,
           squeeze: bool = True, **subplot_kw: Any) -> tuple[Figure, Axes | np.ndarray]:
    """A new ``Figure`` (no pyplot) with a grid of axes in lrlab's style; returns ``(fig, axes)``."""
    nrows = check_count("nrows", nrows, high=_MAX_PANELS)
    ncols = check_count("ncols", ncols, high=_MAX_PANELS)
    width, height = _check_size("width", width), _check_size("height", height)
    squeeze = check_flag("squeeze", squeeze)
    with style():
        presenter = presenter_mode()
        w = width or min(4.2 * ncols, 13.0) * (1.25 if presenter else 1.0)
        h = height or 3.3 * nrows * (1.25 if presenter else 1.0)
        fig = Figure(figsize=(w, h), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=squeeze, subplot_kw=subplot_kw or None)
    return fig, axes


def figure_or_ax(ax: Axes | None = None, *, width: float | None = None,
                 height: float | None = None) -> tuple[Figure | SubFigure, Axes]:
    """``(fig, ax)``: a new one-axes figure of this size when ``ax`` is None, else ``ax`` and its figure.

    What a figure function of one axes calls first, so that it can draw into a caller's grid too.
    """
    if _check_ax("ax", ax) is None:
        return figure(1, 1, width=width, height=height)
    return ax.figure, ax


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (deterministic: no metadata timestamp)."""
    _check_fig("fig", fig)
    dpi = check_number("dpi", dpi, low=0.0, low_inclusive=False, high=_MAX_DPI)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def show(fig: Figure, dpi: int = 100) -> None:
    """Display a figure as a static PNG in a notebook."""
    from IPython.display import Image, display
    _check_fig("fig", fig)
    dpi = check_number("dpi", dpi, low=0.0, low_inclusive=False, high=_MAX_DPI)
    img = Image(data=png_bytes(fig, dpi=dpi), format="png")
    display(img)


def _ax(ax):
    if _check_ax("ax", ax) is None:
        _, ax = figure()
    return ax


def gap(traj: Trajectory) -> np.ndarray:
    """Loss minus the known minimum (the loss itself when the minimum is unknown)."""
    check_trajectory("traj", traj)
    return traj.loss - (traj.loss_min or 0.0)


def loss_curve(traj: Trajectory, ax: Axes | None = None, *, labels: Sequence[str] | None = None,
               colors: Sequence[ColorType] | None = None, log: bool = True, gap_to_min: bool = True,
               ylim: tuple[float, float] | None = None, **kwargs: Any) -> list[Line2D]:
    """Loss (or loss gap) against step, one line per trajectory; returns the lines."""
    check_trajectory("traj", traj)
    log, gap_to_min = check_flag("log", log), check_flag("gap_to_min", gap_to_min)
    ylim = check_range("ylim", ylim, positive=log)
    n = int(np.prod(traj.batch_shape))
    if labels is not None:
        check_list("labels", labels, n, what="strings", per="line", item=lambda name, v: check_text(name, v))
    if colors is not None:
        check_list("colors", colors, n, what="matplotlib colours", per="line",
                    item=lambda name, v: _check_color(name, v, optional=False))
    ax = _ax(ax)
    y = gap(traj) if gap_to_min else traj.loss
    y = y.reshape(y.shape[0], -1)
    steps = np.arange(y.shape[0])
    lines = []
    with style():
        for i in range(y.shape[1]):
            kw = dict(kwargs)
            if colors is not None:
                kw["color"] = colors[i]
            if labels is not None:
                kw["label"] = labels[i]
            lines += ax.plot(steps, np.where(np.isfinite(y[:, i]), y[:, i], np.nan), **kw)
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("loss − min" if gap_to_min and traj.loss_min is not None else "loss")
        if ylim is not None:
            ax.set_ylim(*ylim)
        if labels is not None:
            ax.legend(frameon=False)
    return lines


def curve_1d(loss: Loss, ax: Axes | None = None, *, num: int = 600, bounds: tuple[float, float] | None = None,
             **kwargs: Any) -> Line2D:
    """The graph of a 1-D loss over its plotting bounds; returns the line."""
    check_loss("loss", loss, grad=False, dim=1, bounds=bounds is None)
    num = check_count("num", num, low=2, high=_MAX_POINTS)
    bounds = check_range("bounds", bounds)
    ax = _ax(ax)
    lo, hi = (loss.bounds[0] if bounds is None else bounds)
    xs = np.linspace(lo, hi, num)
    with style():
        (line,) = ax.plot(xs, loss.value(xs[:, None]), color=PALETTE["grey"], lw=kwargs.pop("lw", 2.0), **kwargs)
        ax.set_xlabel("w")
        ax.set_ylabel("loss")
    return line


def path_1d(loss: Loss, traj: Trajectory, ax: Axes | None = None, *, max_arrows: int = 15,
            color: ColorType | None = None) -> dict[str, Any]:
    """The stride picture: iterates on the curve of a 1-D loss, each step an arrow.

    A step that leaves the axes' view (set the limits first) is cut at its edge, arrowhead there.

    Returns ``{'points': Line2D, 'arrows': Quiver, 'start': Line2D}``; update
    with ``update_path_1d``.
    """
    check_loss("loss", loss, grad=False, dim=1)
    check_trajectory("traj", traj, dim=1, single=True)
    max_arrows = check_count("max_arrows", max_arrows, high=_MAX_ARROWS)
    _check_color("color", color)
    ax = _ax(ax)
    color = color or PALETTE["blue"]
    with style():
        (points,) = ax.plot([], [], "o", color=color, ms=5, zorder=3, alpha=0.8)
        (start,) = ax.plot([], [], "o", color=PALETTE["black"], ms=8, zorder=4)
        arrows = ax.quiver(np.zeros(max_arrows), np.zeros(max_arrows), np.zeros(max_arrows), np.zeros(max_arrows),
                           angles="xy", scale_units="xy", scale=1, color=color, width=0.006, zorder=3,
                           minlength=0)   # unused slots are zero-length: draw nothing for them
    artists = {"points": points, "arrows": arrows, "start": start, "max_arrows": max_arrows}
    update_path_1d(artists, traj)
    return artists


def update_path_1d(artists: dict[str, Any], traj: Trajectory) -> None:
    """Move the artists of ``path_1d`` to a new single trajectory."""
    check_trajectory("traj", traj, dim=1, single=True)
    x = traj.params[:, 0]
    f = traj.loss.copy()
    ok = np.isfinite(f) & np.isfinite(x)
    x, f = x[ok], f[ok]
    artists["points"].set_data(x, f)
    artists["start"].set_data(x[:1], f[:1])
    k = artists["max_arrows"]
    m = min(k, max(len(x) - 1, 0))
    xs, fs = np.full(k, x[-1] if len(x) else 0.0), np.full(k, f[-1] if len(f) else 0.0)
    us, vs = np.zeros(k), np.zeros(k)
    xs[:m], fs[:m] = x[:m], f[:m]
    us[:m], vs[:m] = np.diff(x)[:m], np.diff(f)[:m]
    us[:m], vs[:m] = _clip_steps(artists["arrows"].axes, xs[:m], fs[:m], us[:m], vs[:m])
    artists["arrows"].set_offsets(np.c_[xs, fs])
    artists["arrows"].set_UVC(us, vs)


def _clip_steps(ax, x, f, u, v, inset: float = 0.015):
    """Steps (x, f) -> (x + u, f + v) cut where they leave the axes' view (shrunk by ``inset`` of each span),
    so that a step that jumps off the plot ends in an arrowhead at its edge; a step that starts outside
    the view is left as it is (the axes clip it)."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    dx, dy = inset * (x1 - x0), inset * (y1 - y0)
    x0, x1, y0, y1 = x0 + dx, x1 - dx, y0 + dy, y1 - dy
    inside = (x >= x0) & (x <= x1) & (f >= y0) & (f <= y1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(u > 0, (x1 - x) / u, np.where(u < 0, (x0 - x) / u, np.inf))
        ty = np.where(v > 0, (y1 - f) / v, np.where(v < 0, (y0 - f) / v, np.inf))
    t = np.where(inside, np.clip(np.minimum(tx, ty), 0.0, 1.0), 1.0)
    return u * t, v * t


def contour(loss: Loss, ax: Axes | None = None, *, num: int = 200, bounds: ArrayLike | None = None, levels: int = 18,
            log_levels: bool = True) -> QuadContourSet:
    """Filled contours of a 2-D loss on its plotting bounds; returns the contour set."""
    check_loss("loss", loss, grad=False, dim=2, bounds=bounds is None)
    num = check_count("num", num, low=2, high=_MAX_GRID)
    levels = check_count("levels", levels, low=2, high=_MAX_LEVELS)
    log_levels = check_flag("log_levels", log_levels)
    if bounds is not None:
        b = as_real_array("bounds", bounds, what="(low, high) pairs of finite numbers, shape (2, 2)")
        if b.shape != (2, 2) or not np.all(np.isfinite(b)) or np.any(b[:, 0] >= b[:, 1]):
            raise ValueError(f"bounds must be (low, high) pairs of finite numbers, shape (2, 2), low < high, "
                             f"got bounds={bounds!r}")
    ax = _ax(ax)
    b = loss.bounds if bounds is None else np.asarray(bounds)
    u = np.linspace(b[0, 0], b[0, 1], num)
    v = np.linspace(b[1, 0], b[1, 1], num)
    U, V = np.meshgrid(u, v)
    Z = loss.value(np.stack([U, V], axis=-1))
    Z = Z - (loss.min_value if getattr(loss, "min_value", None) is not None else Z.min())
    with style():
        if log_levels:
            lo = max(np.percentile(Z, 1), 1e-6 * Z.max(), 1e-12)
            lv = np.geomspace(lo, Z.max(), levels)
            cs = ax.contourf(U, V, np.maximum(Z, lo), levels=lv, norm=mpl.colors.LogNorm(), cmap="Greys_r", alpha=0.75)
            ax.contour(U, V, Z, levels=lv, colors="white", linewidths=0.5, alpha=0.6)
        else:
            cs = ax.contourf(U, V, Z, levels=levels, cmap="Greys_r", alpha=0.55)
        if getattr(loss, "minimizer", None) is not None:
            ax.plot(*loss.minimizer, marker="*", color=PALETTE["black"], ms=14, zorder=5)
        ax.set_xlim(b[0]); ax.set_ylim(b[1])
        ax.set_xlabel("w₁"); ax.set_ylabel("w₂")
        ax.grid(False)
    return cs


def path_2d(traj: Trajectory, ax: Axes | None = None, *, color: ColorType | None = None, **kwargs: Any) -> Line2D:
    """The path of one 2-D trajectory as a polyline with markers; returns the line.

    A run that diverged is drawn up to where it leaves the axes' view (set the limits first), with an
    arrowhead at the edge, instead of its growing zig-zag; move it with ``update_path_2d``.
    """
    check_trajectory("traj", traj, dim=2)
    _check_color("color", color)
    ax = _ax(ax)
    with style():
        (line,) = ax.plot([], [], "-o", color=color or PALETTE["blue"], ms=3, lw=1.6, **kwargs)
        head = ax.annotate("", xy=(0, 0), xytext=(0, 0), annotation_clip=False, zorder=5,   # above labels
                           arrowprops=dict(arrowstyle="-|>", color=line.get_color(), lw=1.6, mutation_scale=22,
                                           shrinkA=0, shrinkB=0))
    _EXIT_HEADS[line] = head
    update_path_2d(line, traj)
    return line


_EXIT_HEADS = weakref.WeakKeyDictionary()      # path_2d's line -> its arrowhead at the view's edge


def update_path_2d(line: Line2D, traj: Trajectory, color: ColorType | None = None,
                   diverging: bool | None = None) -> None:
    """Move the line of ``path_2d`` (and its arrowhead at the edge) to a new single trajectory.

    ``diverging``: whether to cut the path at the view's edge; None asks ``diagnostics.path_shape``.
    """
    from matplotlib.lines import Line2D
    if not isinstance(line, Line2D) or line.axes is None:
        raise TypeError(f"line must be the matplotlib Line2D that path_2d returned (on an axes), got {line!r}")
    check_trajectory("traj", traj, dim=2)
    _check_color("color", color)
    if diverging is not None:
        diverging = check_flag("diverging", diverging)
    p = traj.params.reshape(traj.params.shape[0], -1, 2)[:, 0]
    head = _EXIT_HEADS.get(line)
    if color is not None:
        line.set_color(color)
    exit_ = None
    if diverging is None:
        diverging = bool(np.any(np.asarray(diagnostics.path_shape(traj)) == "diverging"))
    if diverging and line.axes is not None:
        (x0, x1), (y0, y1) = sorted(line.axes.get_xlim()), sorted(line.axes.get_ylim())
        dx, dy = 0.01 * (x1 - x0), 0.01 * (y1 - y0)
        with np.errstate(invalid="ignore"):
            out = ~((p[:, 0] >= x0 + dx) & (p[:, 0] <= x1 - dx) & (p[:, 1] >= y0 + dy) & (p[:, 1] <= y1 - dy))
        box_lo, box_hi = np.array([x0 + dx, y0 + dy]), np.array([x1 - dx, y1 - dy])

        def crossing(a, b):
            """(t_in, t_out) of the part of the step a -> b inside the view, or None."""
            d = b - a
            with np.errstate(divide="ignore", invalid="ignore"):
                lo = np.where(d != 0, (box_lo - a) / d, np.where((a >= box_lo) & (a <= box_hi), -np.inf, np.inf))
                hi = np.where(d != 0, (box_hi - a) / d, np.where((a >= box_lo) & (a <= box_hi), np.inf, -np.inf))
            t_in, t_out = max(float(np.max(np.minimum(lo, hi))), 0.0), min(float(np.min(np.maximum(lo, hi))), 1.0)
            return (t_in, t_out) if t_in < t_out else None

        first = next((j for j in range(1, p.shape[0]) if crossing(p[j - 1], p[j]) is not None), None)
        if first is not None:                        # the first step that shows in the view
            t_in, _ = crossing(p[first - 1], p[first])
            entry = p[first - 1] + t_in * (p[first] - p[first - 1])
            later = out[first:]
            k = first + int(np.argmax(later)) if later.any() else -1      # the first step that ends outside
            if k >= 1:
                a = entry if k == first else p[k - 1]
                t_out = crossing(a, p[k])[1] if crossing(a, p[k]) is not None else 0.0
                exit_ = tuple(a + t_out * (p[k] - a))
                kept = np.r_[entry[None], p[first:k]]
                p = kept
                line.set_data(np.r_[p[:, 0], exit_[0]], np.r_[p[:, 1], exit_[1]])
                marks = list(range(1 if out[first - 1] else 0, len(p)))     # the entry is no iterate
                line.set_markevery(marks)
    if exit_ is None:
        line.set_data(p[:, 0], p[:, 1])
        line.set_markevery(None)
    if head is not None:
        head.set_visible(exit_ is not None)
        if exit_ is not None:
            head.xy = exit_
            head.set_position(((p[-1, 0] + exit_[0]) / 2, (p[-1, 1] + exit_[1]) / 2))
            head.arrow_patch.set_color(line.get_color())


def theory_lines(ax: Axes, loss: HasEigenvalues, *, momentum: float = 0.0, axis: str = "x",
                 labels: bool = True) -> list[Artist]:
    """Dotted lines at 1/L and 2(1+β)/L (the stability limit); returns the artists."""
    _check_ax("ax", ax, optional=False)
    _check_theory_loss("loss", loss, optional=False)
    momentum = check_number("momentum", momentum, **_MOMENTUM)
    axis = check_choice("axis", axis, ("x", "y"))        # x: vertical lines at the lrs; y: horizontal ones
    labels = check_flag("labels", labels)
    L = theory.eigenvalues(loss)[-1]
    marks = [(1.0 / L, "1/L", PALETTE["green"])]
    crit = theory.critical_lr(loss, momentum)
    marks.append((crit, "2/L" if momentum == 0 else "2(1+β)/L", PALETTE["vermillion"]))
    artists = []
    line = ax.axvline if axis == "x" else ax.axhline
    for k, (value, text, color) in enumerate(marks):
        artists.append(line(value, color=color, ls=":", lw=2, zorder=1))
        if labels:
            tr = ax.get_xaxis_transform() if axis == "x" else ax.get_yaxis_transform()
            if axis == "x" and k:
                # one line lower than 1/L's label: in a narrow panel the two lines are closer than a label is
                # wide (2/L is 0.3 decade right of 1/L), and side by side the labels would overprint
                from matplotlib.transforms import offset_copy
                tr = offset_copy(tr, fig=ax.figure, y=-1.5 * mpl.font_manager.FontProperties(
                    size="small").get_size_in_points(), units="points")
            pos = (value, 0.97) if axis == "x" else (0.99, value)
            artists.append(ax.text(*pos, f" {text} ", transform=tr, color=color, ha="right" if axis == "x" else "right",
                                   va="top" if axis == "x" else "bottom", fontsize="small", fontweight="bold",
                                   bbox=dict(fc="white", ec="none", alpha=0.8, pad=1)))
    return artists


def lr_ruler(ax: Axes, lr_min: float, lr_max: float, loss: Loss | None = None, *, momentum: float = 0.0,
             lr: float | None = None) -> Line2D:
    """A log-lr axis with the regimes of a quadratic shaded and the current lr marked.

    Shades the regimes :func:`lrlab.theory.regime` names (monotone convergence below 1/L without
    momentum, oscillating convergence, divergence past the critical lr). Returns the marker artist.
    """
    _check_ax("ax", ax, optional=False)
    lr_min, lr_max = check_number("lr_min", lr_min, **_POSITIVE), check_number("lr_max", lr_max, **_POSITIVE)
    if not lr_min < lr_max:
        raise ValueError(f"lr_min must be below lr_max, got lr_min={lr_min!r}, lr_max={lr_max!r}")
    check_loss("loss", loss, grad=False, optional=True)
    momentum = check_number("momentum", momentum, **_MOMENTUM)
    if lr is not None:
        lr = check_number("lr", lr, **_POSITIVE)
    with style():
        ax.set_xscale("log")
        ax.set_xlim(lr_min, lr_max)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.grid(False)
        for s in ("left", "right", "top"):
            ax.spines[s].set_visible(False)
        if loss is not None and getattr(loss, "eigenvalues", None) is not None:
            lrs = np.geomspace(lr_min, lr_max, 601)
            regimes = theory.regime(loss, lrs, momentum)
            cuts = np.flatnonzero(regimes[1:] != regimes[:-1]) + 1
            for i, j in zip(np.r_[0, cuts], np.r_[cuts, lrs.size]):
                lo, hi = lrs[i], lrs[min(j, lrs.size - 1)]
                ax.axvspan(lo, hi, color=REGIME_COLORS[regimes[i]], alpha=0.35, lw=0)
            theory_lines(ax, loss, momentum=momentum)
        ax.set_xlabel("learning rate (log scale)")
        (marker,) = ax.plot([lr if lr is not None else lr_min] * 2, [0, 1], color=PALETTE["black"], lw=3)
    return marker


def lr_map(lrs: ArrayLike, final: ArrayLike, ax: Axes | None = None, *, loss: HasEigenvalues | None = None,
           momentum: float = 0.0, ylim: tuple[float, float] | None = None,
           label: str = "loss after N steps") -> dict[str, Any]:
    """Final loss (gap) against lr on log-log axes; diverged runs drawn at the top.

    Returns ``{'line': Line2D, 'diverged': Line2D, 'marker': Line2D, 'vline': Line2D}``.
    """
    lrs = as_real_array("lrs", lrs, what="a 1-D array of positive learning rates")
    if lrs.ndim != 1 or lrs.size == 0 or not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError(f"lrs must be a non-empty 1-D array of finite learning rates > 0 (a log axis), "
                         f"got lrs of shape {lrs.shape}: {np.array2string(lrs, threshold=6)}")
    final = as_real_array("final", final, what="an array of losses, one per lr (NaN or inf for a diverged run)")
    if final.shape != lrs.shape:
        raise ValueError(f"final must hold one loss per lr, shape {lrs.shape}, got shape {final.shape}")
    _check_theory_loss("loss", loss)
    momentum = check_number("momentum", momentum, **_MOMENTUM)
    ylim = check_range("ylim", ylim, positive=True)
    check_text("label", label)
    ax = _ax(ax)
    with style():
        ok = np.isfinite(final) & (final > 0)
        top = ylim[1] if ylim else (final[ok].max() * 10 if ok.any() else 1.0)
        bottom = ylim[0] if ylim else max(final[ok].min() / 10, 1e-18) if ok.any() else 1e-18
        y = np.clip(np.where(ok, final, np.nan), bottom, top)
        (line,) = ax.plot(lrs, y, color=PALETTE["blue"], lw=2, label=label)
        bad = ~np.isfinite(final)
        (div,) = ax.plot(lrs[bad], np.full(bad.sum(), top), "|", color=REGIME_COLORS["diverging"], ms=10, label="diverged")
        ax.set_xscale("log"); ax.set_yscale("log")
        ax.set_xlim(lrs.min(), lrs.max()); ax.set_ylim(bottom, top * 1.5)
        ax.set_xlabel("learning rate")
        ax.set_ylabel(label)
        if loss is not None and getattr(loss, "eigenvalues", None) is not None:
            theory_lines(ax, loss, momentum=momentum)
        vline = ax.axvline(lrs[0], color=PALETTE["black"], lw=1.5, alpha=0.7)
        (marker,) = ax.plot([], [], "o", color=PALETTE["black"], ms=9, zorder=5)
    return {"line": line, "diverged": div, "marker": marker, "vline": vline, "top": top, "bottom": bottom}


def regime_badge(regime: str, progress: float | None = None) -> str:
    """HTML for a coloured regime label (for ipywidgets.HTML), with the run's progress beside it.

    A word of :data:`REGIME_COLORS` (``lrlab.theory.REGIMES``, ``lrlab.diagnostics.PATH_SHAPES``) gets its
    colour; any other word (an explorer's own ``regime`` hook may name its verdicts) a neutral grey. The
    word itself is always shown, so colour is never the only carrier of the regime. ``progress`` (the
    fraction of the loss gap closed, :func:`lrlab.diagnostics.progress`) adds e.g. "· 70% of the loss gap
    closed" (:func:`lrlab.diagnostics.progress_text`); NaN or None adds nothing.
    """
    if not isinstance(regime, str) or not regime.strip():
        raise TypeError(f"regime must be a non-empty string (one of {', '.join(map(repr, REGIME_COLORS))} "
                        f"gets its colour, any other word a neutral grey), got regime={regime!r} "
                        f"of type {type(regime).__name__}")
    import html
    # black on every regime colour: at least 5.4:1 (white on vermillion would be 3.9:1, under WCAG AA)
    color = REGIME_COLORS.get(regime, "#d9d9d9")
    word = html.escape(regime)
    detail = diagnostics.progress_text(progress) if progress is not None else ""
    detail = f'<span class="lrlab-progress" style="font-weight:normal"> · {html.escape(detail)}</span>' if detail else ""
    return (f'<span class="lrlab-regime" data-regime="{word}" style="background:{color};color:#000;'
            f'padding:2px 10px;border-radius:10px;font-weight:bold;font-size:1.1em">{word}{detail}</span>')


def small_multiples(traj: Trajectory, loss: Loss, *, ncols: int = 4, titles: Sequence[str] | None = None,
                    num_arrows: int = 12, suptitle: str | None = None,
                    badges: Sequence[str] | Literal[False] | None = None) -> tuple[Figure, np.ndarray]:
    """One panel per trajectory of a batched run: the path (1-D curve or 2-D contour) titled with its lr,
    coloured and badged with a word per run; returns ``(fig, axes)``.

    ``badges``: the words, one per run (e.g. ``lrlab.theory.regime`` of each lr on a quadratic); default
    the shape of each path (:func:`lrlab.diagnostics.path_shape`: monotone, oscillating, diverging), which
    is what the figure can show of any loss; ``False`` for no badge (paths in the regime's colour still).
    A word of :data:`REGIME_COLORS` gets its colour, any other a neutral grey."""
    check_trajectory("traj", traj)
    d = traj.params.shape[-1]
    if d not in (1, 2):
        raise ValueError(f"traj must be a run in 1 or 2 dimensions (a curve or a contour per panel), "
                         f"got points of {d} coordinates")
    check_loss("loss", loss, grad=False, dim=d, bounds=True)
    ncols = check_count("ncols", ncols, high=_MAX_PANELS)
    num_arrows = check_count("num_arrows", num_arrows, high=_MAX_ARROWS)
    n_runs = int(np.prod(traj.batch_shape))
    if n_runs > _MAX_PANELS ** 2:
        raise ValueError(f"traj must hold at most {_MAX_PANELS ** 2} runs (one panel each), got {n_runs}")
    if titles is not None:
        check_list("titles", titles, n_runs, what="strings", per="panel", item=lambda name, v: check_text(name, v))
    check_text("suptitle", suptitle, optional=True)
    shapes = np.atleast_1d(diagnostics.path_shape(traj))
    n = shapes.size
    show_badges = badges is not False
    if badges is None or badges is False:
        regimes = shapes
    else:
        check_list("badges", badges, n, what="strings", per="panel", item=lambda name, v: check_text(name, v))
        regimes = [str(b) for b in badges]
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = figure(nrows, ncols, squeeze=False)
    flat = traj.params.reshape(traj.params.shape[0], n, -1)
    lrs = np.broadcast_to(traj.lr[0] if traj.num_steps else np.zeros(traj.batch_shape), traj.batch_shape).reshape(n)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_visible(False)
            continue
        one = traj[np.unravel_index(i, traj.batch_shape)] if traj.batch_shape else traj
        color = REGIME_COLORS.get(regimes[i], PALETTE["grey"])
        with style():
            if flat.shape[-1] == 1:
                curve_1d(loss, ax)
                lo, hi = loss.bounds[0]
                ax.set_xlim(lo, hi)
                vals = loss.value(np.linspace(lo, hi, 200)[:, None])
                ax.set_ylim(vals.min() - 0.1 * np.ptp(vals), vals.max() + 0.1 * np.ptp(vals))
                path_1d(loss, one, ax, max_arrows=num_arrows, color=color)   # after the view: steps clip to it
            else:
                contour(loss, ax)
                path_2d(one, ax, color=color)
            title = titles[i] if titles is not None else f"lr = {lrs[i]:.3g}"
            ax.set_title(title)
            if show_badges:
                ax.text(0.02, 0.96, regimes[i], transform=ax.transAxes, va="top", ha="left", fontweight="bold",
                        color="black", bbox=dict(boxstyle="round,pad=0.3", fc=color, ec="none", alpha=0.9))
    if suptitle:
        fig.suptitle(suptitle, fontweight="bold")
    return fig, axes


def schedule_curves(schedules: dict[str, Callable[[np.ndarray], ArrayLike]], num_steps: int, ax: Axes | None = None,
                    *, loss: HasEigenvalues | None = None, log: bool = False) -> list[Line2D]:
    """lr against step for several schedules (a dict name -> schedule); returns the lines."""
    if not isinstance(schedules, dict) or not schedules:
        raise TypeError(f"schedules must be a non-empty dict name -> schedule (a callable of the step), "
                        f"got schedules={schedules!r}")
    for name, sched in schedules.items():
        if not isinstance(name, str) or not callable(sched):
            raise TypeError(f"schedules must map names (strings) to schedules (callables of the step), "
                            f"got the entry {name!r}: {sched!r}")
    num_steps = check_count("num_steps", num_steps, high=_MAX_POINTS)
    _check_theory_loss("loss", loss)
    log = check_flag("log", log)
    ax = _ax(ax)
    t = np.arange(num_steps)
    lines = []
    with style():
        for name, sched in schedules.items():
            lines += ax.plot(t, sched(t), label=name)
        if loss is not None:
            lines.append(ax.axhline(theory.critical_lr(loss), color=PALETTE["vermillion"], ls=":", lw=2, label="2/L"))
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("step"); ax.set_ylabel("learning rate")
        ax.legend(frameon=False, ncols=2)
    return lines
