"""ipywidgets front ends for the lrlab notebooks.

The main builder is :class:`LRExplorer`: a log-scale learning-rate slider with
the theory (1/L, 2/L or 2(1+beta)/L) written beside it, preset buttons for the
teaching cases, a live regime label from ``lrlab.diagnostics.classify``, the
current numbers, and a matplotlib figure (an ipympl canvas) whose artists are
updated in place when a control moves. Every callback is plain Python, so the
widgets can be driven and tested without a browser: set ``explorer.slider.value``.
"""
from __future__ import annotations

import contextlib
import html
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import ipywidgets as W
import numpy as np

from . import diagnostics, plotting, theory
from ._validation import check_number
from .live_canvas import live_canvas, show_frame
from .loop import Trajectory, run

__all__ = ["Problem", "LRExplorer", "lr_slider", "live_canvas", "preset_buttons", "theory_text", "first_below", "show_frame", "snap_to_slider"]


@dataclass
class Problem:
    """What an explorer runs for one setting of its non-lr controls."""

    loss: Any
    x0: Any
    num_steps: int = 100
    stepper: Any = None
    momentum: float = 0.0          # only for the theory marks (heavy-ball limit)
    tol: float = 1e-6              # "steps to tolerance": loss gap below tol * initial gap
    title: str | None = None
    extra: dict = field(default_factory=dict)


def lr_slider(value: float, lr_min: float, lr_max: float, *, description: str = "learning rate",
              steps: int = 240, width: str = "520px") -> W.FloatLogSlider:
    """A log-scale lr slider from ``lr_min`` to ``lr_max`` (``steps`` positions)."""
    lr_min = check_number("lr_min", lr_min, low=0.0, low_inclusive=False)
    lr_max = check_number("lr_max", lr_max, low=lr_min, low_inclusive=False)
    lo, hi = math.log10(lr_min), math.log10(lr_max)
    value = min(max(check_number("value", value, low=0.0, low_inclusive=False), lr_min), lr_max)
    return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=(hi - lo) / steps,
                            description=description, readout_format=".3g", continuous_update=True,
                            style={"description_width": "initial"}, layout=W.Layout(width=width))


def snap_to_slider(slider, value: float) -> float:
    """``value`` clipped to a log slider's range and rounded to its grid of positions.

    The browser's slider can only stand on its grid: a preset that is not on it
    would be moved there by the page and sent back, so the kernel would compute
    twice and show a value the slider does not. Snapping here makes the kernel,
    the headless tests and the page agree on one lr.
    """
    lo, hi, step, base = float(slider.min), float(slider.max), float(slider.step), float(slider.base)
    e = min(max(math.log(float(value), base), lo), hi)
    k = round((e - lo) / step)
    return float(base ** min(lo + k * step, hi))


def theory_text(loss, momentum: float = 0.0) -> str:
    """HTML line with 1/L and the stability limit, for beside the slider."""
    if getattr(loss, "eigenvalues", None) is None:
        return '<span class="lrlab-theory">no closed-form limit for this loss: explore!</span>'
    L = theory.eigenvalues(loss)[-1]
    crit = theory.critical_lr(loss, momentum)
    c = plotting.PALETTE
    name = "2/L" if momentum == 0 else "2(1+β)/L"
    return (f'<span class="lrlab-theory">theory: <b style="color:{c["green"]}">1/L = {1 / L:.3g}</b> '
            f'(fastest along the steepest direction) · <b style="color:{c["vermillion"]}">{name} = {crit:.3g}</b> '
            f'(stability limit)</span>')


def preset_buttons(presets: dict, on_click: Callable[[Any], None]) -> list:
    """One button per preset; clicking calls ``on_click(value)``."""
    buttons = []
    for name, value in presets.items():
        b = W.Button(description=name, layout=W.Layout(width="auto"), tooltip=f"{name}: {value}")
        b.on_click(lambda _b, v=value: on_click(v))
        b.add_class("lrlab-preset")
        buttons.append(b)
    return buttons


