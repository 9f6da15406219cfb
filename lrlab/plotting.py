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
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from . import diagnostics, theory

__all__ = ["PALETTE", "REGIME_COLORS", "TEXT_COLORS", "STYLE", "PRESENTER_STYLE", "use_style", "style", "styled", "figure",
           "show", "png_bytes", "loss_curve", "gap", "curve_1d", "path_1d", "contour", "path_2d",
           "theory_lines", "lr_ruler", "lr_map", "small_multiples", "schedule_curves", "regime_badge"]

# Okabe & Ito (2008), colour-blind safe
PALETTE = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
           "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
           "grey": "#7F7F7F"}
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
REGIME_COLORS = {"slow": PALETTE["sky"], "converging": PALETTE["green"],
                 "oscillating": PALETTE["orange"], "diverging": PALETTE["vermillion"]}
#: darker shades of two palette colours for coloured *text* on a white page: the palette's own green and
#: vermillion are 3.3:1 and 3.8:1 against white, below WCAG AA's 4.5:1 for text; these are 5.5:1 and 5.6:1
TEXT_COLORS = {"green": "#00755A", "vermillion": "#A84A00"}

STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 10,
         "xtick.labelsize": 11, "ytick.labelsize": 11, "lines.linewidth": 2.0, "lines.markersize": 5,
         "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
         "axes.prop_cycle": mpl.cycler(color=CYCLE), "figure.dpi": 100, "savefig.dpi": 100,
         "figure.facecolor": "white", "axes.titleweight": "bold"}
# for a lecture hall (``lrlab present``): larger type and thicker lines, sized so that the
# widgets' 13-inch, three-panel figures still fit their labels
PRESENTER_STYLE = {**STYLE, "font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                   "legend.fontsize": 13, "xtick.labelsize": 13, "ytick.labelsize": 13,
                   "lines.linewidth": 3.2, "lines.markersize": 8, "axes.linewidth": 1.4,
                   "grid.alpha": 0.35}

_current = dict(STYLE)


def use_style(presenter: bool = False) -> None:
    """Set lrlab's style for the figures made from now on (presenter: big fonts, thick lines)."""
    _current.clear()
    _current.update(PRESENTER_STYLE if presenter else STYLE)


if os.environ.get("LRLAB_PRESENTER", "0") not in ("", "0"):   # set by ``lrlab present`` for its kernels
    use_style(presenter=True)


@contextmanager
def style(presenter: bool | None = None):
    """Context manager applying lrlab's rcParams (the current style, or the one asked for)."""
    params = _current if presenter is None else (PRESENTER_STYLE if presenter else STYLE)
    with mpl.rc_context(params):
        yield


def styled(fn):
    """Decorator: run a figure builder inside lrlab's rcParams (titles and labels get the style)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with style():
            return fn(*args, **kwargs)
    return wrapper


def figure(nrows: int = 1, ncols: int = 1, *, width: float | None = None, height: float | None = None,
           squeeze: bool = True, **subplot_kw):
    """A new ``Figure`` (no pyplot) with a grid of axes in lrlab's style; returns ``(fig, axes)``."""
    with style():
        presenter = _current["font.size"] > 14
        w = width or min(4.2 * ncols, 13.0) * (1.25 if presenter else 1.0)
        h = height or 3.3 * nrows * (1.25 if presenter else 1.0)
        fig = Figure(figsize=(w, h), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=squeeze, subplot_kw=subplot_kw or None)
    return fig, axes


def figure_or_ax(ax=None, *, width: float | None = None, height: float | None = None):
    """``(fig, ax)``: a new one-axes figure of this size when ``ax`` is None, else ``ax`` and its figure.

    What a figure function of one axes calls first, so that it can draw into a caller's grid too.
    """
    if ax is None:
        return figure(1, 1, width=width, height=height)
    return ax.figure, ax


