"""The live canvas: how an explorer's pixels travel from the kernel to the page.

An ipympl ``Canvas`` subclass that redraws only the artists that move (a blit
over a cached background), sends the changed pixels as a cropped diff PNG made
by a fast encoder (a diff that stays exact when the page drops frames), and
tags every frame (:func:`show_frame`) so a page can tell which frame it shows.
The explorer (:mod:`lrlab.explorer`) only calls :func:`live_canvas` and
:func:`show_frame`; it does not know how pixels travel.
Imports ipympl and matplotlib on first use.

The subclass overrides and reads ipympl internals that are not public API
(:data:`IPYMPL_METHODS`, :data:`IPYMPL_ATTRIBUTES`, :data:`ARTIST_ATTRIBUTES`):
pyproject.toml caps ipympl at the releases tested, and tests/test_ipympl_canary.py
fails, naming the internal, when an ipympl release moves one of them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import ipywidgets
    from ipympl.backend_nbagg import Canvas
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.figure import Figure

__all__ = ["FRAME_KEYWORD", "live_canvas", "show_frame"]


#: PNG text-chunk keyword carrying a frame's tag (what :func:`show_frame` stamped on the stats line).
FRAME_KEYWORD = b"lrlab-frame"

# What LiveCanvas relies on beyond ipympl's public API: the ONE list, which tests/test_ipympl_canary.py checks
# against the installed ipympl (and against LiveCanvas' own code, so a new use cannot slip in unlisted).
# Most of it is matplotlib's FigureCanvasWebAggCore, which ipympl's Canvas extends and re-declares as traits.
#: Methods of ipympl's ``Canvas`` that LiveCanvas overrides -> their parameters after ``self``.
#: matplotlib's ``FigureManagerWebAgg.refresh_all`` calls ``canvas.get_diff_image()``, then
#: ``send_binary(png)`` on each of ``manager.web_sockets``, which ipympl's ``FigureManager`` sets to ``[canvas]``.
IPYMPL_METHODS = {
    "get_diff_image": (),        # the next frame as PNG bytes, None when nothing new was drawn
    "send_binary": ("data",),    # send a frame to the page; LiveCanvas also keeps ``_data_url`` loadable
}
#: Attributes of an ipympl ``Canvas`` that lrlab reads or writes -> their type on a new canvas.
IPYMPL_ATTRIBUTES = {
    "_png_is_old": bool,          # the renderer holds pixels not sent yet
    "_force_full": bool,          # the page asked for a full image (refresh, new view)
    "_last_buff": np.ndarray,     # the last frame sent, (h, w) uint32
    "_data_url": object,          # the image shown without a live kernel (None until set)
    "syncing_data_url": bool,     # True until a page reports 'initialized'
    "_size": tuple,               # (tools/build_notebooks.py, with _data_url: the saved notebook's image)
    "_current_image_mode": str,   # (tests/browser/test_live_canvas.py: the mode of a frame sent)
}
#: Private attributes of matplotlib artists that LiveCanvas reads and restores -> their type.
ARTIST_ATTRIBUTES = {"_stale": bool}


def _png(rgba: np.ndarray, tag: str = "") -> bytes:
    """A fast PNG of an RGBA uint8 array: no row filters, zlib level 1 (default strategy).

    This encodes a frame in about the time PIL's default takes half of it to.
    Level 1's default strategy rather than run-length only: measured side by
    side on full 1290x360 frames, 83 kB instead of 146 kB (92 kB instead of
    172 kB at 1250x400) for the same CPU time (issue 11), so fewer bytes to
    send and decode. zlib's default memLevel 8, not 9: the smaller hash table
    takes 20% less time on the same frames (3.7 against 4.4 ms for a full
    one, 1.8 against 2.3 ms for a diff) for the same size.
    A non-empty ``tag`` goes into a ``tEXt`` chunk right after the header, so a
    page can tell which frame it is painting (the browser tests wait for it).
    """
    h, w, _ = rgba.shape
    rows, _ = _scanlines(h, w)
    rows[:, 1:] = rgba.reshape(h, 4 * w)
    return _png_rows(rows, tag)


def _scanlines(h: int, w: int, memory: np.ndarray | None = None):
    """Room for the PNG scanlines of an ``h`` x ``w`` RGBA image, each row a filter byte 0 (None) then the
    pixels: ``(rows, pixels)``, ``rows`` ``(h, 4 w + 1)`` uint8 and ``pixels`` the same memory as ``(h, w)``
    uint32. In ``memory`` (a flat uint8 array) if it is big enough, else in new memory."""
    n = h * (4 * w + 1)
    rows = (memory[:n] if memory is not None and memory.size >= n else np.empty(n, np.uint8)).reshape(h, 4 * w + 1)
    rows[:, 0] = 0
    return rows, rows[:, 1:].view(np.uint32)


def _png_rows(raw: np.ndarray, tag: str = "") -> bytes:
    """:func:`_png` of rows already laid out as PNG scanlines: ``(h, 4 w + 1)`` uint8, each a 0 then RGBA."""
    import struct
    import zlib
    h, w = raw.shape[0], (raw.shape[1] - 1) // 4
    co = zlib.compressobj(1, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY)
    body = co.compress(raw) + co.flush()

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    text = chunk(b"tEXt", FRAME_KEYWORD + b"\0" + tag.encode("latin-1")) if tag else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + text + chunk(b"IDAT", body) + chunk(b"IEND", b""))


_LIVE_CANVAS = None


def _log_frame(path, start, sent, draw, encode, kind="blit", extra=None):
    """Append one frame's wall-clock times to the file named by LRLAB_FRAME_LOG (benchmark only).

    ``kind`` is ``"blit"`` or ``"full"`` (a full draw); ``gc`` the collections run so far (generation 0,
    1, 2), so a benchmark can tell which slow frames a garbage collection fell into; ``extra``: more
    fields (a blit's diff+PNG seconds, send seconds and PNG bytes).
    """
    import gc
    import json
    try:
        from ipykernel.kernelbase import Kernel
        sent_by_client = Kernel.instance().get_parent().get("header", {}).get("date")
        sent_by_client = sent_by_client.timestamp() if hasattr(sent_by_client, "timestamp") else None
    except Exception:
        sent_by_client = None
    with open(path, "a") as f:
        f.write(json.dumps({"start": start, "sent": sent, "draw": draw, "encode": encode,
                            "client_sent": sent_by_client, "kind": kind,
                            "gc": [g["collections"] for g in gc.get_stats()], **(extra or {})}) + "\n")


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
        a diff (cropped to the changed box) against a frame the page is sure
        to have drawn, exact whichever frames the page dropped (see
        ``settle_time``); a PNG made by a fast encoder. Static artists a full
        draw paints over a moving one (a marker, a label) are redrawn on top
        from a cached layer, so the stacking order stays right. Which artists
        move is learned: when an update made the figure stale (it changed an
        artist that was drawn in the background), the changed artists become
        moving ones and a full draw follows. Artists created since the last full draw (a rebuild) are never
        learned: they get a full draw. Without a connected front end (nbclient,
        nbval, unit tests) :meth:`frame` does nothing.
        """

        frame_log = os.environ.get("LRLAB_FRAME_LOG")   # benchmarks: a file to log frame times to
        # Which frame is on the page is not the kernel's to know: ipympl's page drops a frame whose
        # image is still loading when the next one arrives (one <img>, a new src), and says nothing
        # back. A diff against the frame before is wrong on a page that dropped that frame (seen in
        # the browser tests on a loaded machine: an old figure under a new label). So a diff here is
        # against a *reference*: the last frame sent before a pause of ``settle_time`` s, which the
        # page has drawn by then. It covers every pixel in which any frame sent since differs from
        # the reference (a mask that only grows until the next pause), so it is exact over whichever
        # of those frames the page happens to show, however many it dropped. A fast drag thus
        # sends growing diffs rather than full images, and a move after a pause a small one.
        # Without a reference (the first frames, after a resize or a new view) frames are full
        # images. LRLAB_SETTLE_TIME=<seconds> sets the pause; the only assumption is that a page
        # draws a frame within it.
        settle_time = float(os.environ.get("LRLAB_SETTLE_TIME", "0.5"))
        sparse_share = 0.2     # a diff whose changed pixels fill more of its box than this is sent opaque

        def __init__(self, figure, *args, **kwargs):
            super().__init__(figure, *args, **kwargs)
            self._bg = None
            self._bg_size = None
            self._moving: list = []
            self._known = weakref.WeakSet()      # artists drawn by the last full draw
            self._last_sent = -1e9               # time.monotonic() of the last frame sent
            self._t_png = self._t_send = self._n_bytes = None   # the last frame's diff+PNG s, send s, bytes
            self._ref = None                     # the frame the page surely shows (or one sent after it)
            self._dirty = None                   # pixels where a frame sent since the reference differs from it
            self._opaque = None                  # no transparent pixel in the last full draw (None: not known)
            self._scan = np.empty(0, np.uint8)   # reused PNG scanline memory (no new pages to fault in a frame)
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
            # drawing some artists moves their parts (a legend places its box and texts), which marks them
            # and their axes and figure stale: this off-screen draw changes nothing a full draw would
            # show, so put the flags back, or the next frame would be a full draw for no change
            kin = a.findobj() + [o for o in (a.axes, a.figure, a.get_figure(root=True)) if o is not None]
            flags = [(o, o._stale) for o in kin]
            a.draw(layer)
            for o, flag in flags:
                o._stale = flag
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
            wall, t0 = time.time(), time.perf_counter()
            self._png_is_old = True
            self._opaque = None                   # a blit keeps what the full draw had: opaque stays opaque
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
                t1 = time.perf_counter()
                self.manager.refresh_all()
                if self.frame_log:                # benchmarks: a full draw is a frame too
                    t2 = time.perf_counter()
                    _log_frame(self.frame_log, wall, wall + (t2 - t0), t1 - t0, t2 - t1, kind="full")

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
                _log_frame(self.frame_log, wall, wall + (t2 - t0), t1 - t0, t2 - t1,
                           extra={"diff_png": self._t_png, "send": self._t_send, "bytes": self._n_bytes})

        def send_binary(self, data):
            if self.syncing_data_url:             # ipympl stores bare base64 here, which a view cannot load
                from base64 import b64encode
                full = self._last_buff.view(np.uint8).reshape((*self._last_buff.shape, 4))
                self._data_url = "data:image/png;base64," + b64encode(_png(full)).decode("ascii")
            t0 = time.perf_counter()
            self.send({"data": '{"type": "binary"}'}, buffers=[data])
            self._t_send, self._n_bytes = time.perf_counter() - t0, len(data)

        def get_diff_image(self):
            """The next frame as a PNG: a diff against the page's reference frame, or a full image.

            Every frame is sent in ipympl's 'diff' mode (drawn over the page's image, transparent
            pixels keep the old ones): a full image of an opaque figure is opaque, so it replaces
            everything. A figure with transparent pixels cannot be diffed that way: it is sent in
            'full' mode, always as a full image.
            """
            if not self._png_is_old:
                return None
            t0 = time.perf_counter()
            renderer = self.get_renderer()
            pixels = np.asarray(renderer.buffer_rgba())
            buff = pixels.view(np.uint32).squeeze(2)
            now = time.monotonic()
            paused, self._last_sent = now - self._last_sent >= self.settle_time, now
            if self._opaque is None:
                self._opaque = not (pixels[:, :, 3] != 255).any()
            opaque = self._opaque
            if self._force_full or not opaque or buff.shape != self._last_buff.shape:
                self._ref = self._dirty = None    # what the page shows is unknown until it draws this
            elif paused:                          # the page has drawn the last frame sent: the new reference
                self._ref, self._dirty = self._last_buff, None
            self.set_image_mode("diff" if opaque else "full")
            if self._ref is None:
                rows, dest = self._scanlines(*buff.shape)
                dest[...] = buff
            else:
                changed = buff != self._ref
                if self._dirty is not None:
                    changed |= self._dirty
                self._dirty = changed
                # ipympl draws the image at (0, 0) over the page's one: crop to the changed box
                ys, xs = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
                y1, x1 = (ys[-1] + 1, xs[-1] + 1) if ys.size else (1, 1)
                rows, dest = self._scanlines(y1, x1)
                if np.count_nonzero(changed) > self.sparse_share * y1 * x1:
                    # many changed pixels (a long drag): the box as it is, opaque, is as right (outside
                    # the mask the page already shows these pixels) and compresses better than pixels
                    # scattered among transparent ones
                    dest[...] = buff[:y1, :x1]
                else:                             # the changed pixels, transparent (0) elsewhere
                    np.multiply(buff[:y1, :x1], changed[:y1, :x1], out=dest)
            self._last_buff = buff.copy()
            self._force_full = False
            self._png_is_old = False
            out = _png_rows(rows, self.frame_tag)
            self._t_png = time.perf_counter() - t0
            return out

        def _scanlines(self, h, w):
            """:func:`_scanlines` in this canvas' reused memory (no new pages to fault in a frame)."""
            if self._scan.size < h * (4 * w + 1):
                self._scan = np.empty(h * (4 * w + 1), np.uint8)
            return _scanlines(h, w, self._scan)

    _LIVE_CANVAS = LiveCanvas
    return LiveCanvas


def live_canvas(fig: Figure) -> Canvas:
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


def show_frame(canvas: FigureCanvasBase, stats: ipywidgets.HTML, html_text: str, lr: float) -> str:
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