def first_below(gap: np.ndarray, tol: float) -> int | None:
    """First step whose loss gap is at most ``tol`` times the initial gap (None if never)."""
    g = np.asarray(gap)
    hit = np.nonzero(g <= tol * g[0])[0]
    return int(hit[0]) if hit.size else None


class LRExplorer:
    """A learning-rate slider driving a live figure of a run.

    Args:
        setup: a ``Problem``, or a function ``setup(**controls) -> Problem``
            called again whenever one of ``controls`` changes.
        lr: the starting learning rate.
        lr_range: ``(lr_min, lr_max)`` of the log slider.
        presets: name -> lr (or a dict of control values, with an ``lr`` key).
        controls: name -> ipywidget whose ``value`` is passed to ``setup``.
        panels: any of ``'path'`` (1-D curve with stride arrows, or 2-D
            contour with the path), ``'loss'`` (loss gap against step),
            ``'map'`` (final loss against lr for ``map_points`` lrs, one
            vectorized run, with the current lr as a moving marker) and
            ``'ruler'`` (the lr axis with the regimes shaded); or a custom
            panel given as a tuple ``(name, init, update)`` where
            ``init(ax, explorer) -> state`` draws the static part after each
            rebuild and ``update(state, explorer, traj)`` moves its artists.
        on_update: optional ``f(explorer, traj)`` called after every update
            (e.g. to fill extra HTML widgets).
    """

    def __init__(self, setup, *, lr: float, lr_range=(1e-3, 1.0), presets=None, controls=None,
                 panels=("path", "loss", "map"), map_points: int = 300, title: str | None = None,
                 loss_ylim=None, width=None, height=None, on_update=None):
        self._setup = setup if callable(setup) else (lambda **_: setup)
        self.controls = dict(controls or {})
        self._custom = {p[0]: p[1:] for p in panels if isinstance(p, tuple)}
        names = [p[0] if isinstance(p, tuple) else p for p in panels]
        bad = [p for p in panels if not isinstance(p, tuple) and p not in ("path", "loss", "map", "ruler")]
        if bad:
            raise ValueError(f"panels must be among 'path', 'loss', 'map', 'ruler' or (name, init, update) tuples; got {bad}")
        self.panels = tuple(names)
        self._on_update_hook = on_update
        self.map_points = check_number("map_points", map_points, low=2, integer=True)
        self.lr_range = tuple(float(v) for v in lr_range)
        self.loss_ylim = loss_ylim
        self.slider = lr_slider(lr, *self.lr_range)
        self.label = W.HTML()
        self.stats = W.HTML()
        self.theory = W.HTML()
        self.frames = 0
        self.problem: Problem | None = None
        self.traj: Trajectory | None = None
        self.regime: str | None = None
        self.presets = dict(presets or {})
        self.buttons = preset_buttons(self.presets, self.apply_preset)

        n = len(self.panels)
        self.fig, axes = plotting.figure(1, n, width=width or min(4.3 * n, 13.5), height=height or 3.6, squeeze=False)
        self.axes = dict(zip(self.panels, axes[0]))
        if title:
            self.fig.suptitle(title, fontweight="bold")
        self.canvas = live_canvas(self.fig)
        self._artists: dict = {}
        self._rebuild()
        self.slider.observe(self._on_lr, names="value")
        for w in self.controls.values():
            w.observe(self._on_control, names="value")

        header = W.HBox([self.slider, self.label], layout=W.Layout(align_items="center"))
        rows = [header, self.theory]
        if self.buttons:
            rows.append(W.HBox([W.HTML("<b>presets:</b>")] + self.buttons, layout=W.Layout(flex_flow="row wrap", align_items="center")))
        if self.controls:
            rows.append(W.HBox(list(self.controls.values()), layout=W.Layout(flex_flow="row wrap")))
        rows += [self.stats, self.canvas]
        self.box = W.VBox(rows)
        self.box.add_class("lrlab-explorer")
        self._mark_theory()

    # -- public -------------------------------------------------------------
    @property
    def lr(self) -> float:
        return float(self.slider.value)

    def set_lr(self, lr: float) -> None:
        """Move the slider (clipped to its range, on its grid: see :func:`snap_to_slider`) and update the figure."""
        lr = check_number("lr", lr, low=0.0, low_inclusive=False)
        self.slider.value = snap_to_slider(self.slider, lr)

    def apply_preset(self, value) -> None:
        """Apply a preset: an lr, or a dict of control values with an optional 'lr'."""
        if isinstance(value, dict):
            with self.canvas.hold_sync() if hasattr(self.canvas, "hold_sync") else contextlib.nullcontext():
                for k, v in value.items():
                    if k != "lr":
                        self.controls[k].value = v
            if "lr" in value:
                self.set_lr(value["lr"])
        else:
            self.set_lr(value)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)

    # -- internals ----------------------------------------------------------
    def _control_values(self):
        return {k: w.value for k, w in self.controls.items()}

    def _rebuild(self):
        """(Re)draw what depends on the problem: background, map, theory."""
        p = self._setup(**self._control_values())
        self.problem = p
        self.theory.value = theory_text(p.loss, p.momentum)
        x0 = np.asarray(p.x0, dtype=float)
        d = x0.shape[-1]
        with plotting.style():             # clear() and new ticks read rcParams: keep lrlab's style
            for name, ax in self.axes.items():
                ax.clear()
                ax.xaxis.get_major_ticks(), ax.yaxis.get_major_ticks()
        self._artists = {}
        probe = run(loss=p.loss, stepper=p.stepper, x0=x0, lr=self.lr, num_steps=p.num_steps)
        g0 = plotting.gap(probe)[0]
        with plotting.style():
            if "path" in self.axes:
                ax = self.axes["path"]
                if d == 1:
                    plotting.curve_1d(p.loss, ax)
                    lo, hi = p.loss.bounds[0]
                    vals = p.loss.value(np.linspace(lo, hi, 300)[:, None])
                    ax.set_xlim(lo, hi)
                    ax.set_ylim(vals.min() - 0.08 * np.ptp(vals), vals.max() + 0.08 * np.ptp(vals))
                    self._artists["path"] = plotting.path_1d(p.loss, probe, ax)
                else:
                    plotting.contour(p.loss, ax)
                    self._artists["path"] = plotting.path_2d(probe, ax)
                ax.set_title(p.title or "the path")
            if "loss" in self.axes:
                ax = self.axes["loss"]
                (line,) = plotting.loss_curve(probe, ax, color=plotting.PALETTE["blue"])
                lo, hi = self.loss_ylim or (max(g0 * 1e-14, 1e-300), g0 * 1e4)
                ax.set_ylim(lo, hi)
                ax.set_xlim(0, p.num_steps)
                ax.axhline(p.tol * g0, color=plotting.PALETTE["grey"], ls="--", lw=1)
                ax.set_title("loss, log scale")
                self._artists["loss"] = line
            if "map" in self.axes:
                ax = self.axes["map"]
                lrs = np.geomspace(*self.lr_range, self.map_points)
                sweep = run(loss=p.loss, stepper=p.stepper, x0=x0, lr=lrs, num_steps=p.num_steps)
                self._map_lrs, self._map_final = lrs, plotting.gap(sweep)[-1]
                self._artists["map"] = plotting.lr_map(lrs, self._map_final, ax, loss=p.loss, momentum=p.momentum,
                                                       label=f"loss − min after {p.num_steps} steps")
                ax.set_title("every lr at once")
            if "ruler" in self.axes:
                self._artists["ruler"] = plotting.lr_ruler(self.axes["ruler"], *self.lr_range, p.loss, momentum=p.momentum)
            for name, (init, _) in self._custom.items():
                self._artists[name] = init(self.axes[name], self)
        self._update(probe)
        self._mark_theory()

    def _mark_theory(self):
        """CSS classes on the box saying what theory predicts at the slider's ends (the browser tests read them).

        ``lrlab-max-diverges``: plain GD or heavy-ball SGD on a quadratic whose
        stability limit 2(1+β)/L is below the slider's maximum; ``lrlab-min-monotone``:
        plain GD on a quadratic with the slider's minimum below 1/L (no overshoot there).
        """
        box = getattr(self, "box", None)
        if box is None:
            return
        p = self.problem
        st = p.stepper
        hp = getattr(st, "hyperparams", {}) or {}
        plain = st is None or (getattr(st, "name", "").startswith("sgd(") and not hp.get("nesterov")
                               and not hp.get("maximize") and hp.get("dampening", 0.0) == 0.0
                               and hp.get("weight_decay", 0.0) == 0.0 and hp.get("momentum", 0.0) == p.momentum)
        quad = plain and getattr(p.loss, "eigenvalues", None) is not None
        marks = {"lrlab-max-diverges": quad and theory.critical_lr(p.loss, p.momentum) < self.lr_range[1],
                 "lrlab-min-monotone": quad and p.momentum == 0
                 and self.lr_range[0] < 1.0 / theory.eigenvalues(p.loss)[-1]}
        for name, on in marks.items():
            if on and name not in box._dom_classes:
                box.add_class(name)
            elif not on and name in box._dom_classes:
                box.remove_class(name)

    def _on_control(self, change):
        self._rebuild()

    def _on_lr(self, change):
        p = self.problem
        traj = run(loss=p.loss, stepper=p.stepper, x0=p.x0, lr=self.lr, num_steps=p.num_steps)
        self._update(traj)

    def _update(self, traj: Trajectory):
        p = self.problem
        self.traj = traj
        self.regime = diagnostics.classify(traj)
        lr = self.lr
        a = self._artists
        if "path" in a:
            if isinstance(a["path"], dict):
                plotting.update_path_1d(a["path"], traj)
            else:
                a["path"].set_data(traj.params[:, 0], traj.params[:, 1])
                a["path"].set_color(plotting.REGIME_COLORS[self.regime])
        gap = plotting.gap(traj)
        if "loss" in a:
            a["loss"].set_data(np.arange(gap.size), np.where(np.isfinite(gap), gap, np.nan))
            a["loss"].set_color(plotting.REGIME_COLORS[self.regime])
        if "map" in a:
            m = a["map"]
            i = int(np.argmin(np.abs(np.log(self._map_lrs) - math.log(lr))))
            y = self._map_final[i]
            y = m["top"] if not np.isfinite(y) else min(max(y, m["bottom"]), m["top"])
            m["marker"].set_data([lr], [y])
            m["vline"].set_xdata([lr, lr])
        if "ruler" in a:
            a["ruler"].set_xdata([lr, lr])
        for name, (_, update) in self._custom.items():
            update(a[name], self, traj)
        if self._on_update_hook is not None:
            self._on_update_hook(self, traj)
        self.label.value = plotting.regime_badge(self.regime)   # small messages first: the page handles
        self.frames += 1                                        # them while the kernel draws the frame
        show_frame(self.canvas, self.stats, self._stats_html(traj, gap), lr)

    def _stats_html(self, traj, gap):
        p = self.problem
        lr = self.lr
        parts = [f"lr = <b>{lr:.3g}</b>"]
        if getattr(p.loss, "eigenvalues", None) is not None:
            L = theory.eigenvalues(p.loss)[-1]
            parts.append(f"lr·L = <b>{lr * L:.3g}</b>")
        final = gap[-1]
        if traj.diverged:
            parts.append(f"diverged at step <b>{int(traj.diverged_at)}</b>")
        else:
            parts.append(f"loss − min after {p.num_steps} steps = <b>{final:.3g}</b>")
        k = first_below(gap, p.tol)
        parts.append(f"steps to {p.tol:g}× the initial gap: <b>{k if k is not None else f'> {p.num_steps}'}</b>")
        return '<span class="lrlab-stats">' + " · ".join(parts) + "</span>"
