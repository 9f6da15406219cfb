"""The explorer: one declarative widget behind every live figure of the lessons.

An explorer is declared, not built::

    Explorer(setup, lr=0.1, lr_range=(1e-3, 1.0),
             controls={"kappa": Slider(20.0, 1.0, 1000.0, log=True)},
             runs=lambda scene, lr, **c: {"main": scene.run(lr), "reference": ...},
             panels=("path", "loss", MyPanel()), presets={"good": {"lr": 0.3, "kappa": 20.0}})

* **controls**: the log lr slider always, and any others as specs
  (:class:`lrlab.widgets.Slider`, :class:`lrlab.widgets.Choice`, a choice may carry
  per-option parameters: a schedule picker);
* **setup** ``(**scene_controls) -> scene``: what the lr does not change (a
  :class:`lrlab.panels.Problem`, or anything a lesson's panels read); called again
  when a control that is not ``live`` moves, and the static part redrawn;
* **runs** ``(scene, lr, **controls) -> {name: Trajectory}``: every run a frame shows
  (the main run and its references: full-batch GD, a constant-lr twin, the noise-free
  twin). Default: ``{"main": scene.run(lr)}``;
* **panels**: objects with one protocol (:mod:`lrlab.panels`), or the names of the
  built-in ones;
* **regime**, **progress**, **stats**, **theory**: hooks ``(view) -> ...`` for the
  label (a regime word and the fraction of the loss gap closed), the numbers line
  and the theory line. The default regime is :func:`lrlab.theory.regime` where
  theory names it (a :class:`Problem` of plain GD, heavy ball or Nesterov on a loss
  with known Hessian eigenvalues), else :func:`lrlab.diagnostics.path_shape` of
  the main run; the default progress is :func:`lrlab.diagnostics.progress` of the
  main run. The label reads e.g. "oscillating convergence · 70% of the loss gap closed";
* **presets**: name -> an lr, a dict of control values (``lr`` among them; unnamed
  controls go back to their declared defaults, so a preset always shows the same
  thing), or a function ``view -> lr`` (a rule that reads the current frame);
  ``explorer.apply_preset(name)`` applies one by its name. Presets are checked at
  construction (lrs within ``lr_range``, control values within their controls).

Frames without a front end: :meth:`Explorer.frame` sets the controls, computes and
returns the figure's PNG with the label and stats, with no browser or kernel
involved, so a static export can precompute a grid of them. How pixels travel to a
page is :mod:`lrlab.live_canvas`'s business; the explorer only calls
:func:`~lrlab.live_canvas.live_canvas` and :func:`~lrlab.live_canvas.show_frame`.

The figure fits the page: the page reports the explorer's column (:func:`lrlab.widgets.page_fit`) and
:meth:`Explorer.fit` lays the panels out for it (:func:`fit_layout`: one row, rows of two, or one
column on a phone), the rows as high as the screen allows; without a page, for :data:`DEFAULT_WIDTH` px.
"""
from __future__ import annotations

import contextlib
import io
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as W
import numpy as np

from . import diagnostics, plotting, theory
from ._validation import check_number
from .live_canvas import live_canvas, show_frame
from .loop import Trajectory
from .panels import BUILTIN, LossPanel, MapPanel, Panel, PathPanel, Problem, RulerPanel
from .widgets import (Choice, Slider, build_control, lr_slider, page_fit, preset_buttons, slider_names, snap_to_slider,
                      theory_text)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Explorer", "View", "Frame", "Problem", "Slider", "Choice", "problem_stats", "quadratic_theory",
           "fit_layout", "Layout", "Panel", "PathPanel", "LossPanel", "MapPanel", "RulerPanel"]

# -- how a figure fits the page ---------------------------------------------------------------------
# Sizes in CSS pixels, which are the figure's pixels at lrlab's 100 dpi (ipympl draws a figure at one
# CSS pixel per pixel, and at the screen's device pixel ratio on a HiDPI screen).
#: The column an explorer's figure is laid out for until a page says how wide it is (a saved notebook,
#: nbval, the static site's frames): JupyterLab's notebook column at a 1280 px window with the file
#: browser open is 848 px wide.
DEFAULT_WIDTH = 840
#: Panels narrower than this are cramped at lrlab's font sizes: the figure takes another row instead.
MIN_PANEL = 300
#: The least height of a row of panels when the screen is short.
MIN_ROW = 260
#: The same in the presenter's style (larger type, a 1024x768 projector: the whole figure on one screen).
PRESENTER_MIN_PANEL, PRESENTER_MIN_ROW = 300, 190
#: CSS pixels per inch of an lrlab figure.
PX_PER_INCH = 100
#: Pixels kept free around the figure: beside it in its column (the canvas' own margins), below it in the window.
FIT_MARGIN = 12