def png_bytes(fig, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (deterministic: no metadata timestamp)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def show(fig, dpi: int = 100):
    """Display a figure as a static PNG in a notebook (and return the Image object)."""
    from IPython.display import Image, display
    img = Image(data=png_bytes(fig, dpi=dpi), format="png")
    display(img)


def _ax(ax):
    if ax is None:
        _, ax = figure()
    return ax


def gap(traj) -> np.ndarray:
    """Loss minus the known minimum (the loss itself when the minimum is unknown)."""
    return traj.loss - (traj.loss_min or 0.0)


def loss_curve(traj, ax=None, *, labels=None, colors=None, log: bool = True, gap_to_min: bool = True,
               ylim=None, **kwargs):
    """Loss (or loss gap) against step, one line per trajectory; returns the lines."""
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


def curve_1d(loss, ax=None, *, num: int = 600, bounds=None, **kwargs):
    """The graph of a 1-D loss over its plotting bounds; returns the line."""
    ax = _ax(ax)
    lo, hi = (loss.bounds[0] if bounds is None else bounds)
    xs = np.linspace(lo, hi, num)
    with style():
        (line,) = ax.plot(xs, loss.value(xs[:, None]), color=PALETTE["grey"], lw=kwargs.pop("lw", 2.0), **kwargs)
        ax.set_xlabel("w")
        ax.set_ylabel("loss")
    return line


def path_1d(loss, traj, ax=None, *, max_arrows: int = 15, color=None):
    """The stride picture: iterates on the curve of a 1-D loss, each step an arrow.

    Returns ``{'points': Line2D, 'arrows': Quiver, 'start': Line2D}``; update
    with ``update_path_1d``.
    """
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


def update_path_1d(artists, traj):
    """Move the artists of ``path_1d`` to a new single trajectory."""
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
    artists["arrows"].set_offsets(np.c_[xs, fs])
    artists["arrows"].set_UVC(us, vs)


def contour(loss, ax=None, *, num: int = 200, bounds=None, levels: int = 18, log_levels: bool = True):
    """Filled contours of a 2-D loss on its plotting bounds; returns the contour set."""
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


def path_2d(traj, ax=None, *, color=None, **kwargs):
    """The path of one 2-D trajectory as a polyline with markers; returns the line."""
    ax = _ax(ax)
    p = traj.params.reshape(traj.params.shape[0], -1, 2)[:, 0]
    with style():
        (line,) = ax.plot(p[:, 0], p[:, 1], "-o", color=color or PALETTE["blue"], ms=3, lw=1.6, **kwargs)
    return line


def theory_lines(ax, loss, *, momentum: float = 0.0, axis: str = "x", labels: bool = True):
    """Dotted lines at 1/L and 2(1+β)/L (the stability limit); returns the artists."""
    L = theory.eigenvalues(loss)[-1]
    marks = [(1.0 / L, "1/L", PALETTE["green"])]
    crit = theory.critical_lr(loss, momentum)
    marks.append((crit, "2/L" if momentum == 0 else f"2(1+β)/L", PALETTE["vermillion"]))
    artists = []
    line = ax.axvline if axis == "x" else ax.axhline
    for value, text, color in marks:
        artists.append(line(value, color=color, ls=":", lw=2, zorder=1))
        if labels:
            tr = ax.get_xaxis_transform() if axis == "x" else ax.get_yaxis_transform()
            pos = (value, 0.97) if axis == "x" else (0.99, value)
            artists.append(ax.text(*pos, f" {text} ", transform=tr, color=color, ha="right" if axis == "x" else "right",
                                   va="top" if axis == "x" else "bottom", fontsize="small", fontweight="bold",
                                   bbox=dict(fc="white", ec="none", alpha=0.8, pad=1)))
    return artists


def lr_ruler(ax, lr_min: float, lr_max: float, loss=None, *, momentum: float = 0.0, lr=None):
    """A log-lr axis with the regimes of a quadratic shaded and the current lr marked.

    Shades slow/converging (lr < 1/L), oscillating (1/L..2/L, without
    momentum) and diverging (lr > critical). Returns the marker artist.
    """
    with style():
        ax.set_xscale("log")
        ax.set_xlim(lr_min, lr_max)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.grid(False)
        for s in ("left", "right", "top"):
            ax.spines[s].set_visible(False)
        if loss is not None and getattr(loss, "eigenvalues", None) is not None:
            L = theory.eigenvalues(loss)[-1]
            crit = theory.critical_lr(loss, momentum)
            edges = [(lr_min, 1.0 / L if momentum == 0 else crit, "converging"),
                     (1.0 / L, crit, "oscillating"), (crit, lr_max, "diverging")]
            for lo, hi, regime in edges:
                if hi > lo and momentum == 0 or regime != "oscillating":
                    ax.axvspan(max(lo, lr_min), min(max(hi, lr_min), lr_max), color=REGIME_COLORS[regime], alpha=0.35, lw=0)
            theory_lines(ax, loss, momentum=momentum)
        ax.set_xlabel("learning rate (log scale)")
        (marker,) = ax.plot([lr if lr is not None else lr_min] * 2, [0, 1], color=PALETTE["black"], lw=3)
    return marker


def lr_map(lrs, final, ax=None, *, loss=None, momentum: float = 0.0, ylim=None, label="loss after N steps"):
    """Final loss (gap) against lr on log-log axes; diverged runs drawn at the top.

    Returns ``{'line': Line2D, 'diverged': Line2D, 'marker': Line2D, 'vline': Line2D}``.
    """
    ax = _ax(ax)
    lrs = np.asarray(lrs, dtype=float)
    final = np.asarray(final, dtype=float)
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


def regime_badge(regime: str) -> str:
    """HTML for a coloured regime label (for ipywidgets.HTML)."""
    # black on every regime colour: at least 5.4:1 (white on vermillion would be 3.9:1, under WCAG AA);
    # the word itself names the regime, the colour only repeats it
    color = REGIME_COLORS.get(regime, PALETTE["grey"])
    return (f'<span class="lrlab-regime" data-regime="{regime}" style="background:{color};color:#000;'
            f'padding:2px 10px;border-radius:10px;font-weight:bold;font-size:1.1em">{regime}</span>')


def small_multiples(traj, loss, *, ncols: int = 4, titles=None, num_arrows: int = 12, suptitle=None):
    """One panel per trajectory of a batched run: the path (1-D curve or 2-D contour)
    titled with its lr and coloured by its regime; returns ``(fig, axes)``."""
    regimes = np.atleast_1d(diagnostics.classify(traj))
    n = regimes.size
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
        color = REGIME_COLORS[regimes[i]]
        with style():
            if flat.shape[-1] == 1:
                curve_1d(loss, ax)
                path_1d(loss, one, ax, max_arrows=num_arrows, color=color)
                lo, hi = loss.bounds[0]
                ax.set_xlim(lo, hi)
                vals = loss.value(np.linspace(lo, hi, 200)[:, None])
                ax.set_ylim(vals.min() - 0.1 * np.ptp(vals), vals.max() + 0.1 * np.ptp(vals))
            else:
                contour(loss, ax)
                path_2d(one, ax, color=color)
            title = titles[i] if titles is not None else f"lr = {lrs[i]:.3g}"
            ax.set_title(title)
            ax.text(0.02, 0.96, regimes[i], transform=ax.transAxes, va="top", ha="left", fontweight="bold",
                    color="black", bbox=dict(boxstyle="round,pad=0.3", fc=color, ec="none", alpha=0.9))
    if suptitle:
        fig.suptitle(suptitle, fontweight="bold")
    return fig, axes


def schedule_curves(schedules: dict, num_steps: int, ax=None, *, loss=None, log: bool = False):
    """lr against step for several schedules (a dict name -> schedule); returns the lines."""
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
