"""ipywidgets front ends for the lrlab notebooks.

The main builder is :class:`LRExplorer`: a log-scale learning-rate slider with
the theory (1/L, 2/L or 2(1+beta)/L) written beside it, preset buttons for the
teaching cases, a live regime label from ``lrlab.diagnostics.classify``, the
current numbers, and a matplotlib figure (an ipympl canvas) whose artists are
updated in place when a control moves. Every callback is plain Python, so the
widgets can be driven and tested without a browser: set ``explorer.slider.value``.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import ipywidgets as W
import numpy as np

from . import diagnostics, plotting, theory
from ._validation import check_number
from .run import Trajectory, run

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


#: PNG text-chunk keyword carrying a frame's tag (what :func:`show_frame` stamped on the stats line).
FRAME_KEYWORD = b"lrlab-frame"


def _png(rgba: np.ndarray, tag: str = "") -> bytes:
    """A fast PNG of an RGBA uint8 array: no row filters, zlib level 1 with run-length strategy.

    Most frames of a live figure are diff images (unchanged pixels fully
    transparent), which this encodes in a few ms where PIL's default takes ~2x.
    A non-empty ``tag`` goes into a ``tEXt`` chunk right after the header, so a
    page can tell which frame it is painting (the browser tests wait for it).
    """
    import struct
    import zlib
    h, w, _ = rgba.shape
    raw = np.empty((h, 4 * w + 1), np.uint8)
    raw[:, 0] = 0                                   # filter type 0 (None) on every row
    raw[:, 1:] = rgba.reshape(h, 4 * w)
    co = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    body = co.compress(raw) + co.flush()

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    text = chunk(b"tEXt", FRAME_KEYWORD + b"\0" + tag.encode("latin-1")) if tag else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + text + chunk(b"IDAT", body) + chunk(b"IEND", b""))


_LIVE_CANVAS = None


def _log_frame(path, start, sent, draw, encode):
    """Append one frame's wall-clock times to the file named by LRLAB_FRAME_LOG (benchmark only)."""
    import json
    try:
        from ipykernel.kernelbase import Kernel
        sent_by_client = Kernel.instance().get_parent().get("header", {}).get("date")
        sent_by_client = sent_by_client.timestamp() if hasattr(sent_by_client, "timestamp") else None
    except Exception:
        sent_by_client = None
    with open(path, "a") as f:
        f.write(json.dumps({"start": start, "sent": sent, "draw": draw, "encode": encode,
                            "client_sent": sent_by_client}) + "\n")