@dataclass(frozen=True)
class Layout:
    """How an explorer's panels are arranged: ``rows`` x ``cols`` panels in a figure ``width`` x ``height`` px."""

    rows: int
    cols: int
    width: int
    height: int


def fit_layout(n: int, width: float, height: float | None = None, *, panel_width: float, row_height: float,
               min_panel: float = MIN_PANEL, min_row: float = MIN_ROW) -> Layout:
    """The layout of ``n`` panels that fits a column ``width`` px wide (and ``height`` px high, if given).

    Every panel gets at most ``panel_width`` px (the lesson's own size) and at least ``min_panel`` px, so
    a narrow column takes the panels in more rows (down to one column on a phone) rather than cramming
    them. A row is ``row_height`` px, or shorter to fit ``height``, down to ``min_row`` (but a single
    column of several panels, a phone's, is never shortened: it does not fit a screen anyway).
    """
    n = check_number("n", n, low=1, integer=True)
    width = check_number("width", width, low=1.0)
    panel_width = check_number("panel_width", panel_width, low=1.0)
    row_height = check_number("row_height", row_height, low=1.0)
    cols = n
    while cols > 1 and width / cols < min_panel:
        cols -= 1
    rows = -(-n // cols)
    cols = -(-n // rows)                          # the same rows, evenly filled: 2 x 2 rather than 3 + 1
    pw = min(width / cols, panel_width)
    row = row_height
    if height is not None and (cols > 1 or rows == 1):    # (a phone's column of panels scrolls anyway)
        row = max(min(row, height / rows), min(min_row, row))
    return Layout(rows, cols, int(pw * cols), int(round(row * rows)))


@dataclass
class View:
    """Everything one frame is computed from: what panels and hooks read."""

    lr: float
    controls: dict
    scene: Any
    lr_range: tuple
    runs: dict = field(default_factory=dict)
    regime: str | None = None
    progress: float | None = None


@dataclass
class Frame:
    """One frame rendered headless: the figure's PNG and the texts the widget shows beside it."""

    lr: float
    controls: dict
    regime: str
    label: str
    stats: str
    theory: str
    png: bytes
    progress: float | None = None


def _default_runs(scene, lr, **_):
    return {"main": scene.run(lr)}


def quadratic_theory(scene: Any) -> dict | None:
    """``{"momentum": β, "nesterov": bool}`` if :func:`lrlab.theory.regime` applies to the scene's runs, else None.

    It applies to a :class:`Problem` whose loss knows its Hessian eigenvalues and whose stepper is plain
    gradient descent, heavy ball or Nesterov (lrlab's ``sgd`` without dampening, weight decay or maximize).
    """
    if not isinstance(scene, Problem) or getattr(scene.loss, "eigenvalues", None) is None:
        return None
    st = scene.stepper
    if st is None:
        return {"momentum": 0.0, "nesterov": False}
    hp = getattr(st, "hyperparams", {}) or {}
    if not getattr(st, "name", "").startswith("sgd(") or hp.get("maximize") or hp.get("dampening", 0.0) != 0.0 \
            or hp.get("weight_decay", 0.0) != 0.0:
        return None
    return {"momentum": float(hp.get("momentum", 0.0)), "nesterov": bool(hp.get("nesterov", False))}


def _default_regime(view) -> str:
    """Theory's regime (:func:`lrlab.theory.regime`) where it applies, else the main run's path shape."""
    known = quadratic_theory(view.scene) if set(view.runs) == {"main"} else None
    if known is not None:
        return theory.regime(view.scene.loss, view.lr, **known)
    return str(diagnostics.path_shape(view.runs["main"]))


def _default_progress(view) -> float | None:
    """The fraction of the loss gap the main run closed (None without a main run or a known minimum)."""
    main = view.runs.get("main")
    if main is None or main.loss_min is None:
        return None
    return float(diagnostics.progress(main))


def _default_theory(view) -> str:
    s = view.scene
    return theory_text(s.loss, s.momentum) if isinstance(s, Problem) else ""


def problem_stats(view: View) -> list:
    """The numbers line of a :class:`Problem` scene: lr, lr·L, the final gap or the step of divergence,
    steps to the tolerance."""
    p, traj = view.scene, view.runs["main"]
    gap = plotting.gap(traj)
    parts = [f"lr = <b>{view.lr:.3g}</b>"]
    if getattr(p.loss, "eigenvalues", None) is not None:
        parts.append(f"lr·L = <b>{view.lr * theory.eigenvalues(p.loss)[-1]:.3g}</b>")
    if traj.diverged:
        parts.append(f"diverged at step <b>{int(traj.diverged_at)}</b>")
    else:
        parts.append(f"loss − min after {p.num_steps} steps = <b>{gap[-1]:.3g}</b>")
    k = diagnostics.first_step_below(gap, p.tol, relative_to_start=True)
    parts.append(f"steps to {p.tol:g}× the initial gap: <b>{k if k >= 0 else f'> {p.num_steps}'}</b>")
    return parts


class Explorer:
    """A learning-rate slider (and any declared controls) driving a live figure of one or more runs.

    Args:
        setup: a scene (e.g. a :class:`Problem`), or ``setup(**scene_controls) -> scene``.
        lr: the starting learning rate; ``lr_range``: ``(lr_min, lr_max)`` of the log slider. Every lr given
            (here, to :meth:`set_lr`, :meth:`set`, :meth:`frame`, or by a preset) must lie in ``lr_range``: a
            value outside is a ValueError, not clamped, so the figure never shows another lr than asked for.
        runs: ``runs(scene, lr, **controls) -> {name: Trajectory}`` (default: the Problem's run as ``"main"``).
        panels: :class:`lrlab.panels.Panel` objects or names among ``'path'``, ``'loss'``, ``'map'``, ``'ruler'``.
        controls: name -> :class:`Slider` or :class:`Choice`.
        presets: name -> lr, dict of control values, or ``f(view) -> lr``; ``preset_rows``: more rows of
            the same kind, label -> presets.
        regime, stats, theory: hooks ``(view) -> str`` (``stats`` may return a list of parts); the default
            regime is theory's (:func:`lrlab.theory.regime`) where :func:`quadratic_theory` applies, else
            :func:`lrlab.diagnostics.path_shape` of the main run.
        progress: hook ``(view) -> float | None``, the fraction of the loss gap closed shown beside the regime
            (default: :func:`lrlab.diagnostics.progress` of the main run; None shows none).
        decorate: ``f(fig)`` called once after the first draw (a figure legend, say).
        lr_description, title: the slider's label, the figure's title.
        width, height: the figure at full width (inches): the most each panel (``width / len(panels)``)
            and each row may take. The figure is laid out for the page's column (:meth:`fit`): its panels
            in one row where each gets :data:`MIN_PANEL` px, else in more rows.
    """

    def __init__(self, setup: Any = None, *, lr: float, lr_range: tuple[float, float] = (1e-3, 1.0),
                 runs: Callable | None = None, panels: Sequence[Panel | str] = ("path", "loss", "map"),
                 controls: dict | None = None, presets: dict | None = None,
                 preset_rows: dict | None = None, regime: Callable | None = None, stats: Callable | None = None,
                 theory: Callable | None = None, decorate: Callable | None = None, progress: Callable | None = None,
                 lr_description: str = "learning rate", title: str | None = None, width: float | None = None,
                 height: float | None = None):
        for hook_name, hook in (("runs", runs), ("regime", regime), ("stats", stats), ("theory", theory),
                                ("decorate", decorate), ("progress", progress)):
            if hook is not None and not callable(hook):
                raise TypeError(f"{hook_name} must be a function (or None for the default), got {hook!r}")
        if setup is None and runs is None:
            raise TypeError("setup is missing: give a scene (e.g. lrlab.panels.Problem(loss, x0)) or a function "
                            "setup(**controls) -> scene, or else runs=(scene, lr, **controls) -> {name: Trajectory}")
        for arg_name, arg in (("controls", controls), ("presets", presets), ("preset_rows", preset_rows)):
            if arg is not None and not isinstance(arg, dict):
                raise TypeError(f"{arg_name} must be a dict name -> "
                                + {"controls": "Slider or Choice", "presets": "preset (an lr, a dict of control "
                                   "values or a function view -> lr)", "preset_rows": "dict of presets"}[arg_name]
                                + f", got {type(arg).__name__}")
        for label, row in (preset_rows or {}).items():
            if not isinstance(row, dict):
                raise TypeError(f"preset_rows[{label!r}] must be a dict name -> preset, got {type(row).__name__}")
        if not isinstance(lr_description, str):
            raise TypeError(f"lr_description must be a string, got {lr_description!r}")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title must be a string or None, got {title!r}")
        if width is not None:
            width = check_number("width", width, low=1.0, high=100.0)
        if height is not None:
            height = check_number("height", height, low=1.0, high=100.0)
        self._setup = setup if callable(setup) else (lambda **_: setup)
        self._runs_fn = runs or _default_runs
        self._regime_fn = regime or _default_regime
        self._progress_fn = progress or _default_progress
        self._stats_fn = stats or problem_stats
        self._theory_fn = theory or _default_theory
        lr_range = tuple(lr_range) if isinstance(lr_range, (tuple, list)) else lr_range
        if not isinstance(lr_range, tuple) or len(lr_range) != 2:
            raise ValueError(f"lr_range must be a pair (lr_min, lr_max); got {lr_range!r}")
        lo = check_number("lr_range[0]", lr_range[0], low=0.0, low_inclusive=False)
        hi = check_number("lr_range[1]", lr_range[1])
        if not hi > lo:
            raise ValueError(f"lr_range must be (lr_min, lr_max) with lr_min < lr_max, got lr_range={lr_range!r}")
        self.lr_range = (lo, hi)
        lr = self._check_lr("lr", lr)
        self.panels = self._make_panels(panels)

        self.specs = dict(controls or {})
        self.controls: dict[str, W.Widget] = {}
        self.params: dict[str, dict[str, dict[str, W.Widget]]] = {}
        self.param_boxes: dict[str, dict[str, W.Box]] = {}
        for name, spec in self.specs.items():
            if name == "lr" or not name.isidentifier():
                raise ValueError(f"control names must be identifiers other than 'lr'; got {name!r}")
            self.controls[name] = build_control(name, spec)
            if isinstance(spec, Choice) and spec.params:
                self.params[name] = {o: {k: build_control(k, ps) for k, ps in spec.params.get(o, {}).items()}
                                     for o in spec.options}
                self.param_boxes[name] = {o: W.HBox(list(ws.values()), layout=W.Layout(flex_flow="row wrap"))
                                          for o, ws in self.params[name].items()}

        self.slider = lr_slider(lr, *self.lr_range, description=lr_description)
        self.label, self.stats, self.theory = W.HTML(), W.HTML(), W.HTML()
        self.frames = 0
        self.scene = None
        self.view: View | None = None
        self.presets = dict(presets or {})
        rows = {"presets:": self.presets} if self.presets else {}
        rows.update(preset_rows or {})
        self.preset_rows = rows
        self._check_presets()
        self.button_rows = {label: preset_buttons(ps, self.apply_preset) for label, ps in rows.items()}
        self.buttons = [b for bs in self.button_rows.values() for b in bs]

        n = len(self.panels)
        # the lesson's figure at full width: the most each panel and row may take
        self._full_size = (width or min(4.3 * n, 13.5), height or 3.6)
        with plotting.explorer_style():
            self.fig, axes = plotting.figure(1, n, width=self._full_size[0], height=self._full_size[1],
                                             squeeze=False)
            if title:
                self.fig.suptitle(title, fontweight="bold")
        self.axes = dict(zip(self.panels, axes[0]))
        self.layout: Layout | None = None
        self._fit_stamp: str | None = None
        self._legend_calls: list = []
        self._arrange(DEFAULT_WIDTH)
        self.canvas = live_canvas(self.fig)
        self._holding = False
        self._pending: str | None = None
        self._rebuild()
        if decorate is not None:
            self._decorate(decorate)
        self.slider.observe(self._on_live, names="value")
        for name, w in self.controls.items():
            w.observe(self._on_live if self.specs[name].live else self._on_scene, names="value")
            if name in self.params:
                w.observe(self._show_params, names="value")
                for o, ws in self.params[name].items():
                    for k, pw in ws.items():
                        pw.observe(self._on_live if self.specs[name].params[o][k].live else self._on_scene,
                                   names="value")

        fit_html, self.page = page_fit()
        self.page.observe(self._on_page, names="value")
        header = W.HBox([self.slider, self.label, slider_names(), fit_html, self.page],
                        layout=W.Layout(align_items="center", flex_flow="row wrap"))
        box_rows = [header, self.theory]
        for label, bs in self.button_rows.items():
            if bs:
                box_rows.append(W.HBox([W.HTML(f"<b>{label}</b>")] + bs,
                                       layout=W.Layout(flex_flow="row wrap", align_items="center")))
        if self.controls:
            items = []
            for name, w in self.controls.items():
                items.append(w)
                items.extend(self.param_boxes.get(name, {}).values())
            box_rows.append(W.HBox(items, layout=W.Layout(flex_flow="row wrap", align_items="center")))
        box_rows += [self.stats, self.canvas]
        self.box = W.VBox(box_rows)
        self.box.add_class("lrlab-explorer")
        self._show_params()
        self._mark_theory()

    # -- public -------------------------------------------------------------
    @property
    def lr(self) -> float:
        return float(self.slider.value)

    @property
    def runs(self) -> dict:
        """name -> Trajectory of the current frame."""
        return self.view.runs

    @property
    def traj(self) -> Trajectory | None:
        """The main run of the current frame (None if the explorer has none named ``"main"``)."""
        return self.view.runs.get("main")

    @property
    def regime(self) -> str:
        return self.view.regime

    @property
    def problem(self) -> Any:
        """The current scene (a :class:`Problem` for the common explorers)."""
        return self.scene

    @property
    def artists(self) -> dict:
        """panel name -> that panel's moving artists."""
        return {name: p.artists for name, p in self.panels.items()}

    def values(self) -> dict:
        """The current value of every control (a choice's parameters as ``<name>_params``), without the lr."""
        out = {}
        for name, w in self.controls.items():
            out[name] = w.value
            if name in self.params:
                out[f"{name}_params"] = {k: pw.value for k, pw in self.params[name][w.value].items()}
        return out

    def set_lr(self, lr: float) -> None:
        """Move the slider to ``lr`` (within ``lr_range``, else a ValueError; snapped onto the slider's grid:
        see :func:`snap_to_slider`) and update the figure."""
        lr = self._check_lr("lr", lr)
        self.slider.value = snap_to_slider(self.slider, lr)

    def set(self, lr: float | None = None, **controls: Any) -> None:
        """Set any controls (and the lr) at once; the figure is computed once, after all of them."""
        unknown = [k for k in controls if k not in self.controls and not self._is_params_key(k)]
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; this explorer has {sorted(self.controls)} and 'lr'")
        if lr is not None:
            lr = self._check_lr("lr", lr)
        new = {}
        for k, v in controls.items():               # check everything before changing anything
            if k in self.controls:
                new[k] = self._checked(k, self.controls[k], v)
        for k, v in controls.items():
            if k not in self.controls:
                if not isinstance(v, dict):
                    raise TypeError(f"{k} must be a dict parameter name -> value, got {v!r}")
                name = k[:-len("_params")]
                option = new.get(name, self.controls[name].value)
                for pk, pv in v.items():
                    if pk not in self.params[name][option]:
                        raise ValueError(f"{k}: {option!r} has no parameter {pk!r}; "
                                         f"it has {sorted(self.params[name][option])}")
                    self._checked(pk, self.params[name][option][pk], pv)
        with self._hold():
            for k, v in controls.items():
                if k in self.controls:
                    self._set_widget(k, self.controls[k], v)
            for k, v in controls.items():
                if self._is_params_key(k):
                    name = k[:-len("_params")]
                    option = self.controls[name].value
                    for pk, pv in v.items():
                        self._set_widget(pk, self.params[name][option][pk], pv)
            if lr is not None:
                self.slider.value = snap_to_slider(self.slider, lr)

    def apply_preset(self, preset: str | float | dict[str, Any] | Callable[[View], float]) -> None:
        """Apply a preset: an lr, a rule ``f(view) -> lr``, a dict of control values with an optional 'lr'
        (controls it does not name, and every parameter of a choice, go back to their defaults), or the name
        of one of this explorer's presets."""
        if isinstance(preset, str):
            known = {n: v for row in self.preset_rows.values() for n, v in row.items()}
            if preset not in known:
                raise ValueError(f"unknown preset {preset!r}: a preset is an lr (a number), a dict of control "
                                 f"values, a function view -> lr, or the name of one of this explorer's presets "
                                 f"{sorted(known)}")
            preset = known[preset]
        if callable(preset):
            rule = getattr(preset, "__name__", repr(preset))
            lr = preset(self.view)
            if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real):
                raise TypeError(f"the preset rule {rule!r} must return an lr (a number), got {lr!r}")
            self.slider.value = snap_to_slider(self.slider, self._check_lr(f"the lr of preset rule {rule!r}", lr))
            return
        if not isinstance(preset, dict):
            if isinstance(preset, (bool, np.bool_)) or not isinstance(preset, numbers.Real):
                raise TypeError(f"a preset must be an lr (a number), a dict of control values, a function "
                                f"view -> lr or the name of a preset; got preset={preset!r}")
            self.slider.value = snap_to_slider(self.slider, self._check_lr("preset", preset))
            return
        full = {name: spec.value for name, spec in self.specs.items()}
        full.update({k: v for k, v in preset.items() if k != "lr" and not self._is_params_key(k)})
        for name, spec in self.specs.items():
            if isinstance(spec, Choice) and spec.params:
                self._checked(name, self.controls[name], full[name])
                extra = preset.get(f"{name}_params", {})
                if not isinstance(extra, dict):
                    raise TypeError(f"{name}_params must be a dict parameter name -> value, got {extra!r}")
                full[f"{name}_params"] = {**spec.defaults[full[name]], **extra}
        self.set(lr=preset.get("lr"), **full)

    def frame(self, lr: float | None = None, **controls: Any) -> Frame:
        """The frame at these control values, computed and rendered headless (no front end needed)."""
        if lr is not None or controls:
            self.set(lr=lr, **controls)
        buf = io.BytesIO()
        fig = self.fig
        # constrained layout moves the axes by fractions of a pixel on each of its first few draws; let it
        # settle and hold it, so the same controls give the same bytes whatever was shown before. What the
        # layout makes room for (titles, labels, legends, axis limits: a panel's title may say the lr's
        # factor) is its key: the layout is settled again, from the same start, whenever that changes
        engine = fig.get_layout_engine()
        key = self._layout_key()
        if not self._layout_settled or key != self._settled_key:
            for ax in fig.axes:
                # start from the grid's own place, not from where the previous frame or column left the axes
                # (the converged layout's last digits depend on its start), then back into the layout, which
                # set_position took them out of
                spec = ax.get_subplotspec()
                if spec is not None:
                    ax.set_position(spec.get_position(fig), which="both")
                ax.set_in_layout(True)
            before = None
            for _ in range(8):
                fig.draw_without_rendering()
                now = np.array([ax.get_position().bounds for ax in fig.axes])
                if before is not None and now.shape == before.shape and np.allclose(now, before, rtol=0, atol=1e-7):
                    break
                before = now
            # where the layout has converged to within 1e-7 of the figure, round the last digits off
            for ax in fig.axes:
                ax.set_position(np.round(ax.get_position().bounds, 4), which="both")
            self._layout_settled, self._settled_key = True, key
        fig.set_layout_engine("none")
        try:
            fig.savefig(buf, format="png", dpi=fig.dpi, metadata={"Software": None})
        finally:
            fig.set_layout_engine(engine)
        return Frame(lr=self.lr, controls=self.values(), regime=self.regime, label=self.label.value,
                     stats=self.stats.value, theory=self.theory.value, png=buf.getvalue(),
                     progress=self.view.progress)

    def _layout_key(self) -> tuple:
        """What constrained layout makes room for around the panels: their titles, axis labels, texts (a
        panel may write a title of its own that follows the lr), legend texts and axis limits (the tick labels
        follow from the limits)."""
        key = [tuple(t.get_text() for t in self.fig.texts)]
        for ax in self.fig.axes:
            legend = ax.get_legend()
            key.append((ax.get_title("left"), ax.get_title(), ax.get_title("right"), ax.get_xlabel(), ax.get_ylabel(),
                        ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
                        tuple(t.get_text() for t in ax.texts),
                        tuple(t.get_text() for t in legend.get_texts()) if legend else None))
        return tuple(key)

    def fit(self, width: float, height: float | None = None) -> bool:
        """Lay the figure out for a column ``width`` CSS px wide with ``height`` px of screen for the figure
        (None: no limit); True if the layout changed. The page calls this itself (see
        :func:`lrlab.widgets.page_size`) when the explorer appears and whenever its column changes width.

        The panels sit in one row while each gets :data:`MIN_PANEL` px, else in more rows (one column
        on a phone); the figure is never wider than the column nor than the lesson declared it.
        """
        width = check_number("width", width, low=1.0)
        if height is not None:
            height = check_number("height", height, low=1.0)
        if not self._arrange(width, height):
            return False
        self._layout_settled = False
        self._show(self.view)                   # a page connected gets the figure drawn whole, at its new size
        return True

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)

    # -- internals ----------------------------------------------------------
    def _on_page(self, change):
        """The page reported the room the explorer has (see :func:`lrlab.widgets.page_fit`): fit the figure."""
        report = change["new"]
        try:
            width, window, controls, top = (float(v) for v in report.split())
        except ValueError:                      # not a report of page_fit's: nothing to fit to
            return
        if not (width > 0 and window > 0):
            return
        # the figure's room: the column less the canvas' margins; below the controls, the window's height
        # (in the presenter: below the top of the page, so that the title, the controls and the whole
        # figure are on the first screen)
        room = (window - top if plotting.presenter_mode() else window - controls) - FIT_MARGIN
        self._fit_stamp = report
        if not self.fit(max(width - FIT_MARGIN, 1.0), room if room > 1 else None):
            self.stats.value = self._stamped(self.stats.value)      # the same layout: say it was seen

    def _stamped(self, html: str) -> str:
        """The numbers line's ``html`` with ``data-fit`` saying which page report the figure is laid out for."""
        import re
        html = re.sub(r' data-fit="[^"]*"', "", html, count=1)
        if self._fit_stamp is None:
            return html
        return html.replace('class="lrlab-stats"', f'class="lrlab-stats" data-fit="{self._fit_stamp}"', 1)

    def _arrange(self, width: float, height: float | None = None) -> bool:
        """Put the panels on the grid of :func:`fit_layout` and size the figure (True if anything changed)."""
        presenter = plotting.presenter_mode()
        n, (w_in, h_in) = len(self.panels), self._full_size
        layout = fit_layout(n, width, height, panel_width=w_in * PX_PER_INCH / n, row_height=h_in * PX_PER_INCH,
                            min_panel=PRESENTER_MIN_PANEL if presenter else MIN_PANEL,
                            min_row=PRESENTER_MIN_ROW if presenter else MIN_ROW)
        if layout == self.layout:
            return False
        if self.layout is None or (layout.rows, layout.cols) != (self.layout.rows, self.layout.cols):
            import math
            last = n - (layout.rows - 1) * layout.cols          # panels in the last row: they share its width
            units = layout.cols * last // math.gcd(layout.cols, last)
            gs = self.fig.add_gridspec(layout.rows, units)
            for i, ax in enumerate(self.axes.values()):
                r, c = divmod(i, layout.cols)
                span = units // (layout.cols if r < layout.rows - 1 else last)
                ax.set_subplotspec(gs[r, c * span:(c + 1) * span])
        for ax in self.fig.axes:                  # a frame() holds them where they were (set_position): let go
            ax.set_in_layout(True)
        self.fig.set_size_inches(layout.width / PX_PER_INCH, layout.height / PX_PER_INCH, forward=True)
        self.layout = layout
        self._fit_legends()
        return True

    def _decorate(self, decorate):
        """Call the lesson's ``decorate(fig)``, noting the figure legends it makes (see :meth:`_fit_legends`)."""
        fig, make_legend = self.fig, self.fig.legend

        def legend(*args, **kwargs):
            leg = make_legend(*args, **kwargs)
            self._legend_calls.append([args, kwargs, leg])
            return leg
        fig.legend = legend                   # on this figure only, for the time of the call
        try:
            with plotting.explorer_style():
                decorate(fig)
        finally:
            del fig.legend
        self._fit_legends()

    def _fit_legends(self):
        """Make each figure legend of ``decorate`` again with as many columns as it asked for and the figure's
        width holds (a legend's columns are fixed when it is made)."""
        if not self._legend_calls:
            return
        renderer = self.fig.canvas.get_renderer()
        room = self.fig.bbox.width - 8
        with plotting.explorer_style():
            for call in self._legend_calls:
                args, kwargs, leg = call
                asked = kwargs.get("ncols", kwargs.get("ncol", 1))
                for ncols in range(asked, 0, -1):
                    leg.remove()
                    leg = self.fig.legend(*args, **{**kwargs, "ncols": ncols})
                    kwargs.pop("ncol", None)
                    if leg.get_window_extent(renderer).width <= room:
                        break
                call[2] = leg

    @staticmethod
    def _make_panels(panels) -> dict:
        if isinstance(panels, (str, Panel)) or not isinstance(panels, (list, tuple)):
            raise TypeError(f"panels must be a list or tuple of Panel objects or names among {sorted(BUILTIN)}; "
                            f"got {panels!r}")
        out = {}
        for p in panels:
            if isinstance(p, str):
                if p not in BUILTIN:
                    raise ValueError(f"panels must be Panel objects or among {sorted(BUILTIN)}; got {p!r}")
                p = BUILTIN[p]()
            elif not isinstance(p, Panel):
                raise ValueError(f"panels must be Panel objects or among {sorted(BUILTIN)}; got {p!r}")
            if p.name in out:
                raise ValueError(f"two panels are named {p.name!r}: give one another name")
            out[p.name] = p
        if not out:
            raise ValueError("panels must name at least one panel")
        return out

    def _check_lr(self, name: str, lr) -> float:
        """``lr`` checked against the slider's range (a relative 1e-9 of slack at the ends)."""
        lo, hi = self.lr_range
        lr = check_number(name, lr, low=0.0, low_inclusive=False)
        if not lo * (1 - 1e-9) <= lr <= hi * (1 + 1e-9):
            raise ValueError(f"{name} must be within the lr slider's range lr_range=[{lo:g}, {hi:g}], "
                             f"got {name}={lr!r}")
        return min(max(lr, lo), hi)

    def _is_params_key(self, k: str) -> bool:
        return k.endswith("_params") and k[:-len("_params")] in self.params

    def _check_presets(self):
        for label, presets in self.preset_rows.items():
            for name, v in presets.items():
                if isinstance(v, dict):
                    unknown = [k for k in v if k != "lr" and k not in self.specs and not
                               (k.endswith("_params") and k[:-len("_params")] in self.params)]
                    if unknown:
                        raise ValueError(f"preset {name!r} names unknown control(s) {unknown}; "
                                         f"this explorer has {sorted(self.specs)} and 'lr'")
                    if v.get("lr") is not None:
                        self._check_lr(f"preset {name!r}: lr", v["lr"])
                    for k, cv in v.items():
                        if k in self.controls:
                            self._checked(f"preset {name!r}: {k}", self.controls[k], cv)
                elif not callable(v):
                    self._check_lr(f"preset {name!r}", v)

    @staticmethod
    def _checked(name, w, v):
        """``v`` checked as a value of the control widget ``w`` (an option of a choice, in a slider's range)."""
        if isinstance(w, (W.Dropdown, W.ToggleButtons, W.SelectionSlider)):
            return Choice(tuple(w.options)).option(name, v)
        if isinstance(w, W.FloatLogSlider):
            return check_number(name, v, low=w.base ** w.min * (1 - 1e-12), high=w.base ** w.max * (1 + 1e-12))
        return check_number(name, v, low=w.min, high=w.max, integer=isinstance(w, W.IntSlider))

    @classmethod
    def _set_widget(cls, name, w, v):
        w.value = cls._checked(name, w, v)

    @contextlib.contextmanager
    def _hold(self):
        """Collect the changes made inside; compute once at the end (a redraw if any changed the scene)."""
        if self._holding:
            yield
            return
        self._holding, self._pending = True, None
        try:
            yield
        finally:
            self._holding = False
            pending, self._pending = self._pending, None
            if pending == "scene":
                self._rebuild()
            elif pending == "live":
                self._update()

    def _scene_values(self) -> dict:
        vals = self.values()
        out = {}
        for name, spec in self.specs.items():
            if not spec.live:
                out[name] = vals[name]
            if name in self.params:
                option = vals[name]
                ps = {k: v for k, v in vals[f"{name}_params"].items() if not spec.params[option][k].live}
                if ps:
                    out[f"{name}_params"] = ps
        return out

    def _compute(self):
        c = self.values()
        view = View(lr=self.lr, controls=c, scene=self.scene, lr_range=self.lr_range)
        runs = self._runs_fn(self.scene, self.lr, **c)
        if not isinstance(runs, dict) or not all(isinstance(t, Trajectory) for t in runs.values()):
            raise TypeError(f"runs must return a dict name -> Trajectory; got {type(runs).__name__}")
        view.runs = runs
        view.regime = str(self._regime_fn(view))
        p = self._progress_fn(view)
        view.progress = None if p is None else float(p)
        self.view = view
        return view

    def _rebuild(self):
        """(Re)draw the static part: new scene, every panel's draw, the theory line; then a frame."""
        self.scene = self._setup(**self._scene_values())
        if self._runs_fn is _default_runs and not callable(getattr(self.scene, "run", None)):
            raise TypeError(f"setup must give a scene with a run(lr) method (a lrlab.panels.Problem), or pass "
                            f"runs=(scene, lr, **controls) -> {{name: Trajectory}}; got "
                            f"{type(self.scene).__name__}")
        self._layout_settled, self._settled_key = False, None
        view = self._compute()
        with plotting.explorer_style():    # clear() and new ticks read rcParams: keep lrlab's style
            for ax in self.axes.values():
                ax.clear()
                ax.xaxis.get_major_ticks(), ax.yaxis.get_major_ticks()
            for name, panel in self.panels.items():
                panel.draw(self.axes[name], view)
            for ax in self.axes.values():     # a title or label longer than a phone's column takes two lines
                for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
                    text.set_wrap(True)
        self._show(view)
        self._mark_theory()

    def _update(self):
        self._show(self._compute())

    def _show(self, view):
        for panel in self.panels.values():
            panel.update(view)
        self.theory.value = self._theory_fn(view)
        self.label.value = plotting.regime_badge(view.regime, view.progress)   # small messages first: the page handles
        self.frames += 1                                         # them while the kernel draws the frame
        stats = self._stats_fn(view)
        if not isinstance(stats, str):
            stats = " · ".join(stats)
        show_frame(self.canvas, self.stats, self._stamped(f'<span class="lrlab-stats">{stats}</span>'), self.lr)

    def _on_live(self, change):
        if self._holding:
            self._pending = self._pending or "live"
        else:
            self._update()

    def _on_scene(self, change):
        if self._holding:
            self._pending = "scene"
        else:
            self._rebuild()

    def _show_params(self, change=None):
        for name, boxes in self.param_boxes.items():
            for o, b in boxes.items():
                b.layout.display = None if o == self.controls[name].value else "none"

    def _mark_theory(self):
        """CSS classes on the box saying what theory predicts at the slider's ends (the browser tests read them).

        ``lrlab-max-diverges``: plain GD or heavy-ball SGD on a quadratic whose
        stability limit 2(1+β)/L is below the slider's maximum; ``lrlab-min-monotone``:
        plain GD on a quadratic with the slider's minimum below 1/L (no overshoot there).
        """
        box = getattr(self, "box", None)
        p = self.scene
        if box is None:
            return
        marks = {"lrlab-max-diverges": False, "lrlab-min-monotone": False}
        known = quadratic_theory(p) if set(self.runs) == {"main"} else None
        if known is not None and not known["nesterov"]:
            marks = {"lrlab-max-diverges": theory.critical_lr(p.loss, p.momentum) < self.lr_range[1],
                     "lrlab-min-monotone": p.momentum == 0 and self.lr_range[0] < 1.0 / theory.eigenvalues(p.loss)[-1]}
        for name, on in marks.items():
            if on and name not in box._dom_classes:
                box.add_class(name)
            elif not on and name in box._dom_classes:
                box.remove_class(name)