def _live_canvas_class():
    """The ipympl ``Canvas`` subclass behind :func:`live_canvas` (made once, on first use)."""
    global _LIVE_CANVAS
    if _LIVE_CANVAS is not None:
        return _LIVE_CANVAS
    import os
    import time
    import weakref
    from collections import deque

    from ipympl.backend_nbagg import Canvas
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.image import AxesImage
    from matplotlib.legend import Legend
    from matplotlib.spines import Spine
    from matplotlib.text import Text

    containers = (Figure, SubFigure, Axes, Axis, Spine, Legend, AxesImage)

    class LiveCanvas(Canvas):
        """An ipympl canvas that redraws only what moves.

        A full draw renders the figure without its *moving* artists (those set
        ``animated``), keeps that as the background, then draws the moving
        artists on top. :meth:`frame` (call it after changing artists) restores
        the background, redraws the moving artists and sends the browser the
        new image at once: no draw round trip through the browser
        (``draw_idle``), no layout, no axes or text re-rendering. The image is
        a diff of the changed pixels (cropped to them) after a pause, a full
        image during a fast drag (see ``min_diff_gap``); both are PNGs made by
        a fast encoder. Static artists a full draw paints over a moving one
        (a marker, a label) are redrawn on top from a cached layer, so the
        stacking order stays right. Which artists move is learned: when an
        update made the figure stale (it changed an artist that was drawn in
        the background), the changed artists become moving ones and a full draw
        follows. Artists created since the last full draw (a rebuild) are never
        learned: they get a full draw. Without a connected front end (nbclient,
        nbval, unit tests) :meth:`frame` does nothing.
        """

        frame_log = os.environ.get("LRLAB_FRAME_LOG")   # benchmarks: a file to log frame times to
        # A diff image is only right if the page has drawn the frame before it, and ipympl's page
        # drops a frame whose image is still loading when the next arrives (one <img>, a new src).
        # So a frame sent within ``min_diff_gap`` s of the previous one is a full image: a fast
        # drag sends full frames (the last one wins), a move after a pause a small diff.
        min_diff_gap = float(os.environ.get("LRLAB_MIN_DIFF_GAP", "0.1"))

        def __init__(self, figure, *args, **kwargs):
            super().__init__(figure, *args, **kwargs)
            self._bg = None
            self._bg_size = None
            self._moving: list = []
            self._known = weakref.WeakSet()      # artists drawn by the last full draw
            self._last_sent = -1e9               # time.monotonic() of the last frame sent
            self._overlay = weakref.WeakKeyDictionary()  # static artist drawn over a moving one -> cached layer
            self.timings = deque(maxlen=1000)    # per frame: seconds spent drawing / diffing+encoding
            self.full_draws = 0
            self.blits = 0
            self.frame_tag = ""                  # the tag of the frame being drawn (see show_frame)
            self.frame_count = 0

        # -- what moves -----------------------------------------------------
        def _alive(self, a):
            ax = a.axes
            return a in (ax.get_children() if ax is not None else self.figure.get_children())

        def _learn(self):
            """Make the artists changed since the last full draw moving (if they existed then)."""
            new = []

            def walk(a):
                if isinstance(a, Axis):           # ticks laid out off the view stay stale after every draw;
                    return False                  # they never move with the data: never learn them
                stale_kids = False
                for c in a.get_children():
                    stale_kids |= walk(c)
                if (a.stale and not stale_kids and not isinstance(a, containers) and a in self._known
                        and not (isinstance(a, Text) and not a.get_text())):
                    new.append(a)
                return a.stale or stale_kids
            walk(self.figure)
            for a in new:
                self._add_moving(a)

        def _siblings(self, a):
            """``a``'s siblings in their draw order (zorder, then insertion), as a full draw has them."""
            kids = a.axes.get_children() if a.axes is not None else self.figure.get_children()
            return sorted(kids, key=lambda k: k.get_zorder())

        def _add_moving(self, a):
            """Make ``a`` moving, and what a full draw paints over it, so blits keep the same stacking."""
            sib = self._siblings(a)
            above = sib[sib.index(a):] if a in sib else [a]
            clip = a.get_clip_box() if a.get_clip_on() else None
            renderer = self.get_renderer()

            def overlaps(b):                      # can b paint over pixels that a may paint?
                if clip is None:
                    return True
                try:
                    return b.get_window_extent(renderer).overlaps(clip)
                except Exception:                 # no extent for this artist: assume it may
                    return True
            for b in above:
                if b is a or not (isinstance(b, (Axes, Axis, Spine, AxesImage, Figure, SubFigure))
                                  or b is getattr(b.axes, "patch", None) or b is self.figure.patch
                                  or not overlaps(b)):
                    if not b.get_animated():
                        b.set_animated(True)
                        self._moving.append(b)
                        if b is not a:            # unchanged itself: drawn from a cached layer
                            self._overlay[b] = None

        def _draw_moving(self):
            self._moving = [a for a in self._moving if a.get_animated() and self._alive(a)]
            axes_order = {id(ax): i for i, ax in enumerate(self.figure.get_children())}
            rank = {}
            for a in self._moving:
                if id(a) not in rank:
                    for i, b in enumerate(self._siblings(a)):
                        rank[id(b)] = i
            self._moving.sort(key=lambda a: (axes_order.get(id(a.axes), -1), rank.get(id(a), 0)))
            renderer = self.get_renderer()
            buf = None
            for a in self._moving:
                if not a.get_visible():
                    continue
                if a in self._overlay and a.stale:   # an overlay that changed: a moving artist from now on
                    del self._overlay[a]
                layer = self._overlay.get(a, False)
                if layer is False:
                    a.draw(renderer)
                    continue
                if layer is None or layer[0] != self._bg_size:
                    layer = self._overlay[a] = self._render_layer(a)
                if layer[1] is not None:
                    if buf is None:
                        buf = np.asarray(renderer.buffer_rgba())
                    _, (y0, y1, x0, x1), pre, keep = layer
                    region = buf[y0:y1, x0:x1, :3]
                    region[...] = (pre + region * keep + 0.5).astype(np.uint8)

        def _render_layer(self, a):
            """``a`` alone on a transparent layer, cropped: (size, box, premultiplied rgb, 1 - alpha)."""
            from matplotlib.backends.backend_agg import RendererAgg
            w, h = self.get_width_height(physical=True)
            layer = RendererAgg(w, h, self.figure.dpi)
            a.draw(layer)
            rgba = np.asarray(layer.buffer_rgba())
            alpha = rgba[..., 3]
            rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
            if rows.size == 0:
                return ((w, h), None, None, None)
            y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            al = rgba[y0:y1, x0:x1, 3:4].astype(np.float32) / 255.0
            pre = rgba[y0:y1, x0:x1, :3].astype(np.float32) * al
            return ((w, h), (y0, y1, x0, x1), pre, 1.0 - al)

        # -- drawing --------------------------------------------------------
        def draw(self):
            """Full draw: background (laid out, axes, text), then the moving artists; send the frame."""
            t0 = time.perf_counter()
            self._png_is_old = True
            try:
                FigureCanvasAgg.draw(self)
                self._bg = self.copy_from_bbox(self.figure.bbox)
                self._bg_size = self.get_width_height(physical=True)
                self._known = weakref.WeakSet(self.figure.findobj())
                for a in list(self._overlay.keys()):
                    self._overlay[a] = None       # re-render cached layers (dpi, layout may have changed)
                self._draw_moving()
                self.full_draws += 1
                self.timings.append({"full_draw": time.perf_counter() - t0})
            finally:
                self.manager.refresh_all()

        def frame(self):
            """Show the artists' new state now: a blit of the moving artists if only they changed."""
            if self.syncing_data_url:
                # no front end has connected yet (e.g. nbclient, nbval, unit tests): nothing to show;
                # a view asks for a full draw when it connects
                return
            if self.figure.stale and self._bg is not None:
                self._learn()
            if (self._bg is None or self.figure.stale
                    or self._bg_size != self.get_width_height(physical=True)):
                self.draw()
                return
            wall, t0 = time.time(), time.perf_counter()
            self.restore_region(self._bg)
            self._draw_moving()
            t1 = time.perf_counter()
            self._png_is_old = True
            self.manager.refresh_all()
            self.blits += 1
            t2 = time.perf_counter()
            self.timings.append({"blit_draw": t1 - t0, "diff_encode_send": t2 - t1})
            if self.frame_log:                    # benchmarks: when each frame started and left the kernel
                _log_frame(self.frame_log, wall, wall + (t2 - t0), t1 - t0, t2 - t1)

        def send_binary(self, data):
            if self.syncing_data_url:             # ipympl stores bare base64 here, which a view cannot load
                from base64 import b64encode
                full = self._last_buff.view(np.uint8).reshape((*self._last_buff.shape, 4))
                self._data_url = "data:image/png;base64," + b64encode(_png(full)).decode("ascii")
            self.send({"data": '{"type": "binary"}'}, buffers=[data])

        def get_diff_image(self):
            """As matplotlib's, with a faster PNG encoder (most frames are sparse diffs)."""
            if not self._png_is_old:
                return None
            renderer = self.get_renderer()
            pixels = np.asarray(renderer.buffer_rgba())
            buff = pixels.view(np.uint32).squeeze(2)
            now = time.monotonic()
            recent, self._last_sent = now - self._last_sent < self.min_diff_gap, now
            if (self._force_full or recent or buff.shape != self._last_buff.shape
                    or (pixels[:, :, 3] != 255).any()):
                self.set_image_mode("full")
                output = buff
            else:
                self.set_image_mode("diff")
                changed = buff != self._last_buff
                # the browser draws a diff image at (0, 0) over the last frame: crop it to the changed box
                rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
                y1, x1 = (rows[-1] + 1, cols[-1] + 1) if rows.size else (1, 1)
                output = np.where(changed[:y1, :x1], buff[:y1, :x1], 0)
            self._last_buff = buff.copy()
            self._force_full = False
            self._png_is_old = False
            return _png(output.view(np.uint8).reshape((*output.shape, 4)), self.frame_tag)

    _LIVE_CANVAS = LiveCanvas
    return LiveCanvas


def live_canvas(fig):
    """An ipympl canvas widget for ``fig`` (no toolbar, no header) that redraws only what moves.

    After changing artists, call ``canvas.frame()``: it blits the moving
    artists and sends the image at once (see ``LiveCanvas`` in
    ``_live_canvas_class``); a plain ``draw_idle()`` still works and does a
    full draw after a round trip through the browser.
    """
    import warnings

    from ipympl.backend_nbagg import FigureManager
    canvas = _live_canvas_class()(fig)
    with warnings.catch_warnings():   # ipympl's Toolbar trips a traitlets DeprecationWarning; not ours to show
        warnings.simplefilter("ignore", DeprecationWarning)
        FigureManager(canvas, 0)
    canvas.header_visible = False
    canvas.footer_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    canvas.capture_scroll = False
    return canvas


def show_frame(canvas, stats, html_text: str, lr: float) -> str:
    """Show a new state of a live figure: the stats line, then the pixels.

    The stats line is stamped with a tag unique to this frame (``data-frame``)
    and with the lr it was computed for (``data-lr``); the canvas puts the same
    tag into the PNG it sends. A page (the browser tests, the latency
    benchmark) then knows exactly when the kernel has answered a move and when
    the frame of that answer is on screen, without waiting for time. Returns
    the tag.
    """
    n = getattr(canvas, "frame_count", 0) + 1
    tag = f"{(getattr(canvas, 'model_id', None) or 'canvas')[:12]}-{n}"
    try:
        canvas.frame_count = n
        canvas.frame_tag = tag
    except AttributeError:                        # not a LiveCanvas: nothing to tag
        pass
    stamp = f'data-frame="{tag}" data-lr="{float(lr)!r}"'
    if 'class="lrlab-stats"' in html_text:
        html_text = html_text.replace('class="lrlab-stats"', f'class="lrlab-stats" {stamp}', 1)
    else:
        html_text = f'<span class="lrlab-stats" {stamp}>{html_text}</span>'
    stats.value = html_text
    frame = getattr(canvas, "frame", None)        # LiveCanvas: blit + diff image now; else a full draw
    frame() if frame is not None else canvas.draw_idle()
    return tag


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
            with self.canvas.hold_sync() if hasattr(self.canvas, "hold_sync") else _null():
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


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
